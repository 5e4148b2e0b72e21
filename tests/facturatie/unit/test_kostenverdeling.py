"""Regional cost sharing: exact shares by a key, balanced entries per municipality."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturatie.domain.kostenverdeling import verdeel, verdeelposten

INWONERS = {"1904": 64000, "0632": 54000, "0736": 46000, "0335": 14000, "0589": 10000}


def test_shares_follow_the_key_and_the_leftover_cents_go_to_the_largest_remainders():
    # 1,000,000 cents by inhabitants (total 188,000): exact shares 340,425.53 / 287,234.04 / 244,680.85 / 74,468.09
    # / 53,191.49; floors sum to 999,998, so the two largest remainders (.85 and .53) get a cent.
    assert verdeel(1_000_000, INWONERS) == {"1904": 340_426, "0632": 287_234, "0736": 244_681, "0335": 74_468,
                                            "0589": 53_191}


def test_equal_remainders_go_to_the_lower_cbs_code():
    assert verdeel(1, {"0632": 1, "0335": 1}) == {"0335": 1, "0632": 0}


@given(st.integers(0, 10**12), st.dictionaries(st.sampled_from(list(INWONERS)), st.integers(0, 10**6), min_size=1))
def test_the_shares_always_add_up_to_the_amount(bedrag, gewichten):
    if sum(gewichten.values()) == 0:
        with pytest.raises(ValueError):
            verdeel(bedrag, gewichten)
        return
    delen = verdeel(bedrag, gewichten)
    assert sum(delen.values()) == bedrag and all(d >= 0 for d in delen.values())
    totaal = sum(gewichten.values())
    assert all(abs(delen[c] - bedrag * g / totaal) < 1 for c, g in gewichten.items())


def test_each_municipality_gets_a_balanced_entry_under_its_own_key():
    posten = verdeelposten("GR2026-01", "Uitvoeringskosten GR januari", "jw", {"0632": 700, "0335": 0})
    assert [p.idempotentie_sleutel for p in posten] == ["kostenverdeling:GR2026-01:0335",
                                                        "kostenverdeling:GR2026-01:0632"]
    assert [(r.rekening, r.debet, r.credit) for r in posten[1].regels] == [("kosten:gr", 700, 0),
                                                                            ("schuld:gr", 0, 700)]
    assert posten[0].regels == () and all(p.soort == "kostenverdeling" for p in posten)
