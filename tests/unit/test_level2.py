"""Control level 2 for the 323: every rule with a passing and a failing case at its boundary.
Starting point is the standard's own example (§13.2), which passes every rule."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.codec import ParseError, parse_323
from shared.models import Declaratiebericht, Periode
from shared.validatie import LEVEL2_323, level2_323
from tests.conftest import FIXTURES

VOORBEELD = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())


def with_line(b: Declaratiebericht, client: int, line: int, **changes) -> Declaratiebericht:
    clienten = list(b.declaratie.clienten)
    prestaties = list(clienten[client].prestaties)
    prestaties[line] = prestaties[line].model_copy(update=changes)
    clienten[client] = clienten[client].model_copy(update={"prestaties": prestaties})
    return with_decl(b, clienten=clienten)


def with_decl(b: Declaratiebericht, **changes) -> Declaratiebericht:
    return b.model_copy(update={"declaratie": b.declaratie.model_copy(update=changes)})


def rules(b: Declaratiebericht) -> set[str]:
    return {p.rule for p in level2_323(b)}


def per(begin: str, end: str) -> Periode:
    return Periode(begindatum=dt.date.fromisoformat(begin), einddatum=dt.date.fromisoformat(end))


def test_the_standards_example_passes_every_rule():
    assert level2_323(VOORBEELD) == []
    assert len(LEVEL2_323) == 16


# CS002
def test_cs002_bsn_elfproef():
    ok = VOORBEELD.declaratie.clienten[0].model_copy(update={"bsn": "123456782"})
    bad = VOORBEELD.declaratie.clienten[0].model_copy(update={"bsn": "123456781"})
    assert rules(with_decl(VOORBEELD, clienten=[ok, VOORBEELD.declaratie.clienten[1]])) == set()
    problems = level2_323(with_decl(VOORBEELD, clienten=[bad, VOORBEELD.declaratie.clienten[1]]))
    assert [p.rule for p in problems] == ["CS002"]
    assert problems[0].found == "***" and "123456781" not in problems[0].message


# CS319 is a pattern of the XSD too: it fails at level 1
def test_cs319_declaratienummer_letters_and_digits_only():
    raw = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
    assert parse_323(raw.replace(b">D202604001<", b">Dz9<")).declaratie.declaratienummer == "Dz9"
    with pytest.raises(ParseError) as info:
        parse_323(raw.replace(b">D202604001<", b">D2026-04<"))
    assert info.value.problems[0].rule == "CS319"


# CS340
@pytest.mark.parametrize("begin, end, ok", [("2026-04-01", "2026-04-30", True), ("2026-02-01", "2026-02-28", True),
                                             ("2024-02-01", "2024-02-29", True), ("2026-04-02", "2026-04-30", False),
                                             ("2026-04-01", "2026-04-29", False), ("2026-04-01", "2026-05-31", False)])
def test_cs340_declaratieperiode_is_one_calendar_month(begin, end, ok):
    b = with_decl(VOORBEELD, declaratieperiode=per(begin, end), declaratiedagtekening=dt.date(2026, 5, 4))
    assert ("CS340" not in rules(b)) is ok


# CS100
def test_cs100_not_before_2021():
    ok = with_line(VOORBEELD, 0, 0, productperiode=per("2021-01-01", "2021-01-31"))
    bad = with_line(VOORBEELD, 0, 0, productperiode=per("2020-12-01", "2020-12-31"))
    assert "CS100" not in rules(ok) and "CS100" in rules(bad)


# CS337
@pytest.mark.parametrize("begin, end, ok", [("2026-04-10", "2026-04-10", True), ("2026-04-30", "2026-05-01", False),
                                             ("2026-04-20", "2026-04-19", False), ("2025-04-01", "2026-04-30", False)])
def test_cs337_productperiode_within_one_month(begin, end, ok):
    assert ("CS337" not in rules(with_line(VOORBEELD, 0, 0, productperiode=per(begin, end)))) is ok


# CS325
def test_cs325_zero_amount_carries_d():
    zero_d = with_line(VOORBEELD, 1, 0, ingediend_bedrag=0, geleverd_volume=0, debet_credit="D",
                       vorig_referentienummer=None)
    zero_c = with_line(VOORBEELD, 1, 0, ingediend_bedrag=0, geleverd_volume=0)
    assert "CS325" not in rules(zero_d) and "CS325" in rules(zero_c)
    empty_total = with_decl(VOORBEELD, totaal_ingediend_bedrag=0, totaal_debet_credit="C")
    assert "CS325" in rules(empty_total)


# CD060
def test_cd060_vorigreferentienummer_exactly_on_credits():
    assert "CD060" in rules(with_line(VOORBEELD, 1, 0, vorig_referentienummer=None))  # credit without
    assert "CD060" in rules(with_line(VOORBEELD, 0, 0, vorig_referentienummer="P1"))  # debit with
    assert "CD060" not in rules(VOORBEELD)


# CD087
def test_cd087_tariff_exactly_when_unit_is_not_euro():
    assert "CD087" in rules(with_line(VOORBEELD, 0, 0, producttarief=None))
    assert "CD087" in rules(with_line(VOORBEELD, 1, 2, producttarief=100))
    assert "CD087" not in rules(VOORBEELD)


# CS339
def test_cs339_euro_amount_equals_volume():
    assert "CS339" in rules(with_line(VOORBEELD, 1, 2, geleverd_volume=45001))
    assert "CS339" not in rules(with_line(VOORBEELD, 1, 2, geleverd_volume=45000))


# TR358
@pytest.mark.parametrize("total, dc, ok", [(595000, "D", True), (595001, "D", False), (594999, "D", False),
                                           (595000, "C", False)])
def test_tr358_total_is_debits_minus_credits(total, dc, ok):
    assert ("TR358" not in rules(with_decl(VOORBEELD, totaal_ingediend_bedrag=total, totaal_debet_credit=dc))) is ok


def test_tr358_credit_total():
    only_credit = with_decl(VOORBEELD, clienten=[VOORBEELD.declaratie.clienten[1].model_copy(
        update={"prestaties": [VOORBEELD.declaratie.clienten[1].prestaties[0]]})])
    assert "TR358" in rules(with_decl(only_credit, totaal_ingediend_bedrag=98500, totaal_debet_credit="D"))
    assert "TR358" not in rules(with_decl(only_credit, totaal_ingediend_bedrag=98500, totaal_debet_credit="C"))


# TR315 / TR316
def _second_credit(vorig: str) -> Declaratiebericht:
    c = VOORBEELD.declaratie.clienten[1]
    extra = c.prestaties[0].model_copy(update={"referentienummer": "P20260504000099", "vorig_referentienummer": vorig,
                                               "toewijzingnummer": 400300})
    b = with_decl(VOORBEELD, clienten=[VOORBEELD.declaratie.clienten[0],
                                       c.model_copy(update={"prestaties": [*c.prestaties, extra]})])
    return with_decl(b, totaal_ingediend_bedrag=595000 - 98500)


def test_tr315_vorigreferentienummer_unique_in_message():
    assert "TR315" in rules(_second_credit("P20260403000017"))
    assert "TR315" not in rules(_second_credit("P20260403000018"))


def test_tr316_no_credit_of_a_line_in_the_same_message():
    assert "TR316" in rules(_second_credit("P20260504000001"))
    assert "TR316" not in rules(_second_credit("P20260403000018"))


# TR416
def test_tr416_one_debit_per_allocation_period_product():
    same = with_line(VOORBEELD, 1, 1, toewijzingnummer=400123, productperiode=per("2026-04-01", "2026-04-30"))
    other_period = with_line(VOORBEELD, 1, 1, toewijzingnummer=400123)  # March: different key
    assert "TR416" in rules(same) and "TR416" not in rules(other_period)


# TR101
def test_tr101_no_duplicate_client_or_line():
    c0, c1 = VOORBEELD.declaratie.clienten
    dup_client = with_decl(VOORBEELD, clienten=[c0, c1.model_copy(update={"bsn": c0.bsn})])
    assert "TR101" in rules(dup_client)
    dup_line = with_line(VOORBEELD, 0, 1, referentienummer="P20260504000001")
    assert "TR101" in rules(dup_line)
    assert "TR101" not in rules(VOORBEELD)


# TR134 / TR137
def test_tr134_declaratiedagtekening_not_after_message_dagtekening():
    assert "TR134" not in rules(with_decl(VOORBEELD, declaratiedagtekening=dt.date(2026, 5, 4)))
    assert "TR134" in rules(with_decl(VOORBEELD, declaratiedagtekening=dt.date(2026, 5, 5)))


def test_tr137_declaratiedagtekening_not_before_period():
    assert "TR137" not in rules(with_decl(VOORBEELD, declaratiedagtekening=dt.date(2026, 4, 1)))
    assert "TR137" in rules(with_decl(VOORBEELD, declaratiedagtekening=dt.date(2026, 3, 31)))


# TR335
def test_tr335_product_period_at_most_five_years_old():
    b = with_decl(VOORBEELD, declaratiedagtekening=dt.date(2026, 5, 4))
    ok = with_line(b, 0, 0, productperiode=per("2021-05-04", "2021-05-04"))
    bad = with_line(b, 0, 0, productperiode=per("2021-05-03", "2021-05-03"))
    assert "TR335" not in rules(ok) and "TR335" in rules(bad)


def test_level2_failure_rejects_the_whole_message_with_0001():
    from declaratie.domain.beoordeling import beoordeel
    from declaratie.domain.context import Beoordelingscontext
    from shared.regio import DEFAULT_REGIO, load_regio

    v = beoordeel(with_decl(VOORBEELD, totaal_ingediend_bedrag=1), load_regio(DEFAULT_REGIO),
                  Beoordelingscontext(systeemdatum=dt.date(2026, 5, 5)), b"geheim")
    assert v.header_retourcodes == ["0001"] and v.oordelen == [] and v.goedgekeurd == []
    assert v.totaal_toegekend_bedrag == 0 and "TR358" in v.header_redenen[0]
