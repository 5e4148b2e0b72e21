"""Level 2 of the 301 (allocation rules, §10 of the domain brief): each rule at its boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.codec import parse_301
from shared.models import Omvang, Toewijzingsbericht
from shared.validatie import LEVEL2_301, level2_301
from tests.conftest import FIXTURES

VOORBEELD = parse_301((FIXTURES / "jw301-voorbeeld.xml").read_bytes())
D = dt.date.fromisoformat


def met(**changes) -> Toewijzingsbericht:
    t = VOORBEELD.toewijzingen[0].model_copy(update=changes)
    return VOORBEELD.model_copy(update={"toewijzingen": [t]})


def rules(b: Toewijzingsbericht) -> set[str]:
    return {p.rule for p in level2_301(b)}


def test_the_example_allocation_passes_every_rule_and_reads_as_specific():
    assert level2_301(VOORBEELD) == [] and len(LEVEL2_301) == 10
    t = VOORBEELD.toewijzingen[0]
    assert (t.toewijzingnummer, t.soort, t.omvang) == (400123, "specifiek", Omvang(volume=4, eenheid="04", frequentie="2"))
    assert VOORBEELD.bsn == "999990019" and "999990019" not in repr(VOORBEELD)


def test_cs002_bsn():
    assert "CS002" in rules(VOORBEELD.model_copy(update={"bsn": "999990018"}))


def test_cs003_end_not_before_start():
    assert "CS003" not in rules(met(einddatum=D("2026-04-01")))
    assert "CS003" in rules(met(einddatum=D("2026-03-31")))


def test_cs335_deleted_allocation_ends_on_its_start():
    assert "CS335" not in rules(met(reden_wijziging="13", einddatum=D("2026-04-01")))
    assert "CS335" in rules(met(reden_wijziging="13", einddatum=D("2026-04-02")))
    assert "CS335" not in rules(met(reden_wijziging="04", einddatum=D("2026-04-02")))


@pytest.mark.parametrize("eenheid, frequentie, ok", [("14", "2", True), ("14", "1", False), ("83", "6", True),
                                                      ("84", "1", False), ("04", "1", True), ("16", "4", True)])
def test_cs338_unit_and_frequency(eenheid, frequentie, ok):
    b = met(omvang=Omvang(volume=4, eenheid=eenheid, frequentie=frequentie))
    assert ("CS338" not in rules(b)) is ok


def test_cd041_omvang_with_product_code():
    assert "CD041" in rules(met(omvang=None))


def test_cd075_end_date_with_budget():
    aspecifiek = dict(productcode=None, omvang=None, budget=250000)
    assert "CD075" not in rules(met(**aspecifiek))
    assert "CD075" in rules(met(**aspecifiek, einddatum=None))


def test_cd076_end_date_with_weekly_frequency():
    assert "CD076" in rules(met(einddatum=None))
    assert "CD076" not in rules(met(einddatum=None, omvang=Omvang(volume=40, eenheid="04", frequentie="4")))


def test_cd077_not_both_omvang_and_budget():
    assert "CD077" in rules(met(budget=1000))


def test_cd079_product_or_budget():
    generiek_met_budget = met(productcategorie=None, productcode=None, omvang=None, budget=1000)
    assert "CD079" not in rules(generiek_met_budget) and generiek_met_budget.toewijzingen[0].soort == "generiek"
    assert "CD079" in rules(met(productcategorie=None, productcode=None, omvang=None, budget=None))


def test_cd080_no_omvang_without_product_code():
    assert "CD080" in rules(met(productcode=None))
    assert "CD080" not in rules(met(productcode=None, ingangsdatum=D("2020-01-01"), einddatum=D("2020-12-31")))
