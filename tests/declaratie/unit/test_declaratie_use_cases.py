"""declaratie's use cases on the in-memory unit of work: what each records, publishes and refuses, and that a
redelivery, a rollback or a pre-check leaves nothing behind."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
import uuid

import pytest

from declaratie.domain.beoordeling import Beoordeling
from declaratie.service_layer.handlers import beoordeel_declaratie, beoordeeld_event, proef, registreer_toewijzingen
from declaratie.service_layer.unit_of_work import GelijktijdigGebruikt, Samenvatting
from shared.bsn import sleutel
from shared.istandaard import parse_301, parse_323
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, DeclaratieOntvangen, ToewijzingOntvangen
from shared.platform.regio import load_regio
from tests.conftest import FIXTURES
from tests.declaratie.fakes import AlleenLezen, FakeDeclaratieUnitOfWork, FakeFabriek, FakeRegisters
from tools.checkout import DEFAULT_REGIO
from tools.demo import voorgeschiedenis_voorbeeld

REGIO = load_regio(DEFAULT_REGIO)
GEHEIM = b"test-geheim"
ONTVANGEN_OP = dt.date(2026, 5, 5)
VOORBEELD_323 = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
VOORBEELD_301 = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()


def toewijzing(raw: bytes, event_id: str | None = None) -> ToewijzingOntvangen:
    event_id = event_id or str(uuid.uuid4())
    return ToewijzingOntvangen(event_id=event_id, bericht_id=f"b-{event_id}", bericht=parse_301(raw))


def declaratie(raw: bytes, event_id: str | None = None) -> DeclaratieOntvangen:
    event_id = event_id or str(uuid.uuid4())
    return DeclaratieOntvangen(event_id=event_id, bericht_id=f"b-{event_id}", ontvangen_op=ONTVANGEN_OP,
                               bericht=parse_323(raw))


def verdicts(fabriek: FakeFabriek) -> list[dict]:
    return [p for t, _k, p, _tp in fabriek.store.outbox if t == TOPIC_DECLARATIE_BEOORDEELD]


@pytest.fixture
def fabriek() -> FakeFabriek:
    return FakeFabriek()


async def met_maart(fabriek: FakeFabriek) -> None:
    """The example's history: its allocations and the March declaration the April example credits."""
    history = voorgeschiedenis_voorbeeld()
    for b in history[:2]:
        assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, toewijzing(b.xml))
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, declaratie(history[2].xml, "maart"))


# --------------------------------------------------------------------------- beoordeel_declaratie

async def test_a_declaration_is_judged_once_with_its_verdict_in_the_outbox_under_a_deterministic_id(fabriek):
    await met_maart(fabriek)
    event = declaratie(VOORBEELD_323, "april")
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)

    (_maart, april) = verdicts(fabriek)
    topic, key, _payload, _tp = fabriek.store.outbox[-1]
    assert (topic, key) == (TOPIC_DECLARATIE_BEOORDEELD, "b-april")
    assert april["event_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "beoordeeld:b-april"))
    assert (april["gemeente"], april["aanbieder"], april["declaratienummer"]) == ("0632", "87654321", "D202604001")
    assert [(o["referentienummer"], o["retourcodes"]) for o in april["oordelen"] if o["retourcodes"]] == [
        ("P20260504000002", ["0611"])]
    assert april["totaal_toegekend_bedrag"] == 118200 - 98500 + 78800 + 45000
    assert [g["referentienummer"] for g in april["goedgekeurd"]] == [  # credits first (OP366)
        "P20260504000003", "P20260504000001", "P20260504000004", "P20260504000005"]
    assert fabriek.registers().beoordelingen["b-april"] == Samenvatting(
        "b-april", "jw", "87654321", "0632", "D202604001", goedgekeurd=4, afgewezen=1,
        toegekend_cent=118200 - 98500 + 78800 + 45000)


async def test_the_lines_of_a_judged_declaration_count_for_the_next_one(fabriek):
    await met_maart(fabriek)
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, declaratie(VOORBEELD_323, "april"))
    # The same content as another message: identification, declaration number and lines are all used now.
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, declaratie(VOORBEELD_323, "nogmaals"))
    assert verdicts(fabriek)[-1]["header_retourcodes"] == ["9056"]
    nieuw = VOORBEELD_323.replace(b"DCL2605-0001", b"DCL2605-0002")
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, declaratie(nieuw, "ander-nummer"))
    assert verdicts(fabriek)[-1]["declaratie_retourcodes"] == ["9333"]


async def test_a_redelivered_declaration_changes_nothing_and_wakes_no_relay(fabriek):
    await met_maart(fabriek)
    event = declaratie(VOORBEELD_323, "april")
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)
    voor, kicks = copy.deepcopy(vars(fabriek.store)), fabriek.kicks

    assert not await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)
    assert vars(fabriek.store) == voor
    assert fabriek.kicks == kicks


async def test_a_verdict_wakes_the_relay(fabriek):
    uow = fabriek()
    assert await beoordeel_declaratie(uow, REGIO, GEHEIM, declaratie(VOORBEELD_323))
    assert uow.kicks == 1


async def test_a_credit_total_is_recorded_as_negative_cents(fabriek):
    await met_maart(fabriek)
    april = parse_323(VOORBEELD_323)
    (_client1, client2) = april.declaratie.clienten
    credit = next(p for p in client2.prestaties if p.debet_credit == "C")  # of March's 985.00
    bericht = april.model_copy(update={"declaratie": april.declaratie.model_copy(update={
        "clienten": [dataclasses.replace(client2, prestaties=[credit])],
        "totaal_ingediend_bedrag": credit.ingediend_bedrag, "totaal_debet_credit": "C"})})
    event = DeclaratieOntvangen(event_id="credit", bericht_id="b-credit", ontvangen_op=ONTVANGEN_OP,
                                bericht=bericht)
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)
    assert verdicts(fabriek)[-1]["totaal_toegekend_debet_credit"] == "C"
    assert fabriek.registers().beoordelingen["b-credit"].toegekend_cent == -98500


async def test_a_message_stopped_at_the_header_records_its_identification_only(fabriek):
    await met_maart(fabriek)
    bericht = parse_323(VOORBEELD_323)
    bericht = bericht.model_copy(update={"header": bericht.header.model_copy(update={  # after receipt: TR135
        "dagtekening": dt.date(2026, 6, 4)})})
    event = DeclaratieOntvangen(event_id="toekomst", bericht_id="b-toekomst", ontvangen_op=ONTVANGEN_OP,
                                bericht=bericht)
    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)
    assert verdicts(fabriek)[-1]["header_retourcodes"] == ["8848"]
    registers = fabriek.registers()
    assert ("87654321", "jw", "DCL2605-0001") in registers.identificaties
    assert ("87654321", "jw", "D202604001") not in registers.declaraties
    assert not any(ref.startswith("P20260504") for _a, _d, ref in registers.prestaties)
    assert registers.beoordelingen["b-toekomst"].goedgekeurd == 0


class _IemandAnders(FakeRegisters):
    """Another message takes this message's identification between loading the context and recording."""

    def __init__(self, tables, store_tables):
        super().__init__(tables)
        self._store_tables = store_tables

    async def laad_context(self, bericht, gemeente, systeemdatum):
        ctx = await super().laad_context(bericht, gemeente, systeemdatum)
        key = (bericht.header.afzender, bericht.domein, bericht.header.identificatie)
        self.identificaties[key] = "b-ander"  # what this transaction's unique index sees
        self._store_tables["berichtidentificaties"][key] = "b-ander"  # and the other's commit
        return ctx


class _GelijktijdigUnitOfWork(FakeDeclaratieUnitOfWork):
    def repositories(self, tables):
        self.registers = _IemandAnders(tables, self.store.tables)


async def test_an_identification_taken_meanwhile_rolls_back_so_the_redelivery_is_judged_again(fabriek):
    await met_maart(fabriek)
    event = declaratie(VOORBEELD_323, "april")
    uow = _GelijktijdigUnitOfWork(fabriek.store)
    with pytest.raises(GelijktijdigGebruikt):
        await beoordeel_declaratie(uow, REGIO, GEHEIM, event)
    assert "declaratie:april" not in fabriek.store.inbox
    assert len(verdicts(fabriek)) == 1 and uow.kicks == 0  # March's only
    assert "b-april" not in fabriek.registers().beoordelingen

    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)  # the retry sees the other's identification
    assert verdicts(fabriek)[-1]["header_retourcodes"] == ["9056"]


# --------------------------------------------------------------------------- registreer_toewijzingen

async def test_allocations_are_recorded_under_the_clients_pseudonym_without_an_event(fabriek):
    uow = fabriek()
    assert await registreer_toewijzingen(uow, REGIO, GEHEIM, toewijzing(VOORBEELD_301))
    (stand,) = fabriek.registers().toewijzingen.values()
    assert (stand.nummer, stand.aanbieder, stand.client_sleutel) == (400123, "87654321",
                                                                      sleutel("999990019", GEHEIM))
    assert fabriek.registers().nummers == {("jw", "0632", 400123): ("87654321", sleutel("999990019", GEHEIM))}
    assert fabriek.store.outbox == [] and uow.kicks == 0


async def test_a_redelivered_301_changes_nothing(fabriek):
    event = toewijzing(VOORBEELD_301)
    assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, event)
    voor = copy.deepcopy(vars(fabriek.store))
    assert not await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, event)
    assert vars(fabriek.store) == voor


async def test_a_later_version_becomes_the_current_allocation(fabriek):
    assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, toewijzing(VOORBEELD_301))
    korter = VOORBEELD_301.replace(b"<jw301:Einddatum>2026-09-30", b"<jw301:Einddatum>2026-06-30").replace(
        b"<jw301:Toewijzingsdatum>2026-03-20", b"<jw301:Toewijzingsdatum>2026-05-01")
    assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, toewijzing(korter))
    ctx = await fabriek.registers().laad_context(parse_323(VOORBEELD_323), "0632", ONTVANGEN_OP)
    assert ctx.toewijzingen[400123].einddatum == dt.date(2026, 6, 30)


async def test_an_allocation_number_of_another_client_is_refused_and_logged_without_the_bsn(fabriek, caplog):
    assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, toewijzing(VOORBEELD_301))
    ander = VOORBEELD_301.replace(b"999990019", b"999990044").replace(b"<jw301:Toewijzingstijd>10:15:00",
                                                                     b"<jw301:Toewijzingstijd>11:00:00")
    with caplog.at_level(logging.WARNING, logger="declaratie"):
        assert await registreer_toewijzingen(fabriek(), REGIO, GEHEIM, toewijzing(ander, "ander"))
    assert len(fabriek.registers().toewijzingen) == 1  # the other client's version is not recorded
    assert fabriek.registers().nummers[("jw", "0632", 400123)][1] == sleutel("999990019", GEHEIM)
    assert "400123" in caplog.text and "b-ander" in caplog.text
    assert "999990044" not in caplog.text and "999990019" not in caplog.text
    assert "declaratie:ander" in fabriek.store.inbox  # handled: a refusal is an outcome, not a failure


# --------------------------------------------------------------------------- proef

async def test_the_pre_check_answers_as_the_judgement_would_and_writes_nothing(fabriek):
    await met_maart(fabriek)
    voor = copy.deepcopy(vars(fabriek.store))
    event = declaratie(VOORBEELD_323, "april")

    uitslag = await proef(fabriek, REGIO, GEHEIM, event)
    assert vars(fabriek.store) == voor
    assert fabriek.gemaakt[-1].readonly  # the store itself would refuse a write

    assert await beoordeel_declaratie(fabriek(), REGIO, GEHEIM, event)
    assert uitslag.model_dump(mode="json", exclude={"occurred_at"}) == {
        k: v for k, v in verdicts(fabriek)[-1].items() if k != "occurred_at"}


async def test_a_read_only_unit_of_work_refuses_every_write(fabriek):
    event = declaratie(VOORBEELD_323)
    with pytest.raises(AlleenLezen):
        await beoordeel_declaratie(fabriek(readonly=True), REGIO, GEHEIM, event)
    with pytest.raises(AlleenLezen):
        await registreer_toewijzingen(fabriek(readonly=True), REGIO, GEHEIM, toewijzing(VOORBEELD_301))
    assert fabriek.store.commits == 0


def test_the_verdict_event_names_a_rejected_client_by_its_position_never_by_bsn():
    event = declaratie(VOORBEELD_323, "client")
    clienten = event.bericht.declaratie.clienten
    assert len(clienten) >= 2
    afgewezen = clienten[1].bsn
    verdict = beoordeeld_event(event, "0632", Beoordeling(
        header_retourcodes=["0200"], declaratie_retourcodes=[], client_retourcodes={afgewezen: ["8187"]}, oordelen=[],
        totaal_toegekend_bedrag=0, totaal_toegekend_debet_credit="D"))
    assert verdict.client_retourcodes_per_positie == {i: ["8187"] for i, c in enumerate(clienten)
                                                      if c.bsn == afgewezen}
    assert all(c.bsn not in verdict.model_dump_json() for c in clienten)
