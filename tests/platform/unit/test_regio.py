from __future__ import annotations

import pytest

from shared.bsn import elfproef, mask
from shared.platform.regio import RegioFileError, hash_token, load_regio
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)


def test_region_file_has_the_five_municipalities_of_utrecht_west():
    assert {g.cbs: g.naam for g in REGIO.gemeenten} == {
        "1904": "Stichtse Vecht", "0632": "Woerden", "0736": "De Ronde Venen", "0335": "Montfoort", "0589": "Oudewater"}


def test_demo_tokens_authenticate_as_their_party_and_others_do_not():
    assert REGIO.authenticate("demo-aanbieder-87654321") == ("aanbieder", "87654321")
    assert REGIO.authenticate("demo-gemeente-0632") == ("gemeente", "0632")
    assert REGIO.authenticate("demo-aanbieder-00000000") is None
    assert REGIO.authenticate("") is None


def test_region_file_stores_no_plain_tokens():
    text = DEFAULT_REGIO.read_text()
    assert hash_token("demo-aanbieder-87654321") in text
    assert "token_sha256" in text and "token:" not in text


def test_invalid_region_file_says_what_is_wrong(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text(DEFAULT_REGIO.read_text().replace('aanbieder: "87654321"', 'aanbieder: "11111111"', 1))
    with pytest.raises(RegioFileError, match="unknown provider AGB 11111111"):
        load_regio(bad)
    with pytest.raises(RegioFileError, match="not found"):
        load_regio(tmp_path / "missing.yaml")


@pytest.mark.parametrize("extra, error", [
    ('  - {gemeente: "0335", aanbieder: "12345678", domein: jw, jaar: 2026, cent: 1}\n', "given twice"),
    ('  - {gemeente: "0335", aanbieder: "11111111", domein: jw, jaar: 2026, cent: 1}\n', "unknown municipality or"),
    ('  - {gemeente: "9999", aanbieder: "12345678", domein: jw, jaar: 2026, cent: 1}\n', "unknown municipality or"),
    ('  - {gemeente: "0335", aanbieder: "12345678", domein: jw, jaar: 2026, cent: -1}\n', "greater than or equal to 0"),
])
def test_a_wrong_spending_ceiling_is_refused_with_the_reason(tmp_path, extra, error):
    bad = tmp_path / "r.yaml"
    bad.write_text(DEFAULT_REGIO.read_text() + extra)
    with pytest.raises(RegioFileError, match=error):
        load_regio(bad)


def test_spending_ceilings_are_keyed_as_the_ledger_looks_them_up():
    assert load_regio(DEFAULT_REGIO).plafonds()[("0335", "jw", "12345678", 2026)] == 5_000_000


@pytest.mark.parametrize("bsn, ok", [("123456782", True), ("999990019", True), ("999990044", True),
                                     ("123456781", False), ("000000000", False), ("12345678", False),
                                     ("12345678a", False)])
def test_elfproef(bsn, ok):
    assert elfproef(bsn) is ok


def test_mask_keeps_only_last_four():
    assert mask("999990019") == "*****0019"
