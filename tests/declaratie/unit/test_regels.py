"""Level-3/4 rules of a 323 (declaratie.domain.regels) at their boundaries, and where `beoordeel` places their
codes in the 325 (domain brief §6.2, §7.2–§7.5).

Every expected value is worked out by hand and written down; nothing is computed with the code under test.
Calendar facts used (2026): 1 March is a Sunday, 1 April a Wednesday, 1 August a Saturday, 30 September a
Wednesday. ISO weeks (Monday–Sunday) overlapping:
  April 2026 (Mar 30, Apr 6, 13, 20, 27)                                       = 5
  10–30 April (Apr 6, 13, 20, 27)  ·  1–15 April (Mar 30, Apr 6, 13)            = 4 · 3
  March 2026 (Feb 23, Mar 2, 9, 16, 23, 30)                                    = 6
  August 2026 (Jul 27, Aug 3, 10, 17, 24, 31)                                  = 6
  1 March – 30 April 2026 (Feb 23 … Apr 27)                                    = 10
  the whole of 2026 (Dec 29 2025 … Dec 28 2026; 2026 has 53 ISO weeks)          = 53
Sundays: April 2026 = 5, 12, 19, 26 (4); September 2026 = 6, 13, 20, 27 (4).
Contract (deploy/regio/utrecht-west.yaml, provider 87654321): 45A07 (cat 45, hours) 9600 in 2025, 9850 from
2026; 43A01 (cat 43, etmaal) 21000; 54B02 (cat 54, euro).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from declaratie.domain import regels as R
from declaratie.domain.beoordeling import Beoordeling, beoordeel
from declaratie.domain.context import Beoordelingscontext, EerdereRegel, Stand, ToewijzingStand
from declaratie.domain.regels import Regel
from shared.bsn import sleutel
from shared.istandaard import parse_323
from shared.models import Client, Declaratie, Declaratiebericht, Header, Omvang, Periode, Prestatie
from shared.platform.regio import ContractProduct, Regio, Tarief, load_regio
from tests.conftest import FIXTURES
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
GEHEIM = b"test-geheim"
AGB = "87654321"
ANDERE_AGB = "12345678"
CBS = "0632"  # Woerden
BSN_A, BSN_B = "999990019", "999990044"
SLEUTEL_A, SLEUTEL_B = sleutel(BSN_A, GEHEIM), sleutel(BSN_B, GEHEIM)
SYSTEEMDATUM = dt.date(2026, 5, 5)


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def periode(begin: str, eind: str) -> Periode:
    return Periode(begindatum=d(begin), einddatum=d(eind))


MAART = periode("2026-03-01", "2026-03-31")
APRIL = periode("2026-04-01", "2026-04-30")
MEI = periode("2026-05-01", "2026-05-31")
UUR_PER_WEEK_4 = Omvang(volume=4, eenheid="04", frequentie="2")


# --------------------------------------------------------------------------- builders

def toewijzing(nummer: int = 1, *, begin="2026-03-01", eind: str | None = "2026-09-30", cat: str | None = "45",
               code: str | None = "45A07", omvang: Omvang | None = UUR_PER_WEEK_4, budget: int | None = None,
               reden: str | None = None, aanbieder=AGB, client=SLEUTEL_A) -> ToewijzingStand:
    return ToewijzingStand(nummer, aanbieder, client, cat, code, d(begin), d(eind) if eind else None, reden, omvang,
                           budget)


def budget_toewijzing(budget: int, nummer: int = 1) -> ToewijzingStand:
    """Generiek: no product, a Budget in cents, Einddatum mandatory (CD075)."""
    return toewijzing(nummer, begin="2026-01-01", eind="2026-12-31", cat=None, code=None, omvang=None, budget=budget)


def prestatie(ref="R1", *, tw=1, cat="45", code="45A07", begin="2026-04-01", eind="2026-04-30", volume=12,
              eenheid="04", tarief: int | None = 9850, bedrag: int | None = None, dc="D",
              vorig: str | None = None) -> Prestatie:
    if eenheid == "83":
        tarief = None
        bedrag = volume if bedrag is None else bedrag
    elif bedrag is None:
        bedrag = volume * tarief
    return Prestatie(referentienummer=ref, vorig_referentienummer=vorig, toewijzingnummer=tw, productcategorie=cat,
                     productcode=code, productperiode=periode(begin, eind), geleverd_volume=volume, eenheid=eenheid,
                     producttarief=tarief, ingediend_bedrag=bedrag, debet_credit=dc)


def euro(ref="R1", bedrag=45000, *, tw=1) -> Prestatie:
    return prestatie(ref, tw=tw, cat="54", code="54B02", volume=bedrag, eenheid="83")


def bericht(*prestaties: Prestatie, clienten: list[tuple[str, list[Prestatie]]] | None = None,
            identificatie="DCL-T-0001", dagtekening="2026-05-04", nummer="D202604T01", declaratieperiode=APRIL,
            ontvanger=CBS, afzender=AGB) -> Declaratiebericht:
    clienten = clienten if clienten is not None else [(BSN_A, list(prestaties))]
    netto = sum(p.signed_bedrag for _bsn, ps in clienten for p in ps)
    return Declaratiebericht(
        domein="jw",
        header=Header(berichtcode="490", berichtversie=3, berichtsubversie=2, afzender=afzender, ontvanger=ontvanger,
                      identificatie=identificatie, dagtekening=d(dagtekening), basisschema_xsd_versie="1.0.0",
                      bericht_xsd_versie="1.0.0"),
        declaratie=Declaratie(declaratienummer=nummer, declaratieperiode=declaratieperiode,
                              declaratiedagtekening=d("2026-05-04"), totaal_ingediend_bedrag=abs(netto),
                              totaal_debet_credit="C" if netto < 0 else "D",
                              clienten=[Client(bsn=bsn, prestaties=ps) for bsn, ps in clienten]))


def contract_voor(p: Prestatie, agb=AGB, cbs=CBS) -> ContractProduct | None:
    gevonden = REGIO.contractproduct(agb, "jw", cbs, p.productcode, p.productperiode.begindatum)
    return gevonden[1] if gevonden else None


_STANDAARD = object()


def regel(p: Prestatie, t=_STANDAARD, *, contract=_STANDAARD, client=SLEUTEL_A,
          b: Declaratiebericht | None = None) -> Regel:
    """One line as `beoordeel` would see it; by default on toewijzing() with the region's contract."""
    return Regel(p, b or bericht(p), client, toewijzing() if t is _STANDAARD else t,
                 contract_voor(p) if contract is _STANDAARD else contract)


def eerder(ref, *, dc="D", ok=True, tw=1, cat="45", code="45A07", begin="2026-03-01", eind="2026-03-31", volume=10,
           eenheid="04", bedrag: int | None = None, vorig=None) -> EerdereRegel:
    bedrag = (volume if eenheid == "83" else volume * 9850) if bedrag is None else bedrag
    return EerdereRegel(ref, dc, ok, tw, cat, code, d(begin), d(eind), volume, eenheid, bedrag, vorig)


def ctx(*eerdere: EerdereRegel, **kw) -> Beoordelingscontext:
    kw.setdefault("systeemdatum", SYSTEEMDATUM)
    return Beoordelingscontext(eerdere={e.referentienummer: e for e in eerdere}, **kw)


def stand(*eerdere: EerdereRegel, gecrediteerd=(), gebruikt=()) -> Stand:
    return Stand.van(ctx(*eerdere, gecrediteerd=frozenset(gecrediteerd), gebruikte_referenties=frozenset(gebruikt)))


def code(rule, r: Regel, s: Stand | None = None) -> str | None:
    reden = rule(r, s if s is not None else stand())
    return reden.retourcode if reden else None


# --------------------------------------------------------------------------- header rules (level 3/4)

@pytest.mark.parametrize("gebruikt, verwacht", [(False, None), (True, "9056")])
def test_tr056_identificatie_used_before(gebruikt, verwacht):
    reden = R.tr056_identificatie_uniek(bericht(prestatie()), ctx(identificatie_gebruikt=gebruikt))
    assert (reden.retourcode if reden else None) == verwacht


@pytest.mark.parametrize("dagtekening, verwacht", [
    ("2026-05-04", None),
    ("2026-05-05", None),  # == system date: passes
    ("2026-05-06", "8848"),  # one day after: fails
])
def test_tr135_dagtekening_not_after_system_date(dagtekening, verwacht):
    reden = R.tr135_dagtekening(bericht(prestatie(), dagtekening=dagtekening), ctx())
    assert (reden.retourcode if reden else None) == verwacht


# A fictitious merger for TR378: "0350 Harmelen" merged into Woerden (0632) on 10 April 2026.
FUSIE = "2026-04-10"
REGIO_FUSIE = Regio.model_validate({
    **REGIO.model_dump(),
    "gemeenten": [{**g.model_dump(), "voorgangers": [{"cbs": "0350", "naam": "Harmelen", "opgeheven_per": FUSIE}]}
                  if g.cbs == CBS else g.model_dump() for g in REGIO.gemeenten]})


@pytest.mark.parametrize("ontvanger, ingangsdatums, verwacht", [
    ("0350", ["2026-04-09"], None),  # allocation started the day before the merger: the old code is still valid
    ("0350", ["2026-04-10"], "S300"),  # allocation starts on the merger date: the old code no longer existed
    ("0350", ["2026-03-01", "2026-04-10"], "S300"),  # one late allocation is enough
    ("0632", ["2026-04-10"], None),  # the successor's own code is always valid
    ("0350", [], None),  # no known allocation: nothing to compare
])
def test_tr378_predecessor_code_only_for_allocations_before_the_merger(ontvanger, ingangsdatums, verwacht):
    lines = [prestatie(f"R{i}", tw=i) for i in range(1, len(ingangsdatums) + 1)] or [prestatie(tw=99)]
    c = ctx(toewijzingen={i: toewijzing(i, begin=b) for i, b in enumerate(ingangsdatums, 1)})
    reden = R.tr378_gemeentecode(bericht(*lines, ontvanger=ontvanger), c, REGIO_FUSIE)
    assert (reden.retourcode if reden else None) == verwacht


def test_region_file_maps_a_predecessor_code_to_its_successor():
    assert REGIO_FUSIE.opgeheven_per("0350") == d(FUSIE)
    assert REGIO_FUSIE.huidige_code("0350") == "0632"
    assert REGIO_FUSIE.opgeheven_per("0632") is None


# --------------------------------------------------------------------------- declaration rules (level 3)

@pytest.mark.parametrize("gebruikt, verwacht", [(False, None), (True, "9333")])
def test_tr333_declaratienummer_used_before(gebruikt, verwacht):
    reden = R.tr333_declaratienummer_uniek(bericht(prestatie()), ctx(declaratienummer_gebruikt=gebruikt))
    assert (reden.retourcode if reden else None) == verwacht


@pytest.mark.parametrize("laatste, declaratieperiode, verwacht", [
    (None, APRIL, None),  # first declaration
    ("2026-04-01", APRIL, None),  # the same period again: a correction (OP284)
    ("2026-03-01", APRIL, None),  # the next month
    ("2026-01-01", APRIL, None),  # later, with a gap (nothing delivered in Feb/Mar)
    ("2026-04-01", MAART, "8214"),  # an earlier month
    ("2026-05-01", APRIL, "8214"),  # one month before the latest period declared
])
def test_tr318_period_not_before_the_latest_period_declared(laatste, declaratieperiode, verwacht):
    b = bericht(prestatie(begin="2026-03-01", eind="2026-03-31"), declaratieperiode=declaratieperiode)
    reden = R.tr318_periode_volgorde(b, ctx(laatste_declaratieperiode=d(laatste) if laatste else None))
    assert (reden.retourcode if reden else None) == verwacht


# --------------------------------------------------------------------------- client rule (level 3)

@pytest.mark.parametrize("t, verwacht", [
    (toewijzing(client=SLEUTEL_A), None),
    (toewijzing(client=SLEUTEL_B), "8187"),  # the allocation belongs to another client
    (None, None),  # no allocation: TR338 reports that, not TR304
])
def test_tr304_client_of_the_allocation(t, verwacht):
    assert code(R.tr304_client_van_toewijzing, regel(prestatie(), t, client=SLEUTEL_A)) == verwacht


def test_tr304_reason_never_contains_the_bsn_or_its_pseudonym():
    reden = R.tr304_client_van_toewijzing(regel(prestatie(), toewijzing(client=SLEUTEL_B)), stand())
    tekst = reden.tekst()
    assert "TR304" in tekst and "8187" in tekst and "Client/Bsn" in tekst
    for geheim in (BSN_A, BSN_B, SLEUTEL_A, SLEUTEL_B):
        assert geheim not in tekst and geheim not in repr(reden)


# --------------------------------------------------------------------------- credit rules (level 3)

@pytest.mark.parametrize("gebruikt, verwacht", [((), None), (("R2",), None), (("R1",), "8021")])
def test_tr314_reference_number_used_before(gebruikt, verwacht):
    assert code(R.tr314_referentie_uniek, regel(prestatie("R1")), stand(gebruikt=gebruikt)) == verwacht


CREDIT = prestatie("C1", begin="2026-03-01", eind="2026-03-31", volume=10, dc="C", vorig="M1")


@pytest.mark.parametrize("eerdere, verwacht", [
    ([eerder("M1")], None),  # an earlier approved debit
    ([], "8017"),  # unknown number
    ([eerder("M2")], "8017"),  # another number
    ([eerder("M1", ok=False)], "8017"),  # the debit was rejected: rejected lines are never credited
    ([eerder("M1", dc="C", vorig="M0")], "8017"),  # a credit cannot be credited
])
def test_tr323_credit_refers_to_an_earlier_approved_debit(eerdere, verwacht):
    assert code(R.tr323_credit_verwijst_naar_debet, regel(CREDIT), stand(*eerdere)) == verwacht


@pytest.mark.parametrize("gecrediteerd, verwacht", [((), None), (("M9",), None), (("M1",), "9390")])
def test_tr390_debit_not_credited_before(gecrediteerd, verwacht):
    s = stand(eerder("M1"), gecrediteerd=gecrediteerd)
    assert code(R.tr390_niet_al_gecrediteerd, regel(CREDIT), s) == verwacht


# --------------------------------------------------------------------------- allocation rules (level 3)

@pytest.mark.parametrize("t, verwacht", [
    (toewijzing(), None),
    (None, "9338"),  # unknown allocation number
    (toewijzing(aanbieder=ANDERE_AGB), "9338"),  # the allocation was issued to another provider
])
def test_tr338_allocation_exists_for_this_provider(t, verwacht):
    assert code(R.tr338_toewijzing_bestaat, regel(prestatie(), t)) == verwacht


@pytest.mark.parametrize("reden, verwacht", [(None, None), ("01", None), ("13", "9384")])
def test_tr384_allocation_not_deleted(reden, verwacht):
    assert code(R.tr384_niet_verwijderd, regel(prestatie(), toewijzing(reden=reden))) == verwacht


@pytest.mark.parametrize("t, cat, verwacht", [
    (toewijzing(cat="45"), "45", None),
    (toewijzing(cat="45"), "43", "9339"),
    (budget_toewijzing(500000), "43", None),  # generiek: no category allocated
])
def test_tr339_category_equals_the_allocated_category(t, cat, verwacht):
    assert code(R.tr339_categorie, regel(prestatie(cat=cat), t)) == verwacht


@pytest.mark.parametrize("t, productcode, verwacht", [
    (toewijzing(code="45A07"), "45A07", None),
    (toewijzing(code="45A07"), "45A10", "9340"),
    (toewijzing(code=None, omvang=None), "45A10", None),  # aspecifiek: only the category was allocated
])
def test_tr340_code_equals_the_allocated_code(t, productcode, verwacht):
    assert code(R.tr340_productcode, regel(prestatie(code=productcode), t)) == verwacht


@pytest.mark.parametrize("toegewezen, gedeclareerd, verwacht, verwacht_tekst", [
    ("04", "04", None, None),
    ("04", "01", None, None),  # minutes against hours are allowed
    ("04", "14", "9341", "04 or 01"),
    ("01", "04", "9341", "01"),  # hours against minutes are not
    ("14", "14", None, None),
])
def test_tr341_unit_fits_the_allocation(toegewezen, gedeclareerd, verwacht, verwacht_tekst):
    t = toewijzing(omvang=Omvang(volume=4, eenheid=toegewezen, frequentie="2"))
    reden = R.tr341_eenheid(regel(prestatie(eenheid=gedeclareerd), t), stand())
    assert (reden.retourcode if reden else None) == verwacht
    if reden:
        assert (reden.gevonden, reden.verwacht) == (gedeclareerd, verwacht_tekst)


@pytest.mark.parametrize("contract, gedeclareerd, verwacht", [
    ("45A07", "01", None),  # without Omvang the contracted unit (04, hours) counts
    ("45A07", "14", "9341"),
    (None, "14", None),  # no contract product either: TR381 reports that
])
def test_tr341_budget_allocation_uses_the_contracted_unit(contract, gedeclareerd, verwacht):
    p = prestatie(eenheid=gedeclareerd)
    cp = contract_voor(prestatie(code=contract)) if contract else None
    assert code(R.tr341_eenheid, regel(p, budget_toewijzing(500000), contract=cp)) == verwacht


@pytest.mark.parametrize("ingang, begin, verwacht", [
    ("2026-04-01", "2026-04-01", None),  # begin == Ingangsdatum
    ("2026-04-02", "2026-04-01", "9307"),  # one day earlier
    ("2026-04-10", "2026-04-10", None),
    ("2026-04-10", "2026-04-09", "9307"),
])
def test_tr307_period_begins_on_or_after_the_allocation(ingang, begin, verwacht):
    assert code(R.tr307_na_ingangsdatum, regel(prestatie(begin=begin), toewijzing(begin=ingang))) == verwacht


@pytest.mark.parametrize("einde, eind, verwacht", [
    ("2026-04-30", "2026-04-30", None),  # eind == Einddatum
    ("2026-04-29", "2026-04-30", "9308"),  # one day later
    ("2026-04-15", "2026-04-15", None),
    ("2026-04-15", "2026-04-16", "9308"),
    (None, "2026-04-30", None),  # open-ended allocation
])
def test_tr308_period_ends_on_or_before_the_allocation(einde, eind, verwacht):
    t = toewijzing(eind=einde, omvang=Omvang(volume=10, eenheid="04", frequentie="4"))
    assert code(R.tr308_voor_einddatum, regel(prestatie(eind=eind), t)) == verwacht


@pytest.mark.parametrize("ingang, begin, verwacht", [
    ("2026-03-01", "2026-04-01", None),  # the 1st
    ("2026-03-01", "2026-04-02", "2026-04-01"),
    ("2026-04-10", "2026-04-10", None),  # the allocation starts later in the month: its start
    ("2026-04-10", "2026-04-11", "2026-04-10"),
    ("2026-04-10", "2026-04-01", "2026-04-10"),  # (TR307 reports this one as well)
    ("2026-04-30", "2026-04-30", None),  # starts on the month's last day
    ("2026-04-30", "2026-04-01", "2026-04-30"),
    ("2026-05-01", "2026-04-01", None),  # allocation starts after this month: left to TR307
])
def test_tr387_period_begins_on_the_first_or_the_allocation_start(ingang, begin, verwacht):
    reden = R.tr387_begin_van_maand(regel(prestatie(begin=begin), toewijzing(begin=ingang)), stand())
    assert (reden.verwacht if reden else None) == verwacht
    if reden:
        assert reden.retourcode == "9387"


@pytest.mark.parametrize("einde, eind, verwacht", [
    (None, "2026-04-30", None),  # the month's last day
    (None, "2026-04-29", "2026-04-30"),
    ("2026-09-30", "2026-04-29", "2026-04-30"),
    ("2026-04-20", "2026-04-20", None),  # the allocation ends earlier in the month: its end
    ("2026-04-20", "2026-04-19", "2026-04-20"),
    ("2026-04-20", "2026-04-30", "2026-04-20"),  # (TR308 reports this one as well)
    ("2026-04-01", "2026-04-01", None),  # ends on the month's first day
    ("2026-04-01", "2026-04-30", "2026-04-01"),
    ("2026-03-31", "2026-04-30", None),  # allocation ended before this month: left to TR308
])
def test_tr388_period_ends_on_the_last_day_or_the_allocation_end(einde, eind, verwacht):
    t = toewijzing(eind=einde, omvang=Omvang(volume=10, eenheid="04", frequentie="4"))
    reden = R.tr388_eind_van_maand(regel(prestatie(eind=eind), t), stand())
    assert (reden.verwacht if reden else None) == verwacht
    if reden:
        assert reden.retourcode == "9388"


@pytest.mark.parametrize("begin, eind, verwacht", [
    ("2026-03-01", "2026-03-31", None),  # an earlier month
    ("2026-04-01", "2026-04-30", None),  # ends on the declaration period's last day
    ("2026-05-01", "2026-05-01", "9319"),  # one day later: a future month
])
def test_tr319_product_period_not_after_the_declaration_period(begin, eind, verwacht):
    p = prestatie(begin=begin, eind=eind)
    assert code(R.tr319_niet_in_de_toekomst, regel(p, b=bericht(p, declaratieperiode=APRIL))) == verwacht


# TR321: maximum per product period, worked out by hand (see the calendar facts in the module docstring).
_W4 = UUR_PER_WEEK_4


@pytest.mark.parametrize("omvang, ingang, einde, begin, eind, eenheid, volume, verwacht", [
    # 4 h/week, inspanningsgericht: April overlaps 5 ISO weeks → 20 h
    (_W4, "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "04", 20, None),
    (_W4, "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "04", 21, "9321"),
    # minutes against hours: 20 h = 1200 minutes
    (_W4, "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "01", 1200, None),
    (_W4, "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "01", 1201, "9321"),
    # August overlaps 6 ISO weeks → 24 h
    (_W4, "2026-03-01", "2026-09-30", "2026-08-01", "2026-08-31", "04", 24, None),
    (_W4, "2026-03-01", "2026-09-30", "2026-08-01", "2026-08-31", "04", 25, "9321"),
    # allocation starts Fri 10 April: 10–30 April overlaps 4 weeks → 16 h
    (_W4, "2026-04-10", "2026-09-30", "2026-04-10", "2026-04-30", "04", 16, None),
    (_W4, "2026-04-10", "2026-09-30", "2026-04-10", "2026-04-30", "04", 17, "9321"),
    # allocation ends Wed 15 April: 1–15 April overlaps 3 weeks → 12 h
    (_W4, "2026-03-01", "2026-04-15", "2026-04-01", "2026-04-15", "04", 12, None),
    (_W4, "2026-03-01", "2026-04-15", "2026-04-01", "2026-04-15", "04", 13, "9321"),
    # product period outside the allocation: maximum 0
    (_W4, "2026-03-01", "2026-03-31", "2026-04-01", "2026-04-30", "04", 1, "9321"),
    # 10 h per month: the full monthly volume, also for a partial first month
    (Omvang(volume=10, eenheid="04", frequentie="4"), "2026-03-01", None, "2026-04-01", "2026-04-30", "04", 10, None),
    (Omvang(volume=10, eenheid="04", frequentie="4"), "2026-03-01", None, "2026-04-01", "2026-04-30", "04", 11,
     "9321"),
    (Omvang(volume=10, eenheid="04", frequentie="4"), "2026-04-10", None, "2026-04-10", "2026-04-30", "04", 10, None),
    (Omvang(volume=10, eenheid="04", frequentie="4"), "2026-04-10", None, "2026-04-10", "2026-04-30", "04", 11,
     "9321"),
    # 2 h per day: April has 30 days → 60; 10–30 April is 21 days → 42
    (Omvang(volume=2, eenheid="04", frequentie="1"), "2026-03-01", None, "2026-04-01", "2026-04-30", "04", 60, None),
    (Omvang(volume=2, eenheid="04", frequentie="1"), "2026-03-01", None, "2026-04-01", "2026-04-30", "04", 61,
     "9321"),
    (Omvang(volume=2, eenheid="04", frequentie="1"), "2026-04-10", None, "2026-04-10", "2026-04-30", "04", 42, None),
    (Omvang(volume=2, eenheid="04", frequentie="1"), "2026-04-10", None, "2026-04-10", "2026-04-30", "04", 43,
     "9321"),
    # Frequentie 6 (total): no per-period maximum, only TR322
    (Omvang(volume=30, eenheid="04", frequentie="6"), "2026-01-01", None, "2026-04-01", "2026-04-30", "04", 1000,
     None),
    # outputgericht (Eenheid 82), 1 per week: April has 4 Sundays → 4
    (Omvang(volume=1, eenheid="82", frequentie="2"), "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "82", 4,
     None),
    (Omvang(volume=1, eenheid="82", frequentie="2"), "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "82", 5,
     "9321"),
    # … September has 4 Sundays and the allocation's last Sunday (27th) while it ends on a Wednesday → 4 + 1 = 5
    (Omvang(volume=1, eenheid="82", frequentie="2"), "2026-03-01", "2026-09-30", "2026-09-01", "2026-09-30", "82", 5,
     None),
    (Omvang(volume=1, eenheid="82", frequentie="2"), "2026-03-01", "2026-09-30", "2026-09-01", "2026-09-30", "82", 6,
     "9321"),
    # the same 1 per week in hours is inspanningsgericht: 5 ISO weeks → 5 passes
    (Omvang(volume=1, eenheid="04", frequentie="2"), "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "04", 5,
     None),
    # a unit that does not fit is TR341's business, not TR321's
    (_W4, "2026-03-01", "2026-09-30", "2026-04-01", "2026-04-30", "14", 1000, None),
])
def test_tr321_volume_per_product_period(omvang, ingang, einde, begin, eind, eenheid, volume, verwacht):
    t = toewijzing(begin=ingang, eind=einde, omvang=omvang)
    p = prestatie(begin=begin, eind=eind, eenheid=eenheid, volume=volume)
    assert code(R.tr321_volume_per_periode, regel(p, t, contract=None)) == verwacht


def test_tr321_budget_allocation_has_no_volume_maximum():
    p = prestatie(volume=1000)
    assert code(R.tr321_volume_per_periode, regel(p, budget_toewijzing(500000))) is None


# TR322: allocation 4 h/week, 1 March – 30 April 2026: 10 ISO weeks → 40 h in total.
TW_322 = toewijzing(begin="2026-03-01", eind="2026-04-30")
MAART_24 = eerder("M1", volume=24)
MAART_22 = eerder("M2", volume=22)


@pytest.mark.parametrize("eerdere, gecrediteerd, eenheid, volume, verwacht", [
    ([], (), "04", 20, None),  # nothing declared yet (20 is April's TR321 maximum)
    ([MAART_24], (), "04", 16, None),  # 24 + 16 = 40
    ([MAART_24], (), "04", 17, "9322"),  # 24 + 17 = 41
    ([MAART_24], (), "01", 960, None),  # minutes: 960 min = 16 h
    ([MAART_24], (), "01", 961, "9322"),
    ([eerder("M1", volume=1440, eenheid="01")], (), "04", 16, None),  # earlier minutes count as hours
    ([eerder("M1", volume=1440, eenheid="01")], (), "04", 17, "9322"),
    # credited debits do not count: 22 + 18 = 40 (24 + 22 + 18 would not fit)
    ([MAART_24, eerder("C1", dc="C", volume=24, vorig="M1"), MAART_22], ("M1",), "04", 18, None),
    ([MAART_24, eerder("C1", dc="C", volume=24, vorig="M1"), MAART_22], ("M1",), "04", 19, "9322"),
    # rejected debits do not count
    ([eerder("M1", volume=24, ok=False), MAART_22], (), "04", 18, None),
    ([eerder("M1", volume=24, ok=False), MAART_22], (), "04", 19, "9322"),
    # debits on another allocation do not count
    ([eerder("M1", volume=24, tw=2), MAART_22], (), "04", 18, None),
    ([eerder("M1", volume=24, tw=2), MAART_22], (), "04", 19, "9322"),
])
def test_tr322_cumulative_volume(eerdere, gecrediteerd, eenheid, volume, verwacht):
    p = prestatie(eenheid=eenheid, volume=volume)
    s = stand(*eerdere, gecrediteerd=gecrediteerd)
    assert code(R.tr322_volume_totaal, regel(p, TW_322), s) == verwacht


@pytest.mark.parametrize("volume, verwacht", [(10, None), (11, "9322")])
def test_tr322_total_frequency_counts_against_the_volume(volume, verwacht):
    # Frequentie 6, 30 h in total, open-ended; 20 h declared in March → 10 left.
    t = toewijzing(begin="2026-01-01", eind=None, omvang=Omvang(volume=30, eenheid="04", frequentie="6"))
    s = stand(eerder("M1", volume=20))
    assert code(R.tr322_volume_totaal, regel(prestatie(volume=volume), t), s) == verwacht


# TR369 (decision: amounts in cents): Budget 5000.00; 4000.00 + 550.00 already declared → 450.00 left.
E_400000 = eerder("E1", cat="54", code="54B02", volume=400000, eenheid="83")
E_55000 = eerder("E2", cat="54", code="54B02", volume=55000, eenheid="83")


@pytest.mark.parametrize("eerdere, gecrediteerd, bedrag, verwacht", [
    ([], (), 500000, None),
    ([], (), 500001, "9369"),
    ([E_400000, E_55000], (), 45000, None),  # exactly at the budget
    ([E_400000, E_55000], (), 45001, "9369"),  # one cent over
    ([E_400000, E_55000], ("E2",), 100000, None),  # a credited debit frees its amount
    ([E_400000, E_55000], ("E2",), 100001, "9369"),
    ([E_400000, eerder("E2", cat="54", code="54B02", volume=55000, eenheid="83", ok=False)], (), 100000, None),
])
def test_tr369_budget_in_cents(eerdere, gecrediteerd, bedrag, verwacht):
    s = stand(*eerdere, gecrediteerd=gecrediteerd)
    assert code(R.tr369_budget, regel(euro(bedrag=bedrag), budget_toewijzing(500000)), s) == verwacht


@pytest.mark.parametrize("budget, verwacht", [(98500, None), (98499, "9369")])
def test_tr369_compares_amounts_not_volumes(budget, verwacht):
    # 10 h × 98.50 = 985.00: the amount decides, not the volume (10 would fit any budget).
    p = prestatie(volume=10, bedrag=98500)
    assert code(R.tr369_budget, regel(p, budget_toewijzing(budget))) == verwacht


def test_tr369_without_budget_is_silent():
    assert code(R.tr369_budget, regel(prestatie(volume=20), toewijzing())) is None


# TR389: earlier approved debit M1 on allocation 1, March, 45/45A07.
@pytest.mark.parametrize("eerdere, gecrediteerd, p, verwacht", [
    ([eerder("M1")], (), prestatie("M9", begin="2026-03-01", eind="2026-03-31"), "9389"),  # same key
    ([eerder("M1")], ("M1",), prestatie("M9", begin="2026-03-01", eind="2026-03-31"), None),  # credited first
    ([eerder("M1", ok=False)], (), prestatie("M9", begin="2026-03-01", eind="2026-03-31"), None),  # was rejected
    ([eerder("M1")], (), prestatie("M9"), None),  # another period (April)
    ([eerder("M1")], (), prestatie("M9", begin="2026-03-10", eind="2026-03-31"), None),  # another period
    ([eerder("M1")], (), prestatie("M9", code="45A10", begin="2026-03-01", eind="2026-03-31"), None),  # other code
    ([eerder("M1")], (), prestatie("M9", tw=2, begin="2026-03-01", eind="2026-03-31"), None),  # other allocation
])
def test_tr389_one_active_debit_per_key(eerdere, gecrediteerd, p, verwacht):
    assert code(R.tr389_een_actieve_debet, regel(p), stand(*eerdere, gecrediteerd=gecrediteerd)) == verwacht


# --------------------------------------------------------------------------- contract rules (level 4)

@pytest.mark.parametrize("p, veld, verwacht", [
    (prestatie(cat="45", code="45A07"), None, None),
    (prestatie(cat="45", code="99Z99"), "ProductCode", "S329"),  # not in the contract
    (prestatie(cat="43", code="45A07"), "ProductCategorie", "S329"),  # in the contract, under category 45
])
def test_tr381_product_in_contract(p, veld, verwacht):
    reden = R.tr381_product_in_contract(regel(p), stand())
    assert (reden.retourcode if reden else None, reden.veld if reden else None) == (verwacht, veld)


@pytest.mark.parametrize("begin, eind, verwacht", [
    ("2025-01-01", "2025-01-31", None),  # the contract is valid from 1 January 2025
    ("2024-12-01", "2024-12-31", "S329"),  # one month earlier: no contract
])
def test_tr381_contract_valid_on_the_product_period(begin, eind, verwacht):
    assert code(R.tr381_product_in_contract, regel(prestatie(begin=begin, eind=eind))) == verwacht


def _uurcontract(cent: int) -> ContractProduct:
    return ContractProduct(categorie="45", code="45A07", eenheid="04",
                           tarieven=[Tarief(van=d("2025-01-01"), cent=cent)])


@pytest.mark.parametrize("p, contract, verwacht", [
    (prestatie(tarief=9850), _STANDAARD, None),
    (prestatie(tarief=9849), _STANDAARD, "9850"),
    (prestatie(tarief=9851), _STANDAARD, "9850"),
    # the tariff valid on the product period: 9600 in 2025, 9850 from 1 January 2026
    (prestatie(tarief=9600, begin="2025-12-01", eind="2025-12-31"), _STANDAARD, None),
    (prestatie(tarief=9850, begin="2025-12-01", eind="2025-12-31"), _STANDAARD, "9600"),
    (prestatie(tarief=9850, begin="2026-01-01", eind="2026-01-31"), _STANDAARD, None),
    # minutes against an hour tariff: 9850 / 60 = 164.17 → 164
    (prestatie(eenheid="01", volume=95, tarief=164, bedrag=15596), _STANDAARD, None),
    (prestatie(eenheid="01", volume=95, tarief=165, bedrag=15596), _STANDAARD, "164"),
    # half up: 9870 / 60 = 164.5 → 165; 9869 / 60 = 164.48 → 164
    (prestatie(eenheid="01", volume=95, tarief=165), _uurcontract(9870), None),
    (prestatie(eenheid="01", volume=95, tarief=164), _uurcontract(9870), "165"),
    (prestatie(eenheid="01", volume=95, tarief=164), _uurcontract(9869), None),
    # euro lines have no tariff
    (euro(), _STANDAARD, None),
])
def test_tr418_tariff_equals_the_contract_tariff(p, contract, verwacht):
    reden = R.tr418_tarief(regel(p, contract=contract), stand())
    assert (reden.verwacht if reden else None) == verwacht
    if reden:
        assert reden.retourcode == "0611"


def test_tr418_minutes_against_a_minute_contract_are_not_divided():
    # GGZ Jeugd Utrecht West: 54A01 in minutes at 1.95 per minute.
    cp = contract_voor(prestatie(code="54A01"), agb="45678901")
    assert cp is not None and cp.eenheid == "01"
    ok = prestatie(cat="54", code="54A01", eenheid="01", volume=60, tarief=195)
    gedeeld = prestatie(cat="54", code="54A01", eenheid="01", volume=60, tarief=3)  # 195 / 60 = 3.25 → 3
    assert code(R.tr418_tarief, regel(ok, contract=cp)) is None
    assert code(R.tr418_tarief, regel(gedeeld, contract=cp)) == "0611"


@pytest.mark.parametrize("p, verwacht", [
    (prestatie(volume=12, tarief=9850, bedrag=118200), None),  # 12 × 98.50
    (prestatie(volume=12, tarief=9850, bedrag=118199), "118200"),
    (prestatie(volume=12, tarief=9850, bedrag=118201), "118200"),
    # the line's own ProductTarief counts (TR418 judges the tariff): 12 × 98.51 = 1182.12
    (prestatie(volume=12, tarief=9851, bedrag=118212), None),
    # minutes: round(9850 × 95 / 60) = round(15595.83) = 15596, not 164 × 95 = 15580
    (prestatie(eenheid="01", volume=95, tarief=164, bedrag=15596), None),
    (prestatie(eenheid="01", volume=95, tarief=164, bedrag=15580), "15596"),
    (prestatie(eenheid="01", volume=95, tarief=164, bedrag=15597), "15596"),
    # half up: 9850 × 3 / 60 = 492.5 → 493
    (prestatie(eenheid="01", volume=3, tarief=164, bedrag=493), None),
    (prestatie(eenheid="01", volume=3, tarief=164, bedrag=492), "493"),
    (euro(bedrag=45000), None),
])
def test_tr346_amount_is_volume_times_tariff(p, verwacht):
    reden = R.tr346_bedrag(regel(p), stand())
    assert (reden.verwacht if reden else None) == verwacht
    if reden:
        assert reden.retourcode == "9346"


# --------------------------------------------------------------------------- readable reasons

@pytest.mark.parametrize("reden, regelid, retourcode, veld, gevonden, verwacht", [
    (lambda: R.tr135_dagtekening(bericht(prestatie(), dagtekening="2026-05-06"), ctx()),
     "TR135", "8848", "Header/BerichtIdentificatie/Dagtekening", "2026-05-06", "2026-05-05"),
    (lambda: R.tr318_periode_volgorde(bericht(prestatie()), ctx(laatste_declaratieperiode=d("2026-05-01"))),
     "TR318", "8214", "Declaratie/DeclaratiePeriode/Begindatum", "2026-04-01", "2026-05-01"),
    (lambda: R.tr307_na_ingangsdatum(regel(prestatie(), toewijzing(begin="2026-04-02")), stand()),
     "TR307", "9307", "ProductPeriode/Begindatum", "2026-04-01", "2026-04-02"),
    (lambda: R.tr321_volume_per_periode(regel(prestatie(volume=21)), stand()),
     "TR321", "9321", "GeleverdVolume", "21", "20"),
    (lambda: R.tr322_volume_totaal(regel(prestatie(volume=17), TW_322), stand(MAART_24)),
     "TR322", "9322", "GeleverdVolume", "17", "16"),
    (lambda: R.tr369_budget(regel(euro(bedrag=45001), budget_toewijzing(500000)), stand(E_400000, E_55000)),
     "TR369", "9369", "IngediendBedrag", "45001", "45000"),
    (lambda: R.tr418_tarief(regel(prestatie(tarief=9851)), stand()),
     "TR418", "0611", "ProductTarief", "9851", "9850"),
    (lambda: R.tr346_bedrag(regel(prestatie(eenheid="01", volume=95, tarief=164, bedrag=15580)), stand()),
     "TR346", "9346", "IngediendBedrag", "15580", "15596"),
    (lambda: R.tr323_credit_verwijst_naar_debet(regel(CREDIT), stand()),
     "TR323", "8017", "ProductReferentie/VorigReferentieNummer", "M1", "debit"),
])
def test_reason_text_names_rule_field_found_and_expected(reden, regelid, retourcode, veld, gevonden, verwacht):
    tekst = reden().tekst()
    for deel in (regelid, retourcode, veld, f"found {gevonden}", f"gevonden {gevonden}", verwacht):
        assert deel in tekst, (deel, tekst)


# --------------------------------------------------------------------------- placement through beoordeel (§6.2)

VOORBEELD = parse_323((FIXTURES / "jw323-voorbeeld.xml")
                      .read_bytes())
P1, P2, P3, P4, P5 = (f"P2026050400000{i}" for i in range(1, 6))
E17 = EerdereRegel("P20260403000017", "D", True, 400200, "45", "45A07", d("2026-03-01"), d("2026-03-31"), 10, "04",
                   98500)


def voorbeeld_toewijzingen(**wijzigingen) -> dict[int, ToewijzingStand]:
    tw = {
        400123: toewijzing(400123, begin="2026-04-01", eind="2026-09-30", client=SLEUTEL_A),
        400124: toewijzing(400124, begin="2026-04-10", eind="2026-12-31", cat="43", code="43A01",
                           omvang=Omvang(volume=7, eenheid="14", frequentie="2"), client=SLEUTEL_A),
        400200: toewijzing(400200, begin="2026-01-01", eind="2026-12-31", client=SLEUTEL_B,
                           omvang=Omvang(volume=3, eenheid="04", frequentie="2")),
        400201: toewijzing(400201, begin="2026-01-01", eind="2026-12-31", cat="54", code=None, omvang=None,
                           budget=500000, client=SLEUTEL_B),
    }
    for nummer, w in wijzigingen.items():
        n = int(nummer.removeprefix("t"))
        if w is None:
            del tw[n]
        else:
            tw[n] = dataclasses.replace(tw[n], **w)
    return tw


def voorbeeld_ctx(toewijzingen=None, **kw) -> Beoordelingscontext:
    kw.setdefault("eerdere", {E17.referentienummer: E17})
    kw.setdefault("laatste_declaratieperiode", d("2026-03-01"))
    return Beoordelingscontext(systeemdatum=SYSTEEMDATUM, toewijzingen=toewijzingen or voorbeeld_toewijzingen(),
                               **kw)


def herbouw(b: Declaratiebericht, clienten: list[tuple[str, list[Prestatie]]]) -> Declaratiebericht:
    """The same message with other clients/lines and a matching total (TR358)."""
    netto = sum(p.signed_bedrag for _bsn, ps in clienten for p in ps)
    decl = b.declaratie.model_copy(update={
        "clienten": [Client(bsn=bsn, prestaties=ps) for bsn, ps in clienten],
        "totaal_ingediend_bedrag": abs(netto), "totaal_debet_credit": "C" if netto < 0 else "D"})
    return b.model_copy(update={"declaratie": decl})


def lijn(ref: str) -> Prestatie:
    return next(p for _c, p in VOORBEELD.prestaties() if p.referentienummer == ref)


def codes(v: Beoordeling) -> dict[str, list[str]]:
    return {o.referentienummer: o.retourcodes for o in v.oordelen}


def alle_redenen(v: Beoordeling) -> list[str]:
    return [*v.header_redenen, *v.declaratie_redenen, *(x for o in v.oordelen for x in o.redenen)]


def test_example_gives_the_standards_verdict():
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(), GEHEIM)
    assert (v.header_retourcodes, v.declaratie_retourcodes, v.client_retourcodes) == (["0200"], [], {})
    assert codes(v) == {P1: [], P2: ["0611"], P3: [], P4: [], P5: []}
    # approved: −985.00 + 1182.00 + 788.00 + 450.00 = 1435.00 D
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (143500, "D")
    # every line is recorded, credits first (OP366), with its verdict
    assert [(x.referentienummer, x.goedgekeurd) for x in v.vast_te_leggen] == [
        (P3, True), (P1, True), (P2, False), (P4, True), (P5, True)]
    assert v.verwerkt


@pytest.mark.parametrize("wijziging, verwacht", [
    ({"identificatie_gebruikt": True}, ["9056"]),
    ({"systeemdatum": d("2026-05-03")}, ["8848"]),  # Dagtekening 2026-05-04 is after it
    ({"identificatie_gebruikt": True, "systeemdatum": d("2026-05-03")}, ["9056", "8848"]),
    # a header code stops the message before the declaration rules
    ({"identificatie_gebruikt": True, "declaratienummer_gebruikt": True}, ["9056"]),
])
def test_header_code_stops_the_whole_message(wijziging, verwacht):
    v = beoordeel(VOORBEELD, REGIO, dataclasses.replace(voorbeeld_ctx(), **wijziging), GEHEIM)
    assert v.header_retourcodes == verwacht
    assert (v.declaratie_retourcodes, v.client_retourcodes, v.oordelen) == ([], {}, [])
    assert (v.totaal_toegekend_bedrag, v.goedgekeurd, v.vast_te_leggen) == (0, [], [])
    assert not v.verwerkt
    assert len(v.header_redenen) == len(verwacht)


@pytest.mark.parametrize("wijziging, verwacht", [
    ({"declaratienummer_gebruikt": True}, ["9333"]),
    ({"laatste_declaratieperiode": d("2026-05-01")}, ["8214"]),
    ({"declaratienummer_gebruikt": True, "laatste_declaratieperiode": d("2026-05-01")}, ["9333", "8214"]),
])
def test_declaration_code_rejects_the_declaration_with_total_zero(wijziging, verwacht):
    v = beoordeel(VOORBEELD, REGIO, dataclasses.replace(voorbeeld_ctx(), **wijziging), GEHEIM)
    assert (v.header_retourcodes, v.declaratie_retourcodes) == (["0200"], verwacht)
    assert (v.client_retourcodes, v.oordelen, v.goedgekeurd, v.vast_te_leggen) == ({}, [], [], [])
    assert v.totaal_toegekend_bedrag == 0
    assert not v.verwerkt
    assert len(v.declaratie_redenen) == len(verwacht)


def test_same_declaration_period_again_is_processed():
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(laatste_declaratieperiode=d("2026-04-01")), GEHEIM)
    assert (v.header_retourcodes, v.declaratie_retourcodes, v.totaal_toegekend_bedrag) == (["0200"], [], 143500)


def _fusiebericht(ingang: str) -> tuple[Declaratiebericht, Beoordelingscontext]:
    # 4 h/week from `ingang` (a Thu/Fri in April): 4 ISO weeks up to 30 April → 16 h; 12 h declared.
    p = prestatie(begin=ingang, eind="2026-04-30", volume=12)
    c = ctx(toewijzingen={1: toewijzing(begin=ingang)})
    return bericht(p, ontvanger="0350"), c


def test_tr378_predecessor_code_before_the_merger_is_processed_under_the_successors_contract():
    b, c = _fusiebericht("2026-04-09")
    v = beoordeel(b, REGIO_FUSIE, c, GEHEIM)
    assert (v.header_retourcodes, codes(v), v.totaal_toegekend_bedrag) == (["0200"], {"R1": []}, 118200)


def test_tr378_predecessor_code_on_the_merger_date_rejects_the_header():
    b, c = _fusiebericht(FUSIE)
    v = beoordeel(b, REGIO_FUSIE, c, GEHEIM)
    assert v.header_retourcodes == ["S300"]
    assert (v.declaratie_retourcodes, v.oordelen, v.vast_te_leggen, v.totaal_toegekend_bedrag) == ([], [], [], 0)
    assert "TR378" in v.header_redenen[0]


def test_client_code_rejects_all_lines_of_that_client_only():
    # Allocation 400123 belongs to client B, but client A declares on it.
    tw = voorbeeld_toewijzingen(t400123={"client_sleutel": SLEUTEL_B})
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert v.header_retourcodes == ["0200"] and v.declaratie_retourcodes == []
    assert v.client_retourcodes == {BSN_A: ["8187"]}
    # both lines of client A (also P2, whose own allocation is fine) come back as "not assessed"
    assert codes(v) == {P1: ["0233"], P2: ["0233"], P3: [], P4: [], P5: []}
    # client B as usual: −985.00 + 788.00 + 450.00 = 253.00 D
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (25300, "D")
    assert {x.referentienummer: x.goedgekeurd for x in v.vast_te_leggen} == {
        P1: False, P2: False, P3: True, P4: True, P5: True}
    redenen = alle_redenen(v)
    assert any("TR304" in x for x in redenen)
    assert not any(BSN_A in x or BSN_B in x or SLEUTEL_A in x or SLEUTEL_B in x for x in redenen)


def test_client_code_is_given_once_even_when_several_lines_fail_it():
    tw = voorbeeld_toewijzingen(t400123={"client_sleutel": SLEUTEL_B}, t400124={"client_sleutel": SLEUTEL_B})
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert v.client_retourcodes == {BSN_A: ["8187"]}
    assert codes(v)[P1] == codes(v)[P2] == ["0233"]


def test_client_code_covers_that_clients_credit_lines_as_well():
    # §6.2: "all its lines echoed with 0233" – including the credit P3 (see the report: IV085 tension).
    tw = voorbeeld_toewijzingen(t400200={"client_sleutel": SLEUTEL_A})
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert v.client_retourcodes == {BSN_B: ["8187"]}
    assert codes(v) == {P1: [], P2: ["0611"], P3: ["0233"], P4: ["0233"], P5: ["0233"]}
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (118200, "D")


def test_credit_is_not_judged_on_the_client_of_its_allocation():
    # TR304 applies to debits only: allocation 400200 now names client A, but client B only credits on it.
    tw = voorbeeld_toewijzingen(t400200={"client_sleutel": SLEUTEL_A})
    b = herbouw(VOORBEELD, [(BSN_A, [lijn(P1), lijn(P2)]), (BSN_B, [lijn(P3), lijn(P5)])])
    v = beoordeel(b, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert v.client_retourcodes == {}
    assert codes(v) == {P1: [], P2: ["0611"], P3: [], P5: []}
    assert v.totaal_toegekend_bedrag == 118200 + 45000 - 98500


def test_credit_of_a_line_whose_allocation_was_deleted_meanwhile_is_approved():
    # 400200 deleted (RedenWijziging 13, Einddatum = Ingangsdatum = 1 Jan, CS335). The credit P3 passes (IV085);
    # the debit P4 (March) gets 9384, 9308 (ends after 1 Jan), 9321 (no overlap → max 0) and 9322 (total:
    # 3 h × 1 ISO week = 3 < 8; the credited March debit no longer counts).
    tw = voorbeeld_toewijzingen(t400200={"reden_wijziging": "13", "einddatum": d("2026-01-01")})
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert codes(v) == {P1: [], P2: ["0611"], P3: [], P4: ["9384", "9308", "9321", "9322"], P5: []}
    # −985.00 + 1182.00 + 450.00 = 647.00 D
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (64700, "D")


def test_credit_of_a_line_whose_allocation_is_gone_is_approved():
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(voorbeeld_toewijzingen(t400200=None)), GEHEIM)
    # Only TR338 speaks for P4: without an allocation the other allocation rules stay silent.
    assert codes(v) == {P1: [], P2: ["0611"], P3: [], P4: ["9338"], P5: []}
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (64700, "D")


def test_credit_is_not_judged_on_allocation_or_contract():
    # A credit copy with another category, an uncontracted code and a wrong tariff is still approved (IV085).
    credit = dataclasses.replace(lijn(P3), productcategorie="43", productcode="99Z99", producttarief=1)
    b = herbouw(VOORBEELD, [(BSN_B, [credit])])
    v = beoordeel(b, REGIO, voorbeeld_ctx(voorbeeld_toewijzingen(t400200=None)), GEHEIM)
    assert codes(v) == {P3: []}
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (98500, "C")


def test_line_on_another_providers_allocation_gets_only_9338():
    tw = voorbeeld_toewijzingen(t400123={"aanbieder": ANDERE_AGB})
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(tw), GEHEIM)
    assert codes(v) == {P1: ["9338"], P2: ["0611"], P3: [], P4: [], P5: []}
    assert v.client_retourcodes == {}


def test_tr389_second_debit_for_the_same_key_fails_without_a_credit():
    b = herbouw(VOORBEELD, [(BSN_A, [lijn(P1), lijn(P2)]), (BSN_B, [lijn(P4), lijn(P5)])])
    v = beoordeel(b, REGIO, voorbeeld_ctx(), GEHEIM)
    assert codes(v) == {P1: [], P2: ["0611"], P4: ["9389"], P5: []}
    assert v.totaal_toegekend_bedrag == 118200 + 45000


def test_tr389_credit_later_in_the_message_is_still_judged_first():
    # OP366: the replacement debit P4 comes before its credit P3 in the message, and still passes.
    b = herbouw(VOORBEELD, [(BSN_A, [lijn(P1), lijn(P2)]), (BSN_B, [lijn(P4), lijn(P3), lijn(P5)])])
    v = beoordeel(b, REGIO, voorbeeld_ctx(), GEHEIM)
    assert [o.referentienummer for o in v.oordelen] == [P1, P2, P4, P3, P5]  # the answer keeps message order
    assert codes(v) == {P1: [], P2: ["0611"], P3: [], P4: [], P5: []}
    assert [x.referentienummer for x in v.vast_te_leggen] == [P3, P1, P2, P4, P5]
    assert v.totaal_toegekend_bedrag == 143500


def test_tr390_credit_of_an_already_credited_debit_fails():
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(gecrediteerd=frozenset({E17.referentienummer})), GEHEIM)
    # P4 passes TR389: the earlier debit was credited before.
    assert codes(v) == {P1: [], P2: ["0611"], P3: ["9390"], P4: [], P5: []}
    assert v.totaal_toegekend_bedrag == 118200 + 78800 + 45000


@pytest.mark.parametrize("eerdere", [
    {},  # unknown
    {E17.referentienummer: dataclasses.replace(E17, goedgekeurd=False)},  # rejected
    {E17.referentienummer: dataclasses.replace(E17, debet_credit="C", vorig_referentienummer="P0")},  # a credit
])
def test_tr323_credit_of_an_unknown_rejected_or_credit_line_fails(eerdere):
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(eerdere=eerdere), GEHEIM)
    assert codes(v) == {P1: [], P2: ["0611"], P3: ["8017"], P4: [], P5: []}
    assert v.totaal_toegekend_bedrag == 118200 + 78800 + 45000


def test_tr314_reference_number_used_in_an_earlier_message_fails():
    v = beoordeel(VOORBEELD, REGIO, voorbeeld_ctx(gebruikte_referenties=frozenset({P1})), GEHEIM)
    assert codes(v) == {P1: ["8021"], P2: ["0611"], P3: [], P4: [], P5: []}
    assert v.totaal_toegekend_bedrag == 78800 + 45000 - 98500


def test_tr314_number_reused_by_a_credit_and_a_debit_in_one_message():
    # Credit R9 (of the earlier March debit OLD) is judged first (OP366) and approved; the debit R9 then finds
    # its number used (TR314).
    credit = prestatie("R9", begin="2026-03-01", eind="2026-03-31", volume=10, dc="C", vorig="OLD")
    debet = prestatie("R9", volume=12)
    v = beoordeel(bericht(credit, debet), REGIO, ctx(eerder("OLD"), toewijzingen={1: toewijzing()}), GEHEIM)
    assert v.header_retourcodes == ["0200"]  # level 2 lets it through
    assert [(o.referentienummer, o.retourcodes) for o in v.oordelen] == [("R9", []), ("R9", ["8021"])]
    assert (v.totaal_toegekend_bedrag, v.totaal_toegekend_debet_credit) == (98500, "C")


@pytest.mark.parametrize("april, verwacht", [(16, []), (17, ["9322"])])
def test_tr322_counts_debits_approved_earlier_in_the_same_message(april, verwacht):
    # 4 h/week, 1 March – 30 April: 40 h in total; March 24 h (its maximum, 6 ISO weeks) is approved first.
    maart = prestatie("M", begin="2026-03-01", eind="2026-03-31", volume=24)
    apr = prestatie("A", volume=april)
    v = beoordeel(bericht(maart, apr), REGIO, ctx(toewijzingen={1: TW_322}), GEHEIM)
    assert codes(v) == {"M": [], "A": verwacht}


@pytest.mark.parametrize("bedrag, verwacht", [(45000, []), (45001, ["9369"])])
def test_tr369_through_beoordeel(bedrag, verwacht):
    # Budget 5000.00, 4550.00 already approved on the allocation.
    v = beoordeel(bericht(euro(bedrag=bedrag)), REGIO,
                  ctx(E_400000, E_55000, toewijzingen={1: budget_toewijzing(500000)}), GEHEIM)
    assert codes(v) == {"R1": verwacht}


def test_codes_only_on_failing_lines():
    ok = prestatie("OK", volume=20)
    te_veel = prestatie("TE_VEEL", tw=2, volume=21)
    tw = {1: toewijzing(1), 2: toewijzing(2)}
    v = beoordeel(bericht(ok, te_veel), REGIO, ctx(toewijzingen=tw), GEHEIM)
    assert codes(v) == {"OK": [], "TE_VEEL": ["9321"]}
    assert v.oordelen[0].redenen == []
    assert "TR321" in v.oordelen[1].redenen[0]
    assert v.totaal_toegekend_bedrag == 20 * 9850
