"""The load generator behind the benchmarks: valid messages, known intent, reproducible."""

from __future__ import annotations

from collections import Counter

from bench.generator import FOUTSOORTEN, OKTOBER, genereer, xml_301
from shared.istandaard import lees, niveau2, niveau2_323


def test_a_generated_month_is_valid_at_level_2_and_every_october_line_has_an_intent():
    maand = genereer(aanbieders=12, clienten=800, seed=5)
    assert all(niveau2_323(b) == [] for b in maand.september + maand.oktober)
    assert all(niveau2(*lees(xml_301(t))[::2]) == [] for t in maand.toewijzingen)
    refs = [(b.header.afzender, p.referentienummer) for b in maand.oktober for _c, p in b.prestaties()]
    assert len(refs) == len(set(refs)) == len(maand.verwacht) == maand.regels
    assert set(maand.verwacht.values()) <= {None, *FOUTSOORTEN}
    assert {b.declaratie.declaratieperiode for b in maand.oktober} == {OKTOBER}


def test_the_month_holds_credits_late_lines_and_about_the_asked_share_of_violations():
    maand = genereer(aanbieders=30, clienten=3000, fout_aandeel=0.05, seed=6)
    lines = [p for b in maand.oktober for _c, p in b.prestaties()]
    credits = [p for p in lines if p.debet_credit == "C"]
    late = [p for p in lines if p.debet_credit == "D" and p.productperiode.begindatum < OKTOBER.begindatum]
    assert credits and late
    share = Counter(c is not None for c in maand.verwacht.values())[True] / maand.regels
    assert 0.035 < share < 0.065


def test_the_same_seed_gives_the_same_month_and_another_seed_another():
    a, b, c = genereer(aanbieders=5, clienten=200, seed=1), genereer(aanbieders=5, clienten=200, seed=1), \
        genereer(aanbieders=5, clienten=200, seed=2)
    assert a.oktober == b.oktober and a.verwacht == b.verwacht
    assert a.oktober != c.oktober
