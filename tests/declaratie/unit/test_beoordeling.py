"""Contract rules (TR418, TR346, TR381), credits (IV085, OP366) and the granted total through `beoordeel`, each
with a passing and a failing case at its boundary. Expected values are worked out by hand from the region file and
the standard's text. Every line gets its own matching allocation and every credit an approved earlier debit, so
only the rule under test can speak (the other level-3 rules are in test_regels.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from declaratie.domain.beoordeling import Beoordeling, beoordeel
from declaratie.domain.context import Beoordelingscontext, EerdereRegel, ToewijzingStand
from declaratie.domain.volume import deel_half_omhoog
from shared.bsn import sleutel
from shared.models import Client, Declaratie, Declaratiebericht, Header, Omvang, Periode, Prestatie
from shared.platform.regio import load_regio
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
GEHEIM = b"test-geheim"
BSN = "999990019"
APRIL = Periode(begindatum=dt.date(2026, 4, 1), einddatum=dt.date(2026, 4, 30))


def line(ref="R1", *, code="45A07", cat="45", eenheid="04", volume=10, tarief=9850, bedrag=None, dc="D",
         periode=APRIL, vorig=None) -> Prestatie:
    if bedrag is None:
        bedrag = volume if eenheid == "83" else volume * tarief
    # A distinct allocation per line, so that lines never collide on TR416 unless a test wants it.
    toewijzing = int.from_bytes(ref.encode(), "big") % 999_999_999
    return Prestatie(referentienummer=ref, vorig_referentienummer=vorig, toewijzingnummer=toewijzing,
                     productcategorie=cat, productcode=code, productperiode=periode, geleverd_volume=volume,
                     eenheid=eenheid, producttarief=None if eenheid == "83" else tarief,
                     ingediend_bedrag=bedrag, debet_credit=dc)


def bericht(*lines: Prestatie, agb="87654321", cbs="0632", domein="jw") -> Declaratiebericht:
    total = sum(p.signed_bedrag for p in lines)
    return Declaratiebericht(
        domein=domein,
        header=Header(berichtcode="490", berichtversie=3, berichtsubversie=2, afzender=agb, ontvanger=cbs,
                      identificatie="X1", dagtekening=dt.date(2026, 5, 4), basisschema_xsd_versie="1.0.0",
                      bericht_xsd_versie="1.0.0"),
        declaratie=Declaratie(declaratienummer="D1", declaratieperiode=APRIL, declaratiedagtekening=dt.date(2026, 5, 4),
                              totaal_ingediend_bedrag=abs(total), totaal_debet_credit="C" if total < 0 else "D",
                              clienten=[Client(bsn=BSN, prestaties=list(lines))]))


def context(b: Declaratiebericht) -> Beoordelingscontext:
    """A specific allocation per line (its category/code, from the period's start, open-ended, a generous monthly
    volume in the line's unit – hours for minutes) and, per credit, the approved earlier debit it refers to."""
    toewijzingen, eerdere = {}, {}
    for _c, p in b.prestaties():
        eenheid = "04" if p.eenheid == "01" else p.eenheid
        toewijzingen[p.toewijzingnummer] = ToewijzingStand(
            p.toewijzingnummer, b.header.afzender, sleutel(BSN, GEHEIM), p.productcategorie, p.productcode,
            p.productperiode.begindatum, None, None, Omvang(volume=10**7, eenheid=eenheid, frequentie="4"), None)
        if p.debet_credit == "C":
            eerdere[p.vorig_referentienummer] = EerdereRegel(
                p.vorig_referentienummer, "D", True, p.toewijzingnummer, p.productcategorie, p.productcode,
                p.productperiode.begindatum, p.productperiode.einddatum, p.geleverd_volume, p.eenheid,
                p.ingediend_bedrag)
    return Beoordelingscontext(systeemdatum=dt.date(2026, 5, 5), toewijzingen=toewijzingen, eerdere=eerdere)


def oordeel(b: Declaratiebericht) -> Beoordeling:
    return beoordeel(b, REGIO, context(b), GEHEIM)


def codes(b: Declaratiebericht) -> dict[str, list[str]]:
    return {o.referentienummer: o.retourcodes for o in oordeel(b).oordelen}


# TR418 → 0611: tariff equals the contract tariff valid in the product period

def test_tr418_contract_tariff_passes():
    assert codes(bericht(line(tarief=9850))) == {"R1": []}


@pytest.mark.parametrize("tarief", [9849, 9851])
def test_tr418_one_cent_off_fails(tarief):
    assert codes(bericht(line(tarief=tarief))) == {"R1": ["0611"]}


def test_tr418_uses_the_tariff_valid_in_the_product_period():
    december_2025 = Periode(begindatum=dt.date(2025, 12, 1), einddatum=dt.date(2025, 12, 31))
    assert codes(bericht(line(tarief=9600, periode=december_2025))) == {"R1": []}
    assert codes(bericht(line(tarief=9850, periode=december_2025))) == {"R1": ["0611"]}


def test_tr418_minutes_against_an_hour_tariff_use_tariff_div_60_half_up():
    # €98.50/h → 9850/60 = 164.17 → 164 per minute (IV081); amount uses the unrounded tariff.
    assert codes(bericht(line(eenheid="01", volume=95, tarief=164, bedrag=15596))) == {"R1": []}
    assert codes(bericht(line(eenheid="01", volume=95, tarief=165, bedrag=15596))) == {"R1": ["0611"]}


def test_local_contract_wins_over_regional():
    # Zorggroep Vechtstreek has a local Stichtse Vecht contract for 45A07 at 10200.
    assert codes(bericht(line(tarief=10200), agb="23456789", cbs="1904")) == {"R1": []}


# TR346 → 9346: amount = volume × unrounded tariff

def test_tr346_exact_amount_passes_and_one_cent_off_fails():
    assert codes(bericht(line(volume=12, tarief=9850, bedrag=118200))) == {"R1": []}
    assert codes(bericht(line(volume=12, tarief=9850, bedrag=118201))) == {"R1": ["9346"]}


def test_tr346_minutes_use_the_unrounded_hour_tariff():
    # 164 × 95 = 15580 would be wrong: round(9850 × 95 / 60) = 15596.
    assert codes(bericht(line(eenheid="01", volume=95, tarief=164, bedrag=15580))) == {"R1": ["9346"]}


# TR381 → S329: product code in the agreed product list, under its category

def test_tr381_uncontracted_product_fails():
    assert codes(bericht(line(code="99Z99"))) == {"R1": ["S329"]}


def test_tr381_wrong_category_fails():
    assert codes(bericht(line(cat="43"))) == {"R1": ["S329"]}


def test_tr381_contract_not_valid_for_other_municipality():
    # The local contract of 23456789 only covers Stichtse Vecht (1904).
    assert codes(bericht(line(tarief=10200), agb="23456789", cbs="0632")) == {"R1": ["S329"]}


def test_euro_product_needs_no_tariff():
    assert codes(bericht(line(code="54B02", cat="54", eenheid="83", volume=45000))) == {"R1": []}


# IV085: credits are never rejected on content; OP366: credits first

def test_credit_with_wrong_tariff_is_still_approved():
    assert codes(bericht(line(dc="C", tarief=1, vorig="OLD1"))) == {"R1": []}


def test_credits_are_judged_before_debits():
    # OP366: judged (and recorded) credits first; the answer keeps the message order.
    v = oordeel(bericht(line("D1"), line("C1", dc="C", vorig="OLD")))
    assert [x.referentienummer for x in v.vast_te_leggen] == ["C1", "D1"]
    assert [o.referentienummer for o in v.oordelen] == ["D1", "C1"]


def test_total_granted_is_net_of_approved_lines_only():
    # 10×9850 D approved, 5×9851 D rejected, 3×9850 C approved → 98500 − 29550 = 68950 D
    b = bericht(line("A", volume=10), line("B", volume=5, tarief=9851), line("C", volume=3, dc="C", vorig="X"))
    v = oordeel(b)
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (68950, "D")


def test_total_granted_can_be_credit():
    v = oordeel(bericht(line("C", volume=3, dc="C", vorig="X")))
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (29550, "C")


def test_reasons_are_readable_and_bilingual():
    (o,) = oordeel(bericht(line(tarief=9851))).oordelen
    assert "TR418" in o.redenen[0] and "9851" in o.redenen[0] and "9850" in o.redenen[0]
    assert "contracttarief" in o.redenen[0] and "contract tariff" in o.redenen[0]


@pytest.mark.parametrize("num, den, expected", [(9850, 60, 164), (90, 60, 2), (89, 60, 1), (30, 60, 1), (29, 60, 0)])
def test_round_half_up(num, den, expected):
    assert deel_half_omhoog(num, den) == expected
