"""A 325 the back office makes that breaks the standard is a bug: on real PostgreSQL, it is never stored or
delivered, the verdict is raised again (so the consumer retries and then dead-letters it), the defect is recorded
with its rule ids and no value, and berichtenverkeer's /health shows it."""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path

import pytest

import berichtenverkeer
from berichtenverkeer.adapters.unit_of_work import unit_of_work_fabriek
from berichtenverkeer.entrypoints.operations import uitgaand_in_health
from berichtenverkeer.service_layer.archief import archiveer
from berichtenverkeer.service_layer.beantwoorden import verwerk_beoordeling
from berichtenverkeer.service_layer.unit_of_work import NieuwBericht
from shared.istandaard import UitgaandBerichtOngeldig, parse_323
from shared.kalender import SYSTEEMKLOK
from shared.models import PrestatieOordeel
from shared.platform.events import DeclaratieBeoordeeld
from tests.conftest import FIXTURES, schema_pool

pytestmark = pytest.mark.integration
MIGRATIONS = Path(berichtenverkeer.__file__).parent / "migrations"
VOORBEELD = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "berichtenverkeer", MIGRATIONS) as pool:
        yield pool


async def archived_323(fabriek) -> uuid.UUID:
    bericht_id = uuid.uuid4()
    async with fabriek() as uow:
        await archiveer(uow, NieuwBericht(id=bericht_id, richting="in", domein="jw", berichttype="323",
                                          afzender="87654321", ontvanger="0632", identificatie="DCL2605-0001",
                                          sha256=hashlib.sha256(VOORBEELD).hexdigest(), status="ontvangen",
                                          ontvangen_at=SYSTEEMKLOK.nu()), VOORBEELD, 7)
        await uow.commit()
    return bericht_id


def verdict(bericht_id: uuid.UUID, toegekend: int) -> DeclaratieBeoordeeld:
    lines = [p for _c, p in parse_323(VOORBEELD).prestaties()]
    return DeclaratieBeoordeeld(
        event_id=str(uuid.uuid4()), bericht_id=str(bericht_id), domein="jw", aanbieder="87654321", gemeente="0632",
        declaratienummer="D202604001", header_retourcodes=["0200"],
        oordelen=[PrestatieOordeel(referentienummer=p.referentienummer) for p in lines], goedgekeurd=[],
        totaal_toegekend_bedrag=toegekend, totaal_toegekend_debet_credit="D")


async def test_a_325_that_breaks_the_standard_is_not_sent_but_recorded_and_shown_in_health(pool, caplog):
    fabriek = unit_of_work_fabriek(lambda: pool)
    bericht_id = await archived_323(fabriek)
    # All lines approved, but a granted total that is not the submitted total: the 325 would break TR342.
    with caplog.at_level(logging.ERROR), pytest.raises(UitgaandBerichtOngeldig) as info:
        await verwerk_beoordeling(fabriek, SYSTEEMKLOK, verdict(bericht_id, 595001), 7)
    assert {p.rule for p in info.value.problems} == {"TR342"}
    async with fabriek(readonly=True) as uow:
        assert not await uow.berichten.has_answer(bericht_id)
        total, latest = await uow.uitgaand_afgekeurd.summary()
    assert await pool.fetchval("SELECT count(*) FROM berichten WHERE richting = 'uit'") == 0
    assert total == 1 and latest[0].berichttype == "325" and latest[0].regels == ["TR342"]
    health = await uitgaand_in_health(fabriek)()
    assert health["uitgaand_afgekeurd"] == 1 and health["laatste_uitgaand_afgekeurd"][0]["regels"] == ["TR342"]
    assert "TR342" in caplog.text and "999990019" not in caplog.text
    # A retry meets the same bug: still one record, still nothing sent.
    with pytest.raises(UitgaandBerichtOngeldig):
        await verwerk_beoordeling(fabriek, SYSTEEMKLOK, verdict(bericht_id, 595001), 7)
    async with fabriek(readonly=True) as uow:
        assert (await uow.uitgaand_afgekeurd.summary())[0] == 1


async def test_a_valid_325_is_sent_and_nothing_is_recorded(pool):
    fabriek = unit_of_work_fabriek(lambda: pool)
    bericht_id = await archived_323(fabriek)
    assert await verwerk_beoordeling(fabriek, SYSTEEMKLOK, verdict(bericht_id, 595000), 7)
    async with fabriek(readonly=True) as uow:
        assert await uow.berichten.has_answer(bericht_id)
        assert (await uow.uitgaand_afgekeurd.summary())[0] == 0
