"""Every facturatie use case on the in-memory unit of work (tests/facturatie/fakes.py, held to PostgreSQL's
behaviour by tests/facturatie/contract/): booking verdicts exactly once, refused and withheld postings, payment runs
on the Dutch day, cost sharing, the finance API's views and the dashboard's pages."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from fractions import Fraction

import pytest
from lxml import etree

from facturatie.adapters.sepa import pain001
from facturatie.domain.beoordelingsstatistiek import contractsoort_uit
from facturatie.domain.betaalrun import BetaalbestandFout
from facturatie.domain.budget import Budgetstand, IngehoudenZonderPlafond, Plafondstand, ZonderBudget, prognose
from facturatie.domain.grootboek import REDEN_GEWEIGERD
from facturatie.service_layer import dashboard, overzichten
from facturatie.service_layer.betaalruns import (
    GeenBetaalbestand,
    GemeenteOnbekend,
    PeildatumAfgerekend,
    PeildatumInDeToekomst,
    UitvoeringsdatumVoorbij,
    maak_betaalrun,
)
from facturatie.service_layer.handlers import boek_verdict, boek_verdicts
from facturatie.service_layer.kostenverdeling import VerdeelsleutelOnbekend, verdeel_kosten
from facturatie.service_layer.ports import Antwoord
from shared.kalender import VasteKlok
from shared.models import PrestatieOordeel
from shared.platform.events import (
    TOPIC_PRESTATIES_GEBOEKT,
    BeoordeeldePrestatie,
    DeclaratieBeoordeeld,
    idempotentie_sleutel,
)
from shared.platform.regio import load_regio
from tests.facturatie.fakes import AlleenLezen, Fabriek, FakeBerichtenverkeer, FakeStatistiek
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
AGB = "87654321"  # Jeugdhulp Het Groene Hart, regional contract
NU = VasteKlok(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))  # Monday 23 November 2026, 11:00 in Woerden
VANDAAG = dt.date(2026, 11, 23)
TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
TR418 = "TR418 (0611) ProductTarief: Tarief wijkt af van het contracttarief; gevonden 21500, verwacht 21000 / …"


def lijn(ref: str, bedrag: int, dc: str = "D", vorig: str | None = None, cat: str = "45", agb: str = AGB,
         domein: str = "jw", begin: dt.date = dt.date(2026, 10, 1)) -> BeoordeeldePrestatie:
    return BeoordeeldePrestatie(idempotentie_sleutel=idempotentie_sleutel(agb, domein, ref), referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie=cat, productcode=f"{cat}A07",
                                periode_begin=begin, bedrag=bedrag, debet_credit=dc)


def verdict(*goed: BeoordeeldePrestatie, gemeente: str = "0632", agb: str = AGB, domein: str = "jw",
            afgekeurd: dict[str, list[str]] | None = None, header: list[str] | None = None,
            klok: VasteKlok = NU) -> DeclaratieBeoordeeld:
    oordelen = [PrestatieOordeel(referentienummer=p.referentienummer) for p in goed] + [
        PrestatieOordeel(referentienummer=ref, retourcodes=codes, redenen=[TR418] * len(codes))
        for ref, codes in (afgekeurd or {}).items()]
    return DeclaratieBeoordeeld(
        event_id=str(uuid.uuid4()), bericht_id=str(uuid.uuid4()), domein=domein, aanbieder=agb, gemeente=gemeente,
        declaratienummer=f"D{uuid.uuid4().hex[:6]}", header_retourcodes=header or ["0200"],
        oordelen=[] if header else oordelen, goedgekeurd=[] if header else list(goed),
        totaal_toegekend_bedrag=sum(p.bedrag for p in goed), totaal_toegekend_debet_credit="D",
        occurred_at=klok.nu())


async def saldi(f: Fabriek, cbs: str = "0632") -> dict[str, int]:
    return {f"{s.domein}:{s.code}": s.saldo_cent
            for s in await overzichten.saldi(f(readonly=True), cbs, None) if s.saldo_cent}


@pytest.fixture
def f() -> Fabriek:
    return Fabriek(klok=NU)


# ------------------------------------------------------------------ booking verdicts

async def test_a_verdict_is_booked_once_with_its_event_its_statistics_and_one_wake_of_the_relay(f):
    e = verdict(lijn("R1", 118200), lijn("R2", 25300, cat="43"), afgekeurd={"R3": ["0611"]})
    assert await boek_verdicts(f(), [e], [TP], contractsoort=contractsoort_uit(REGIO)) == 1
    assert await saldi(f) == {"jw:kosten:45": 118200, "jw:kosten:43": 25300, "jw:crediteur:87654321": -143500}
    ((topic, key, payload, traceparent),) = f.store.outbox
    assert (topic, key, traceparent) == (TOPIC_PRESTATIES_GEBOEKT, e.bericht_id, TP)  # continues the verdict's trace
    assert (payload["journaalposten"], payload["geboekt_bedrag"], payload["gemeente"]) == (2, 143500, "0632")
    stat = f.tabellen.beoordelingen[e.bericht_id]
    assert (stat.regels_goedgekeurd, stat.regels_afgekeurd, stat.goedgekeurd_cent) == (2, 1, 143500)
    assert (stat.regionaal_cent, stat.lokaal_cent) == (118200, 0)  # 45A07 is under a regional contract, 43A07 none
    assert f.kicks == 1 and f.store.commits == 1


async def test_a_redelivered_batch_changes_nothing(f):
    batch = [verdict(lijn("R1", 100)), verdict(lijn("R2", 200))]
    assert await boek_verdicts(f(), batch) == 2
    voor = copy.deepcopy(f.store.tables), list(f.store.outbox), set(f.store.inbox)
    assert await boek_verdicts(f(), batch) == 0
    assert (f.store.tables, f.store.outbox, f.store.inbox) == voor
    assert f.kicks == 1 and f.store.commits == 1  # nothing to commit, nothing to publish


async def test_an_event_twice_in_one_batch_is_booked_once(f):
    e = verdict(lijn("R1", 100))
    assert await boek_verdicts(f(), [e, e]) == 1
    assert len(f.tabellen.posten) == 1 and len(f.store.outbox) == 1


async def test_the_same_verdict_under_another_event_id_books_no_line_twice(f):
    e = verdict(lijn("R1", 118200))
    await boek_verdicts(f(), [e])
    opnieuw = e.model_copy(update={"event_id": str(uuid.uuid4())})
    assert await boek_verdicts(f(), [opnieuw]) == 1  # a new verdict for the inbox …
    assert len(f.tabellen.posten) == 1 and await saldi(f) == {"jw:kosten:45": 118200, "jw:crediteur:87654321": -118200}
    assert len(f.tabellen.beoordelingen) == 1 and f.tabellen.geweigerd == []  # … but the same lines, the same message
    first, second = f.store.outbox
    assert first[2]["event_id"] == second[2]["event_id"]  # the same PrestatiesGeboekt: consumers dedupe it
    assert second[2]["journaalposten"] == 0


async def test_the_same_key_with_other_content_is_refused_and_recorded(f, caplog):
    await boek_verdicts(f(), [verdict(lijn("R1", 100))])
    anders = verdict(lijn("R1", 999))
    assert await boek_verdicts(f(), [anders]) == 1
    assert f.tabellen.geweigerd == [(f"{AGB}:jw:R1", anders.bericht_id, REDEN_GEWEIGERD)]
    assert await saldi(f) == {"jw:kosten:45": 100, "jw:crediteur:87654321": -100}
    assert f.tabellen.beoordelingen[anders.bericht_id].goedgekeurd_cent == 0  # nothing booked for it
    assert "1 postings refused" in caplog.text


async def test_a_credit_reverses_its_original_exactly_whatever_amount_it_names(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 118200))])
    await boek_verdicts(f(), [verdict(lijn("C1", 100000, "C", vorig="R1"))])
    assert await saldi(f) == {}
    assert [r.debet for r in f.tabellen.posten[1].post.regels] == [118200, 0]


PLAFOND = {("0632", "jw", AGB, 2026): 1000}


async def test_a_spending_ceiling_withholds_what_does_not_fit_and_a_redelivery_is_recognised(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 600))], plafonds=PLAFOND)
    await boek_verdicts(f(), [verdict(lijn("R2", 600))], plafonds=PLAFOND)
    assert await saldi(f) == {"jw:kosten:45": 1200, "jw:crediteur:87654321": -1000, "jw:ingehouden:87654321": -200}
    # The same line again in another message, when the room is gone: the same content, not a refusal.
    assert await boek_verdicts(f(), [verdict(lijn("R2", 600))], plafonds=PLAFOND) == 1
    assert f.tabellen.geweigerd == [] and len(f.tabellen.posten) == 2
    # Care in another year does not use this year's room.
    await boek_verdicts(f(), [verdict(lijn("R3", 500, begin=dt.date(2025, 12, 1)))], plafonds=PLAFOND)
    assert (await saldi(f))["jw:crediteur:87654321"] == -1500


async def test_a_reversal_gives_the_room_back(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 1500))], plafonds=PLAFOND)
    await boek_verdicts(f(), [verdict(lijn("C1", 1500, "C", vorig="R1"))], plafonds=PLAFOND)
    assert await saldi(f) == {}
    await boek_verdicts(f(), [verdict(lijn("R2", 1000))], plafonds=PLAFOND)
    assert await saldi(f) == {"jw:kosten:45": 1000, "jw:crediteur:87654321": -1000}


async def test_a_failed_booking_leaves_nothing_and_its_redelivery_books_it(f, monkeypatch):
    e = verdict(lijn("R1", 100), afgekeurd={"R2": ["0611"]})

    async def kapot(self, stats):
        raise RuntimeError("disk full")

    monkeypatch.setattr(FakeStatistiek, "add", kapot)
    with pytest.raises(RuntimeError):
        await boek_verdicts(f(), [e])
    assert (f.store.tables.get("facturatie") is None, f.store.outbox, f.store.inbox, f.kicks) == (True, [], set(), 0)
    monkeypatch.undo()
    assert await boek_verdicts(f(), [e]) == 1 and await saldi(f) == {"jw:kosten:45": 100, "jw:crediteur:87654321": -100}


async def test_one_verdict_says_whether_it_was_new(f):
    e = verdict(lijn("R1", 100))
    assert await boek_verdict(f(), e) is True
    assert await boek_verdict(f(), e) is False


async def test_a_verdict_rejected_as_a_whole_books_nothing_but_is_counted(f):
    e = verdict(header=["9056"])
    assert await boek_verdicts(f(), [e]) == 1
    assert f.tabellen.posten == [] and f.tabellen.beoordelingen[e.bericht_id].geheel_afgewezen
    assert f.store.outbox[0][2]["journaalposten"] == 0


# ------------------------------------------------------------------ payment runs

async def betaal(f: Fabriek, peildatum: dt.date = VANDAAG, uitvoeringsdatum: dt.date | None = None,
                 klok: VasteKlok = NU, maker=pain001, cbs: str = "0632"):
    return await maak_betaalrun(f(), REGIO, maker, cbs, peildatum, uitvoeringsdatum, klok)


async def test_a_payment_run_pays_each_payable_once_and_the_same_cut_off_returns_it(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 118200), lijn("R2", 25300))])
    await boek_verdicts(f(), [verdict(lijn("W1", 5000, agb="34567890", domein="wmo"), agb="34567890", domein="wmo")])
    run, nieuw = await betaal(f)
    assert nieuw and (run.aantal, run.totaal_cent, run.uitvoeringsdatum) == (2, 148500, VANDAAG)
    assert run.aangemaakt_at == NU.nu()
    assert await saldi(f) == {"jw:kosten:45": 143500, "jw:bank": -143500, "wmo:kosten:45": 5000, "wmo:bank": -5000}
    assert await betaal(f) == (run, False)
    assert len(f.tabellen.runs) == 1 and sum(p.post.soort == "betaling" for p in f.tabellen.posten) == 2
    bestand = await overzichten.betaalbestand(f(readonly=True), "0632", run.id)
    assert etree.fromstring(bestand.inhoud.encode()).findtext(".//{*}GrpHdr/{*}CtrlSum") == "1485.00"


async def test_withheld_amounts_are_not_paid(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 1500))], plafonds=PLAFOND)
    run, _ = await betaal(f)
    assert run.totaal_cent == 1000
    assert await saldi(f) == {"jw:kosten:45": 1500, "jw:bank": -1000, "jw:ingehouden:87654321": -500}


async def test_today_is_the_dutch_day_so_a_run_for_today_is_made_after_midnight_on_a_utc_host():
    # 00:30 on 24 November in the Netherlands is still 23 November in UTC (and on a UTC host's clock). The old
    # `vandaag()` took the host's date: a run for "today" (the 24th) was refused as a cut-off in the future.
    na_middernacht = VasteKlok(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC))
    assert na_middernacht.nu().date() == dt.date(2026, 11, 23) and na_middernacht.vandaag() == dt.date(2026, 11, 24)
    f = Fabriek(klok=na_middernacht)
    await boek_verdicts(f(), [verdict(lijn("R1", 700), klok=na_middernacht)])  # booked on the 24th, Dutch time
    run, nieuw = await betaal(f, dt.date(2026, 11, 24), None, klok=na_middernacht)
    assert nieuw and run.peildatum == run.uitvoeringsdatum == dt.date(2026, 11, 24) and run.totaal_cent == 700
    # An execution date of the Dutch today is not in the past either; tomorrow's cut-off is in the future.
    assert (await betaal(f, dt.date(2026, 11, 24), dt.date(2026, 11, 24), klok=na_middernacht))[0] == run
    with pytest.raises(PeildatumInDeToekomst):
        await betaal(f, dt.date(2026, 11, 25), klok=na_middernacht)
    # Summer time: 01:59 on 1 July in Woerden is 23:59 on 30 June in UTC.
    zomer = VasteKlok(dt.datetime(2026, 6, 30, 23, 59, tzinfo=dt.UTC))
    assert (await betaal(Fabriek(klok=zomer), dt.date(2026, 7, 1), dt.date(2026, 7, 1), klok=zomer)) == (None, False)


async def test_a_run_is_refused_for_a_settled_or_future_cut_off_or_a_past_execution_date(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 100))])
    await betaal(f)
    with pytest.raises(PeildatumAfgerekend) as afgerekend:
        await betaal(f, VANDAAG - dt.timedelta(days=1))
    assert "a payment run up to 2026-11-23 exists" in afgerekend.value.fout
    with pytest.raises(PeildatumInDeToekomst):
        await betaal(f, VANDAAG + dt.timedelta(days=1))
    with pytest.raises(UitvoeringsdatumVoorbij):
        await betaal(f, VANDAAG, VANDAAG - dt.timedelta(days=1))
    with pytest.raises(GemeenteOnbekend):
        await betaal(f, cbs="9999")
    assert len(f.tabellen.runs) == 1


async def test_nothing_payable_makes_no_run_and_a_credit_carries_over(f):
    assert await betaal(f) == (None, False)
    await boek_verdicts(f(), [verdict(lijn("R1", 100))])
    await betaal(f, VANDAAG - dt.timedelta(days=1))  # booked today: not payable at yesterday's cut-off
    assert f.tabellen.runs == []
    await betaal(f)
    await boek_verdicts(f(), [verdict(lijn("C1", 100, "C", vorig="R1"))])
    assert await betaal(f, VANDAAG) == ((await overzichten.betaalruns(f(), "0632"))[0], False)
    assert (await saldi(f))["jw:crediteur:87654321"] == 100  # owed to the municipality, carried to the next run


async def test_a_run_whose_file_cannot_be_made_books_nothing(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 100))])
    voor = copy.deepcopy(f.store.tables)

    def zonder_iban(*_):
        raise BetaalbestandFout("municipality 0632 has no IBAN in the region file; add `iban` to pay from")

    with pytest.raises(GeenBetaalbestand) as fout:
        await betaal(f, maker=zonder_iban)
    assert "no IBAN" in fout.value.fout and fout.value.hint == "correct the region file and try again"
    assert f.store.tables == voor


# ------------------------------------------------------------------ cost sharing

async def test_a_cost_is_shared_by_inhabitants_once_per_reference(f):
    eerst = await verdeel_kosten(f(), REGIO, "GR2026-11", "Uitvoeringskosten GR", "jw", 1_000_000, "inwoners")
    assert (eerst.geboekt, eerst.al_geboekt, eerst.geweigerd) == (5, 0, 0)
    assert eerst.aandelen == {"1904": 340_426, "0632": 287_234, "0736": 244_681, "0335": 74_468, "0589": 53_191}
    assert await saldi(f) == {"jw:kosten:gr": 287_234, "jw:schuld:gr": -287_234}
    again = await verdeel_kosten(f(), REGIO, "GR2026-11", "Uitvoeringskosten GR", "jw", 1_000_000, "inwoners")
    assert (again.geboekt, again.al_geboekt, again.geweigerd) == (0, 5, 0)
    anders = await verdeel_kosten(f(), REGIO, "GR2026-11", "Uitvoeringskosten GR", "jw", 999_999, "inwoners")
    # One cent less changes one municipality's share: that entry is refused, the other four were booked before.
    assert (anders.geboekt, anders.al_geboekt, anders.geweigerd) == (0, 4, 1)
    assert [k for k, _, _ in f.tabellen.geweigerd] == ["kostenverdeling:GR2026-11:1904"]
    assert await saldi(f) == {"jw:kosten:gr": 287_234, "jw:schuld:gr": -287_234}
    assert anders.als_dict()["aandelen"][0] == {"gemeente": "0335", "cent": 74_468}


async def test_an_unknown_sharing_key_books_nothing(f):
    with pytest.raises(VerdeelsleutelOnbekend):
        await verdeel_kosten(f(), REGIO, "X", "x", "jw", 100, "oppervlakte")
    assert f.store.commits == 0


# ------------------------------------------------------------------ the finance API's views

async def test_a_lines_history_is_its_posting_its_reversal_and_the_run_that_paid_after_it(f):
    origineel = verdict(lijn("R1", 118200))
    await boek_verdicts(f(), [origineel])
    run, _ = await betaal(f)
    await boek_verdicts(f(), [verdict(lijn("C1", 118200, "C", vorig="R1"))])
    historie = await overzichten.regelhistorie(f(readonly=True), "0632", f"{AGB}:jw:R1")
    assert [p.idempotentie_sleutel for p in historie.boekingen] == [f"{AGB}:jw:R1", f"{AGB}:jw:C1"]
    assert historie.bericht_id == origineel.bericht_id
    assert (historie.betaald.betaalrun_id, historie.betaald.overboeking_cent) == (run.id, 118200)
    assert await overzichten.regelhistorie(f(readonly=True), "0632", f"{AGB}:jw:R9") is None
    assert await overzichten.regelhistorie(f(readonly=True), "1904", f"{AGB}:jw:R1") is None


async def test_the_journal_filters_and_pages(f):
    a = verdict(lijn("R1", 100, cat="45"), lijn("R2", 200, cat="43"))
    await boek_verdicts(f(), [a, verdict(lijn("W1", 300, cat="02", domein="wmo"), domein="wmo")])
    await betaal(f)

    def kort(sleutel: str) -> str:  # R1 for a line, jw:87654321 for the run's payment to that provider
        return sleutel.removeprefix(f"betaalrun:0632:{VANDAAG}:").removeprefix(f"{AGB}:jw:").removeprefix(f"{AGB}:wmo:")

    async def sleutels(**filters):
        filters = {"bericht_id": None, "limit": 10, "na_id": 0, **filters}
        return [kort(p.idempotentie_sleutel) for p in await overzichten.journaal(f(readonly=True), "0632", **filters)]

    assert await sleutels() == ["R1", "R2", "W1", "jw:87654321", "wmo:87654321"]
    assert await sleutels(rekening="kosten:43") == ["R2"] and await sleutels(domein="wmo") == ["W1", "wmo:87654321"]
    assert await sleutels(soort="betaling") == ["jw:87654321", "wmo:87654321"]
    assert await sleutels(bericht_id=a.bericht_id) == ["R1", "R2"]
    assert await sleutels(van=VANDAAG, tot=VANDAAG) == await sleutels()
    assert await sleutels(tot=VANDAAG - dt.timedelta(days=1)) == []
    eerste = await overzichten.journaal(f(readonly=True), "0632", bericht_id=None, limit=2, na_id=0)
    assert await sleutels(na_id=eerste[-1].id, limit=2) == ["W1", "jw:87654321"]
    (post,) = await overzichten.journaal(f(readonly=True), "0632", bericht_id=None, limit=1, na_id=0)
    assert post.als_dict()["regels"] == [{"rekening": "kosten:45", "debet_cent": 100, "credit_cent": 0},
                                         {"rekening": "crediteur:87654321", "debet_cent": 0, "credit_cent": 100}]


async def test_budgets_show_usage_a_forecast_and_spending_without_a_budget(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 118200), lijn("R2", 7000, cat="41"))])
    b = await overzichten.budgetten(f(readonly=True), REGIO, "0632", None, NU)  # this year: 2026
    assert b.jaar == 2026 and [(s.domein, s.categorie) for s in b.budgetten] == [("jw", "45"), ("jw", "43"),
                                                                                  ("jw", "54"), ("wmo", "02")]
    assert b.budgetten[0] == Budgetstand("jw", "45", 2026, 540000000, 118200, prognose(118200, 2026, VANDAAG))
    assert b.zonder_budget == (ZonderBudget("jw", "41", 7000),)
    assert b.als_dict()["zonder_budget"] == [{"domein": "jw", "categorie": "41", "verbruikt_cent": 7000}]
    vorig = await overzichten.budgetten(f(readonly=True), REGIO, "0632", 2025, NU)
    assert vorig.budgetten == () and vorig.zonder_budget == ()


async def test_ceilings_show_payable_withheld_and_withheld_without_a_ceiling(f):
    # Montfoort's ceiling for provider 12345678 is in the region file; a ceiling for Woerden is not (any more).
    await boek_verdicts(f(), [verdict(lijn("M1", 6_000_000, agb="12345678"), gemeente="0335", agb="12345678")],
                        plafonds=REGIO.plafonds())
    await boek_verdicts(f(), [verdict(lijn("R1", 1500))], plafonds=PLAFOND)
    montfoort = await overzichten.bestedingsruimte(f(readonly=True), REGIO, "0335", None, NU)
    assert montfoort.plafonds == (Plafondstand("jw", "12345678", 2026, 5_000_000, 5_000_000, 1_000_000),)
    assert montfoort.als_dict()["plafonds"][0]["resterend_cent"] == 0
    woerden = await overzichten.bestedingsruimte(f(readonly=True), REGIO, "0632", 2026, NU)
    assert woerden.plafonds == () and woerden.ingehouden_zonder_plafond == (IngehoudenZonderPlafond("jw", AGB, 500),)


async def test_runs_are_listed_newest_first_with_their_transfers(f):
    gisteren = VasteKlok(NU.moment - dt.timedelta(days=1))
    await boek_verdicts(Fabriek(f.store, gisteren)(), [verdict(lijn("R1", 100), klok=gisteren)])
    eerste, _ = await betaal(f, VANDAAG - dt.timedelta(days=1))
    await boek_verdicts(f(), [verdict(lijn("R2", 250))])
    tweede, _ = await betaal(f)
    assert [r.id for r in await overzichten.betaalruns(f(readonly=True), "0632")] == [tweede.id, eerste.id]
    run, overboekingen = await overzichten.betaalrun(f(readonly=True), "0632", tweede.id)
    assert run == tweede and [o.als_dict() for o in overboekingen] == [
        {"domein": "jw", "aanbieder": AGB, "bedrag_cent": 250, "end_to_end_id": f"0632-20261123-jw-{AGB}"}]
    assert await overzichten.betaalrun(f(readonly=True), "1904", tweede.id) is None
    assert await overzichten.betaalbestand(f(readonly=True), "0632", 999) is None


async def test_read_views_write_nothing(f):
    uow = f(readonly=True)
    async with uow:
        with pytest.raises(AlleenLezen):
            await uow.grootboek.update_balances({("0632", "jw", "bank"): 1})


# ------------------------------------------------------------------ the dashboard's pages

def termijn(verplichting: str, ontvangen: str, uiterlijk: str, vervuld: str | None = None) -> dict:
    return {"verplichting": verplichting, "berichttype": "JW323", "identificatie": "X", "van": AGB,
            "ontvangen_at": ontvangen, "uiterlijk": uiterlijk, "vervuld_at": vervuld, "stand": "op_tijd",
            "werkdagen_over": 1}


async def test_a_municipalitys_page_shows_the_apis_figures_this_month_and_the_gateways_deadlines(f):
    soort = contractsoort_uit(REGIO)
    await boek_verdicts(f(), [verdict(lijn("R1", 118200), afgekeurd={"R2": ["0611"]}),
                              verdict(header=["9056"])], contractsoort=soort, plafonds=PLAFOND)
    await betaal(f)
    bv = FakeBerichtenverkeer(termijnen=Antwoord({"verplichtingen": [
        termijn("325", "2026-11-20T09:00:00+00:00", "2026-12-04", "2026-11-23T09:00:00+00:00"),  # 1 working day
        termijn("325", "2026-11-02T09:00:00+00:00", "2026-11-16"),  # open and past its deadline
        termijn("325", "2025-12-01T09:00:00+00:00", "2025-12-15", "2025-12-02T09:00:00+00:00")]}))  # last year
    g = await dashboard.gemeente(f(readonly=True), REGIO, "0632", 2026, VANDAAG, bv)
    assert (g.naam, g.jaar, g.peildatum) == ("Woerden", 2026, VANDAAG)
    assert g.budget == await overzichten.budgetten(f(readonly=True), REGIO, "0632", 2026, NU)  # the API's view
    assert g.plafond == await overzichten.bestedingsruimte(f(readonly=True), REGIO, "0632", 2026, NU)
    assert g.budgetten == g.budget.budgetten and g.ingehouden_zonder_plafond[0].ingehouden_cent == 117200
    m = g.maand
    assert (m.begin, m.tot, m.goedgekeurd_cent, m.ingehouden_cent) == (dt.date(2026, 11, 1), VANDAAG, 118200, 117200)
    assert (m.berichten, m.geheel_afgewezen, m.regels_goedgekeurd, m.regels_afgekeurd) == (2, 1, 1, 1)
    assert [(r.retourcode, r.regel, r.aantal) for r in g.redenen_maand] == [("0611", "TR418", 1), ("9056", None, 1)]
    assert g.redenen_jaar == g.redenen_maand and len(g.recent) == 2 and len(g.betaalruns) == 1
    assert {s.code: s.saldo_cent for s in g.saldi}["bank"] == -1000
    d = g.termijnen.doorlooptijd
    assert (d.beantwoord, d.op_tijd, d.open, d.open_verlopen, d.mediaan_werkdagen) == (1, 1, 1, 1, 1)
    assert g.termijnen.open_totaal == 1 and not g.termijnen.afgekapt and bv.gevraagd == [("termijnen", "0632")]


async def test_without_the_gateway_the_page_says_why_and_shows_the_ledger(f):
    await boek_verdicts(f(), [verdict(lijn("R1", 100))])
    weg = FakeBerichtenverkeer(termijnen=Antwoord(None, "berichtenverkeer is niet bereikbaar"))
    g = await dashboard.gemeente(f(readonly=True), REGIO, "0632", 2026, VANDAAG, weg)
    assert g.termijnen.fout == "berichtenverkeer is niet bereikbaar" and g.maand.goedgekeurd_cent == 100
    g = await dashboard.gemeente(f(readonly=True), REGIO, "0632", 2026, VANDAAG, None)
    assert g.termijnen.fout == "berichtenverkeer is niet ingesteld"


async def test_the_regions_page_adds_up_the_municipalities_and_measures_its_policy_targets(f):
    soort = contractsoort_uit(REGIO)
    await boek_verdicts(f(), [verdict(lijn("R1", 118200)), verdict(lijn("S1", 50000), gemeente="1904")],
                        contractsoort=soort)
    bv = FakeBerichtenverkeer()
    r = await dashboard.regio_overzicht(f(readonly=True), REGIO, 2026, VANDAAG, bv)
    assert [g.cbs for g in r.gemeenten] == ["1904", "0632", "0736", "0335", "0589"]
    woerden = r.gemeenten[1]
    # Woerden's budgets of 2026: jw 45, 43, 54 and wmo 02.
    assert (woerden.verbruikt_cent, woerden.goedgekeurd_maand_cent, woerden.budget_cent) == (118200, 118200,
                                                                                           1_051_000_000)
    assert woerden.prognose_cent == prognose(118200, 2026, VANDAAG)
    assert r.totaal["verbruikt_cent"] == 168200 and r.maand == {"begin": dt.date(2026, 11, 1), "tot": VANDAAG}
    regionaal = next(d for d in r.doelen if d.soort == "aandeel_regionaal")
    assert regionaal.waarde == Fraction(100) and regionaal.gehaald and regionaal.vorig_jaar is None
    assert len(bv.gevraagd) == 5 and all(g.termijnen.fout is None for g in r.gemeenten)


async def test_a_declarations_page_has_its_verdict_and_bookings_and_none_for_an_unknown_one(f):
    e = verdict(*[lijn(f"R{i}", 100 + i) for i in range(201)], afgekeurd={"X": ["0611"]})
    await boek_verdicts(f(), [e])
    d = await dashboard.declaratie(f(readonly=True), e.bericht_id)
    assert d.kop.gemeente == "0632" and d.kop.regels_goedgekeurd == 201 and len(d.posten) == 200 and d.meer_posten
    assert d.afkeuringen[0].retourcode == "0611"
    assert await dashboard.declaratie(f(readonly=True), str(uuid.uuid4())) is None

