"""Every use case of the gateway on the in-memory unit of work (tests/berichtenverkeer/fakes.py), with a fixed clock:
what a submission sets in motion and what a refusal leaves untouched, the one 325 per declaration, delivery by
fetching, deadlines met in time or late, the archive's chains, and the pre-check that keeps nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from berichtenverkeer.domain.fouten import Dubbel, Gewist, NietBeschikbaar, NietGevonden, NietLeesbaar, NietVerwerkbaar
from berichtenverkeer.service_layer import ontvangen
from berichtenverkeer.service_layer.archief import controleer_archief, wis_verlopen
from berichtenverkeer.service_layer.beantwoorden import verwerk_beoordeling, verwerk_geboekt
from berichtenverkeer.service_layer.beoordelaar import BeoordelaarOnbereikbaar
from berichtenverkeer.service_layer.inzien import (
    eigen_bericht,
    eigen_berichten,
    haal_antwoord_op,
    haal_op,
    postvak,
    tijdlijn,
)
from berichtenverkeer.service_layer.ontvangen import ontvang_berichten
from berichtenverkeer.service_layer.proef import proef
from berichtenverkeer.service_layer.termijnen import overzicht, tel_open_termijnen
from berichtenverkeer.service_layer.uitgaand import uitgaand_afgekeurd
from shared.istandaard import Problem, UitgaandBerichtOngeldig, parse_323
from shared.kalender import VasteKlok
from shared.models import PrestatieOordeel
from shared.platform.events import (
    TOPIC_ONTVANGEN,
    DeclaratieBeoordeeld,
    DeclaratieOntvangen,
    PrestatiesGeboekt,
    relatie_sleutel,
)
from shared.platform.partij import Party
from shared.platform.regio import load_regio
from tests.berichten import as_wmo
from tests.berichtenverkeer.fakes import FakeFabriek
from tests.conftest import FIXTURES
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
AANBIEDER = Party("aanbieder", "87654321")
ANDERE_AANBIEDER = Party("aanbieder", "12345678")
WOERDEN = Party("gemeente", "0632")
MAANDAG = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)  # Monday 23 November 2026, 10:30 in the Netherlands
KLOK = VasteKlok(MAANDAG)
LATER = VasteKlok(MAANDAG + dt.timedelta(hours=2))


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}-voorbeeld.xml").read_bytes()


def with_bad_bsn(data: bytes) -> bytes:
    """A BSN failing the 11-proef: an in-message rule (level 2, CS002) is broken."""
    return data.replace(b"Bsn>999990019<", b"Bsn>999990018<")


def rij(f: FakeFabriek, bericht_id: str) -> dict:
    return f.tables["berichten"][uuid.UUID(bericht_id)]


def stappen(f: FakeFabriek, bericht_id: str | uuid.UUID) -> list[str]:
    return [s.stap for b, s in f.tables["tijdlijn"] if b == uuid.UUID(str(bericht_id))]


def termijn(f: FakeFabriek, bericht_id: str | uuid.UUID, soort: str) -> dict | None:
    return f.tables["verplichtingen"].get((uuid.UUID(str(bericht_id)), soort))


def keten(f: FakeFabriek, partij: str) -> list[tuple[int, str, bytes | None]]:
    """(link number, message id, content) of a party's chain."""
    return sorted((r["schakel"].volgnummer, r["schakel"].bericht_id, r["inhoud"]) for r in f.tables["archief"]
                  if r["schakel"].partij == partij)


async def submit(f: FakeFabriek, party: Party, *berichten: bytes, klok: VasteKlok = KLOK) -> list[dict]:
    return await ontvang_berichten(f, REGIO, klok, party, list(berichten))


def verdict(bericht_id: str, *, event_id: str = "v1", toegekend: int = 595000, header: tuple[str, ...] = ("0200",),
            afgewezen: bool = False) -> DeclaratieBeoordeeld:
    lines = [p for _c, p in parse_323(raw("jw323")).prestaties()]
    return DeclaratieBeoordeeld(
        event_id=event_id, bericht_id=bericht_id, domein="jw", aanbieder="87654321", gemeente="0632",
        declaratienummer="D202604001", header_retourcodes=list(header), goedgekeurd=[],
        oordelen=[PrestatieOordeel(referentienummer=p.referentienummer, retourcodes=["8001"] if afgewezen else [])
                  for p in lines], totaal_toegekend_bedrag=toegekend, totaal_toegekend_debet_credit="D")


# ------------------------------------------------------------------ ontvang_berichten: what a message sets in motion

async def test_a_declaration_is_archived_owed_its_325_and_handed_to_declaratie():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    assert (r["status"], r["herhaald"]) == ("ontvangen", False)
    b = rij(f, r["bericht_id"])
    assert (b["afzender"], b["ontvanger"], b["berichttype"], b["ontvangen_at"]) == ("87654321", "0632", "323", MAANDAG)
    assert b["samenvatting"]["declaratienummer"] == "D202604001" and b["samenvatting"]["regels"] == 5
    # Archived byte-exact as the first link of the provider's chain, stored at the clock's moment.
    assert keten(f, "87654321") == [(1, r["bericht_id"], raw("jw323"))]
    assert f.tables["archief"][0]["schakel"].opgeslagen_at == MAANDAG
    # The municipality owes its 325 within 10 working days of Monday 23 November.
    t = termijn(f, r["bericht_id"], "325")
    assert (t["partij"], t["uiterlijk"], t["vervuld_at"]) == ("0632", dt.date(2026, 12, 7), None)
    assert stappen(f, r["bericht_id"]) == ["ontvangen"]
    ((topic, key, event, _tp),) = f.store.outbox
    assert (topic, key) == (TOPIC_ONTVANGEN, relatie_sleutel("jw", "0632", "87654321"))
    assert (event["kind"], event["bericht_id"], event["ontvangen_op"]) == ("DeclaratieOntvangen", r["bericht_id"],
                                                                        "2026-11-23")
    assert f.kicks == 1  # the commit that published woke the relay


async def test_resubmitting_the_same_bytes_returns_the_same_id_and_changes_nothing():
    f = FakeFabriek()
    (eerste,) = await submit(f, AANBIEDER, raw("jw323"))
    (tweede,) = await submit(f, AANBIEDER, raw("jw323"), klok=LATER)
    assert tweede == {"bericht_id": eerste["bericht_id"], "status": "ontvangen", "herhaald": True}
    assert len(f.tables["berichten"]) == 1 and len(f.tables["archief"]) == 1 and len(f.store.outbox) == 1
    assert f.kicks == 1


def racende_fabriek(f: FakeFabriek, tussendoor):
    """Units of work of `f`; the first one runs `tussendoor` right after it looked the message up by its hash, as if
    another request stored it at that moment."""
    gemaakt = []

    def fabriek(*, readonly: bool = False):
        uow = f(readonly=readonly)
        if not gemaakt:
            repositories = uow.repositories

            def met_race(tables):
                repositories(tables)
                zoek = uow.berichten.find_by_hash

                async def zoek_en_verlies_de_race(*args):
                    found = await zoek(*args)
                    await tussendoor()
                    return found

                uow.berichten.find_by_hash = zoek_en_verlies_de_race

            uow.repositories = met_race
        gemaakt.append(uow)
        return uow

    return fabriek


async def test_an_identical_message_stored_meanwhile_by_another_request_gets_its_id():
    f = FakeFabriek()
    ander: list[dict] = []

    async def andere_request():
        ander.extend(await submit(f, AANBIEDER, raw("jw305")))

    (r,) = await ontvang_berichten(racende_fabriek(f, andere_request), REGIO, KLOK, AANBIEDER, [raw("jw305")])
    assert r["herhaald"] is True and r["bericht_id"] == ander[0]["bericht_id"]
    assert [b["berichttype"] for b in f.tables["berichten"].values()] == ["305", "306"]


async def test_an_allocation_goes_to_the_providers_mailbox_owes_a_302_and_goes_to_declaratie():
    f = FakeFabriek()
    (r,) = await submit(f, WOERDEN, raw("jw301"))
    assert r["status"] == "ter_aflevering"
    t = termijn(f, r["bericht_id"], "retour")
    assert (t["partij"], t["uiterlijk"]) == ("87654321", dt.date(2026, 11, 26))
    assert [m.id for m in await postvak(f, AANBIEDER, 10)] == [uuid.UUID(r["bericht_id"])]
    assert await postvak(f, ANDERE_AANBIEDER, 10) == []
    ((_topic, key, event, _tp),) = f.store.outbox
    assert event["kind"] == "ToewijzingOntvangen" and key == relatie_sleutel("jw", "0632", "87654321")
    assert keten(f, "0632")[0][1] == r["bericht_id"]  # the municipality's chain: it sent the 301


async def test_a_municipalitys_allocation_breaking_an_in_message_rule_is_refused_and_nothing_is_stored():
    f = FakeFabriek()
    with pytest.raises(NietVerwerkbaar) as exc:
        await submit(f, WOERDEN, with_bad_bsn(raw("jw301")))
    assert "control level 2" in exc.value.body["error"]
    assert [p["rule"] for p in exc.value.body["problems"]] == ["CS002"]
    assert f.store.commits == 0 and f.store.outbox == [] and f.tables["berichten"] == {}


async def test_a_start_message_is_answered_with_a_306_at_once():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw305"))
    assert (r["status"], r["herhaald"]) == ("beantwoord", False) and "retourcodes" not in r
    antwoord_id, xml = await haal_antwoord_op(f, LATER, AANBIEDER, r["bericht_id"])
    assert b"<jw306:" in xml and b"IdentificatieRetour>RB0000000001<" in xml
    assert b"DagtekeningRetour>2026-11-23<" in xml
    retour = f.tables["berichten"][antwoord_id]
    assert (retour["richting"], retour["afzender"], retour["ontvanger"], retour["berichttype"]) == (
        "uit", "0632", "87654321", "306")
    # Owed and met at once; the 306 is a link in the provider's chain after the 305.
    t = termijn(f, r["bericht_id"], "retour")
    assert (t["partij"], t["vervuld_at"], t["vervuld_door"]) == ("0632", MAANDAG, antwoord_id)
    assert [nr for nr, _id, _inhoud in keten(f, "87654321")] == [1, 2]
    assert stappen(f, r["bericht_id"]) == ["ontvangen", "beantwoord"]
    assert f.store.outbox == []  # nothing for declaratie


async def test_a_start_message_breaking_an_in_message_rule_is_kept_and_rejected_with_0001_on_the_header():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, with_bad_bsn(raw("jw305")))
    assert (r["status"], r["retourcodes"]) == ("technisch_afgekeurd", ["0001"])
    b = await eigen_bericht(f, AANBIEDER, r["bericht_id"])
    assert b.samenvatting["header_redenen"][0].startswith("CS002") and b.antwoord_id is not None
    _id, xml = await haal_antwoord_op(f, KLOK, AANBIEDER, r["bericht_id"])
    assert b"RetourCode>0001<" in xml


async def test_a_different_message_with_an_identificatie_used_before_gets_9056_but_another_kind_may_share_it():
    f = FakeFabriek()
    await submit(f, AANBIEDER, raw("jw305"))
    anders = raw("jw305").replace(b"</jw305:Header>", b"</jw305:Header>\n")
    (r,) = await submit(f, AANBIEDER, anders)
    assert (r["status"], r["retourcodes"]) == ("technisch_afgekeurd", ["9056"])
    (wmo,) = await submit(f, AANBIEDER, as_wmo(raw("jw305"), "305"))  # TR056 counts per berichtsoort
    assert wmo["status"] == "beantwoord"


async def test_a_municipality_reusing_an_identificatie_hears_it_at_once_and_nothing_is_stored():
    f = FakeFabriek()
    (eerste,) = await submit(f, WOERDEN, raw("jw301"))
    commits = f.store.commits
    with pytest.raises(Dubbel) as exc:
        await submit(f, WOERDEN, raw("jw301").replace(b"</jw301:Header>", b"</jw301:Header>\n"))
    assert exc.value.body["retourcode"] == "9056" and exc.value.body["bericht_id"] == eerste["bericht_id"]
    assert f.store.commits == commits and len(f.tables["berichten"]) == 1


async def test_a_request_is_a_task_for_the_municipality_that_a_319_with_its_reference_meets():
    f = FakeFabriek()
    (verzoek,) = await submit(f, AANBIEDER, raw("jw315"))
    assert verzoek["status"] == "in_behandeling"
    taak = termijn(f, verzoek["bericht_id"], "301_of_319")
    assert (taak["partij"], taak["uiterlijk"], taak["vervuld_at"]) == ("0632", dt.date(2026, 11, 30), None)
    assert uuid.UUID(verzoek["bericht_id"]) in [m.id for m in await postvak(f, WOERDEN, 10)]
    (antwoord,) = await submit(f, WOERDEN, raw("jw319"), klok=LATER)
    assert (await eigen_bericht(f, AANBIEDER, verzoek["bericht_id"])).status == "beantwoord"
    taak = termijn(f, verzoek["bericht_id"], "301_of_319")
    assert (taak["vervuld_at"], str(taak["vervuld_door"])) == (LATER.nu(), antwoord["bericht_id"])
    assert stappen(f, verzoek["bericht_id"]) == ["ontvangen", "beantwoord", "verzoek_beantwoord"]
    # The 319 in turn waits in the provider's mailbox for its 320.
    assert termijn(f, antwoord["bericht_id"], "retour")["partij"] == "87654321"


async def test_a_providers_302_answers_the_301_once():
    f = FakeFabriek()
    (toewijzing,) = await submit(f, WOERDEN, raw("jw301"))
    (retour,) = await submit(f, AANBIEDER, raw("jw302"), klok=LATER)
    assert retour["status"] == "ter_aflevering"
    heen = await eigen_bericht(f, WOERDEN, toewijzing["bericht_id"])
    assert heen.status == "afgekeurd" and heen.samenvatting["retourcodes"] == ["9332"]
    assert str(heen.antwoord_id) == retour["bericht_id"]
    assert termijn(f, toewijzing["bericht_id"], "retour")["vervuld_at"] == LATER.nu()
    with pytest.raises(Dubbel, match="already answered"):
        await submit(f, AANBIEDER, raw("jw302").replace(b"TWR", b"TWX"))
    with pytest.raises(NietVerwerkbaar, match="no 301 with Identificatie TW0000-99999"):
        await submit(f, AANBIEDER, raw("jw302").replace(b"TW2603-00042", b"TW0000-99999"))


async def test_a_batch_is_stored_whole_or_not_at_all_and_a_refusal_names_the_message():
    f = FakeFabriek()
    with pytest.raises(NietLeesbaar) as exc:
        await submit(f, AANBIEDER, raw("jw305"), b"<geen-bericht/>")
    assert exc.value.body["bericht"] == 2 and "fix this message" in exc.value.body["batch"]
    # Refused while storing (a retour on nothing): the message before it is not kept either.
    with pytest.raises(NietVerwerkbaar) as exc:
        await submit(f, AANBIEDER, raw("jw305"), raw("jw302"))
    assert (exc.value.body["bericht"], exc.value.body["batch"]) == (2, "nothing of this batch was recorded")
    assert f.tables["berichten"] == {} and f.store.commits == 0
    results = await submit(f, AANBIEDER, raw("jw305"), raw("jw307"))
    assert [r["status"] for r in results] == ["beantwoord", "beantwoord"] and f.store.commits == 1


async def test_a_retour_that_breaks_the_standard_is_not_sent_and_the_message_stays_owed_it(monkeypatch):
    def breaks(xml: bytes) -> None:
        raise UitgaandBerichtOngeldig("306", [Problem("TR999", "/Header", None, None, "x", "broken")])

    monkeypatch.setattr(ontvangen, "controleer_uitgaand", breaks)
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw305"))
    b = rij(f, r["bericht_id"])
    assert b["status"] == "ontvangen" and b["samenvatting"]["retour"] == "niet verstuurd (interne fout)"
    assert termijn(f, r["bericht_id"], "retour")["vervuld_at"] is None
    assert [m["berichttype"] for m in f.tables["berichten"].values()] == ["305"]  # no 306 stored
    health = await uitgaand_afgekeurd(f)
    assert health["uitgaand_afgekeurd"] == 1 and health["laatste_uitgaand_afgekeurd"][0]["regels"] == ["TR999"]


# ------------------------------------------------------------------ verwerk_beoordeling / verwerk_geboekt

async def test_a_verdict_becomes_one_325_however_often_it_arrives():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    assert await verwerk_beoordeling(f, LATER, verdict(r["bericht_id"]), 7)
    assert not await verwerk_beoordeling(f, LATER, verdict(r["bericht_id"]), 7)  # redelivered
    assert not await verwerk_beoordeling(f, LATER, verdict(r["bericht_id"], event_id="v2"), 7)  # replayed twice
    uit = [b for b in f.tables["berichten"].values() if b["richting"] == "uit"]
    assert [(b["berichttype"], b["afzender"], b["ontvanger"], b["status"]) for b in uit] == [
        ("325", "0632", "87654321", "ter_aflevering")]
    heen = rij(f, r["bericht_id"])
    assert heen["status"] == "beantwoord" and heen["samenvatting"]["totaal_toegekend_cent"] == 595000
    assert heen["samenvatting"]["afgewezen_regels"] == []
    t = termijn(f, r["bericht_id"], "325")
    assert (t["vervuld_at"], t["vervuld_door"]) == (LATER.nu(), uit[0]["id"])
    assert stappen(f, r["bericht_id"]) == ["ontvangen", "beoordeeld", "beantwoord"]
    assert [nr for nr, _id, _inhoud in keten(f, "87654321")] == [1, 2]  # the 325 joins the provider's chain
    assert f.store.inbox == {"berichtenverkeer:v1"}


async def test_a_verdict_rejecting_the_declaration_as_a_whole_is_a_technical_rejection():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    assert await verwerk_beoordeling(f, KLOK, verdict(r["bericht_id"], header=("9056",), toegekend=0), 7)
    assert rij(f, r["bericht_id"])["status"] == "technisch_afgekeurd"


async def test_a_325_that_would_break_the_standard_is_recorded_not_stored_and_raised_for_a_retry():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    with pytest.raises(UitgaandBerichtOngeldig):
        await verwerk_beoordeling(f, KLOK, verdict(r["bericht_id"], toegekend=595001), 7)  # TR342
    assert [b["richting"] for b in f.tables["berichten"].values()] == ["in"]
    assert f.store.inbox == set()  # not claimed: the replay after the fix makes the 325
    assert (await uitgaand_afgekeurd(f))["laatste_uitgaand_afgekeurd"][0]["regels"] == ["TR342"]
    assert await verwerk_beoordeling(f, KLOK, verdict(r["bericht_id"]), 7)


async def test_a_verdict_for_an_unknown_message_fails():
    with pytest.raises(LookupError):
        await verwerk_beoordeling(FakeFabriek(), KLOK, verdict(str(uuid.uuid4())), 7)


async def test_a_booking_joins_the_declarations_timeline_once():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    event = PrestatiesGeboekt(event_id="g1", bericht_id=r["bericht_id"], gemeente="0632", domein="jw",
                              journaalposten=5, geboekt_bedrag=595000)
    assert await verwerk_geboekt(f, LATER, event) and not await verwerk_geboekt(f, LATER, event)
    _b, steps = await tijdlijn(f, AANBIEDER, r["bericht_id"])
    assert [(s.stap, s.at) for s in steps] == [("ontvangen", MAANDAG), ("geboekt", LATER.nu())]
    assert steps[1].detail == {"gemeente": "0632", "journaalposten": 5, "geboekt_cent": 595000}


# ------------------------------------------------------------------ proef

class Beoordelaar:
    def __init__(self, antwoord: DeclaratieBeoordeeld | None = None):
        self.antwoord, self.gevraagd = antwoord, []

    async def proef(self, event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
        self.gevraagd.append(event)
        if self.antwoord is None:
            raise BeoordelaarOnbereikbaar("ConnectError")
        return self.antwoord


async def test_the_pre_check_answers_with_the_would_be_325_and_keeps_nothing():
    beoordelaar = Beoordelaar(verdict("proef", afgewezen=True, toegekend=0))
    body = await proef(REGIO, KLOK, beoordelaar, AANBIEDER, raw("jw323"))
    assert (body["proef"], body["vastgelegd"]) == (True, False)
    assert [regel["retourcodes"] for regel in body["regels"]] == [["8001"]] * 5
    assert "<ijw:Identificatie>PROEF</ijw:Identificatie>" in body["antwoord_325"]
    (event,) = beoordelaar.gevraagd
    assert (event.bericht_id, event.ontvangen_op) == ("proef", dt.date(2026, 11, 23))


async def test_the_pre_check_takes_declarations_only_and_says_when_declaratie_is_away():
    with pytest.raises(NietVerwerkbaar, match="only declarations"):
        await proef(REGIO, KLOK, Beoordelaar(), WOERDEN, raw("jw301"))
    with pytest.raises(NietBeschikbaar) as exc:
        await proef(REGIO, KLOK, Beoordelaar(), AANBIEDER, raw("jw323"))
    assert exc.value.body == {"error": "the assessment service is not reachable; nothing was checked",
                              "hint": "try again in a minute"}


# ------------------------------------------------------------------ reading and fetching

async def test_fetching_a_message_addressed_to_you_delivers_it_once():
    f = FakeFabriek()
    (r,) = await submit(f, WOERDEN, raw("jw301"))
    _b, xml = await haal_op(f, KLOK, WOERDEN, r["bericht_id"])  # the sender reads its own message
    assert xml == raw("jw301") and rij(f, r["bericht_id"])["status"] == "ter_aflevering"
    b, xml = await haal_op(f, LATER, AANBIEDER, r["bericht_id"])
    assert str(b.id) == r["bericht_id"]
    assert xml == raw("jw301")
    assert (rij(f, r["bericht_id"])["status"], rij(f, r["bericht_id"])["afgeleverd_at"]) == ("afgeleverd", LATER.nu())
    await haal_op(f, LATER, AANBIEDER, r["bericht_id"])
    assert stappen(f, r["bericht_id"]) == ["ontvangen", "afgeleverd"]
    assert await postvak(f, AANBIEDER, 10) == []


async def test_someone_elses_message_is_absent():
    f = FakeFabriek()
    (r,) = await submit(f, WOERDEN, raw("jw301"))
    for lees in (lambda: haal_op(f, KLOK, ANDERE_AANBIEDER, r["bericht_id"]),
                 lambda: eigen_bericht(f, ANDERE_AANBIEDER, r["bericht_id"]),
                 lambda: tijdlijn(f, ANDERE_AANBIEDER, r["bericht_id"]),
                 lambda: haal_antwoord_op(f, KLOK, ANDERE_AANBIEDER, r["bericht_id"]),
                 lambda: eigen_bericht(f, WOERDEN, "geen-uuid")):
        with pytest.raises(NietGevonden, match="no message with id"):
            await lees()
    assert rij(f, r["bericht_id"])["afgeleverd_at"] is None


async def test_the_answer_is_absent_until_it_exists_and_fetching_it_delivers_it_to_the_sender():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    with pytest.raises(NietGevonden) as exc:
        await haal_antwoord_op(f, KLOK, AANBIEDER, r["bericht_id"])
    assert (exc.value.body["error"], exc.value.body["status"]) == ("no answer yet", "ontvangen")
    await verwerk_beoordeling(f, KLOK, verdict(r["bericht_id"]), 7)
    antwoord_id, _xml = await haal_antwoord_op(f, KLOK, WOERDEN, r["bericht_id"])  # not its addressee
    assert f.tables["berichten"][antwoord_id]["status"] == "ter_aflevering"
    antwoord_id, xml = await haal_antwoord_op(f, LATER, AANBIEDER, r["bericht_id"])
    assert b"<jw325:" in xml and f.tables["berichten"][antwoord_id]["status"] == "afgeleverd"
    assert stappen(f, antwoord_id) == ["afgeleverd"]


async def test_erased_content_is_gone_but_its_fetch_still_delivers():
    f = FakeFabriek()
    (r,) = await submit(f, WOERDEN, raw("jw301"))
    over_acht_jaar = VasteKlok(MAANDAG.replace(year=2034))  # kept seven years: until 23 November 2033
    assert await wis_verlopen(f, over_acht_jaar) == 1
    with pytest.raises(Gewist) as exc:
        await haal_op(f, over_acht_jaar, AANBIEDER, r["bericht_id"])
    assert exc.value.body["sha256"] == rij(f, r["bericht_id"])["sha256"]
    assert rij(f, r["bericht_id"])["status"] == "afgeleverd"


async def test_own_messages_are_listed_newest_first_filtered_and_paged():
    f = FakeFabriek()
    (a,) = await submit(f, AANBIEDER, raw("jw305"))
    (b,) = await submit(f, AANBIEDER, raw("jw307"), klok=LATER)
    (c,) = await submit(f, WOERDEN, raw("jw301"), klok=VasteKlok(MAANDAG + dt.timedelta(hours=3)))

    async def ids(**filters):
        args = {"berichttype": None, "status": None, "sinds": None, "limit": 50, "offset": 0} | filters
        return [str(m.id) for m in await eigen_berichten(f, AANBIEDER, **args) if m.richting == "in"]

    assert await ids() == [c["bericht_id"], b["bericht_id"], a["bericht_id"]]
    assert await ids(berichttype="305") == [a["bericht_id"]]
    assert await ids(status="ter_aflevering") == [c["bericht_id"]]
    assert await ids(sinds=LATER.nu()) == [c["bericht_id"], b["bericht_id"]]
    assert len(await eigen_berichten(f, AANBIEDER, berichttype=None, status=None, sinds=None, limit=2,
                                     offset=0)) == 2
    assert await eigen_berichten(f, ANDERE_AANBIEDER, berichttype=None, status=None, sinds=None, limit=50,
                                 offset=0) == []


async def test_a_declaration_is_not_in_the_municipalitys_mailbox():
    f = FakeFabriek()
    await submit(f, AANBIEDER, raw("jw323"))
    (verzoek,) = await submit(f, AANBIEDER, raw("jw315"))
    assert [str(m.id) for m in await postvak(f, WOERDEN, 10)] == [verzoek["bericht_id"]]


# ------------------------------------------------------------------ deadlines

async def test_deadlines_show_their_standing_met_in_time_or_late():
    f = FakeFabriek()
    (op_tijd,) = await submit(f, AANBIEDER, raw("jw323"))
    (laat,) = await submit(f, AANBIEDER, raw("jw323").replace(b"DCL2605-0001", b"DCL2605-0002"))
    await verwerk_beoordeling(f, VasteKlok(dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)), verdict(op_tijd["bericht_id"]),
                              7)
    dinsdag = VasteKlok(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC))  # the day after the last day
    body = await overzicht(f, dinsdag, "0632", alleen_open=True)
    assert body["peildatum"] == "2026-12-08" and body["totalen"] == {"verlopen": 1}
    (open_,) = body["verplichtingen"]
    assert (open_["bericht_id"], open_["werkdagen_over"], open_["uiterlijk"]) == (laat["bericht_id"], -1, "2026-12-07")
    assert await tel_open_termijnen(f, dinsdag) == {("0632", "325", "verlopen"): 1}
    assert await tel_open_termijnen(f, KLOK) == {("0632", "325", "op_tijd"): 1}
    await verwerk_beoordeling(f, dinsdag, verdict(laat["bericht_id"], event_id="v2"), 7)
    alles = await overzicht(f, dinsdag, "0632", alleen_open=False)
    assert {i["bericht_id"]: i["stand"] for i in alles["verplichtingen"]} == {
        op_tijd["bericht_id"]: "vervuld", laat["bericht_id"]: "te_laat_vervuld"}
    assert await overzicht(f, dinsdag, "87654321", alleen_open=True) == {
        "gemeente": "87654321", "peildatum": "2026-12-08", "totalen": {}, "verplichtingen": []}


# ------------------------------------------------------------------ archive

async def test_after_the_flows_every_chain_is_intact_and_tampering_is_found_at_its_link():
    f = FakeFabriek()
    (r,) = await submit(f, AANBIEDER, raw("jw323"))
    await verwerk_beoordeling(f, KLOK, verdict(r["bericht_id"]), 7)
    await submit(f, AANBIEDER, raw("jw305"))
    await submit(f, WOERDEN, raw("jw301"))
    rapport = await controleer_archief(f, KLOK)
    assert rapport["intact"] is True, rapport["breuken"]
    assert {k["partij"]: k["berichten"] for k in rapport["ketens"]} == {"87654321": 4, "0632": 1}
    async with f() as uow:
        uow.archief.vervals(uuid.UUID(r["bericht_id"]), inhoud=b"<vervalst/>")
        await uow.commit()
    rapport = await controleer_archief(f, KLOK)
    assert rapport["intact"] is False
    assert [(b["partij"], b["volgnummer"], b["reden"]) for b in rapport["breuken"]] == [
        ("87654321", 1, "content changed (SHA-256 differs)")]


async def test_content_past_its_retention_is_erased_and_the_chain_keeps_its_hash():
    f = FakeFabriek()
    (eerder,) = await submit(f, AANBIEDER, raw("jw305"))
    (later,) = await submit(f, AANBIEDER, raw("jw307"), klok=VasteKlok(MAANDAG + dt.timedelta(days=1)))
    daarna = VasteKlok(dt.datetime(2033, 11, 24, 12, tzinfo=dt.UTC))  # the 305's retention ended yesterday
    assert await wis_verlopen(f, KLOK) == 0
    assert await wis_verlopen(f, daarna) == 2  # the 305 and the 306 made for it
    assert await wis_verlopen(f, daarna) == 0
    inhoud = {i: c for _nr, i, c in keten(f, "87654321")}
    assert inhoud[eerder["bericht_id"]] is None and inhoud[later["bericht_id"]] == raw("jw307")
    assert (await controleer_archief(f, daarna))["intact"] is True
    # Checked as of the last day of their retention, the erased contents are breaks.
    vroeger = await controleer_archief(f, VasteKlok(dt.datetime(2033, 11, 23, 12, tzinfo=dt.UTC)))
    assert [(b["volgnummer"], b["reden"].split(" (")[0]) for b in vroeger["breuken"]] == [
        (1, "content erased before its retention ended"), (2, "content erased before its retention ended")]
