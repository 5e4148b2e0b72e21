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
from berichtenverkeer.adapters import repository as repo
from berichtenverkeer.entrypoints.http import uitgaand_in_health
from berichtenverkeer.service_layer.handlers import verwerk_beoordeling
from shared.istandaard import UitgaandBerichtOngeldig, parse_323
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


async def archived_323(pool) -> uuid.UUID:
    bericht_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        await repo.insert_bericht(conn, bericht_id=bericht_id, richting="in", domein="jw", berichttype="323",
                                  afzender="87654321", ontvanger="0632", identificatie="DCL2605-0001",
                                  sha256=hashlib.sha256(VOORBEELD).hexdigest(), status="ontvangen", raw=VOORBEELD,
                                  samenvatting=None, bewaartermijn_jaren=7)
    return bericht_id


def verdict(bericht_id: uuid.UUID, toegekend: int) -> DeclaratieBeoordeeld:
    lines = [p for _c, p in parse_323(VOORBEELD).prestaties()]
    return DeclaratieBeoordeeld(
        event_id=str(uuid.uuid4()), bericht_id=str(bericht_id), domein="jw", aanbieder="87654321", gemeente="0632",
        declaratienummer="D202604001", header_retourcodes=["0200"],
        oordelen=[PrestatieOordeel(referentienummer=p.referentienummer) for p in lines], goedgekeurd=[],
        totaal_toegekend_bedrag=toegekend, totaal_toegekend_debet_credit="D")


class _Runtime:
    def __init__(self, pool):
        self.pool = pool

    def db(self):
        return self.pool


async def test_a_325_that_breaks_the_standard_is_not_sent_but_recorded_and_shown_in_health(pool, caplog):
    bericht_id = await archived_323(pool)
    # All lines approved, but a granted total that is not the submitted total: the 325 would break TR342.
    with caplog.at_level(logging.ERROR), pytest.raises(UitgaandBerichtOngeldig) as info:
        await verwerk_beoordeling(pool, verdict(bericht_id, 595001), 7)
    assert {p.rule for p in info.value.problems} == {"TR342"}
    async with pool.acquire() as conn:
        assert not await repo.has_antwoord(conn, bericht_id)
        assert await conn.fetchval("SELECT count(*) FROM berichten WHERE richting = 'uit'") == 0
        total, latest = await repo.uitgaand_afgekeurd(conn)
    assert total == 1 and latest[0]["berichttype"] == "325" and list(latest[0]["regels"]) == ["TR342"]
    health = await uitgaand_in_health(_Runtime(pool))
    assert health["uitgaand_afgekeurd"] == 1 and health["laatste_uitgaand_afgekeurd"][0]["regels"] == ["TR342"]
    assert "TR342" in caplog.text and "999990019" not in caplog.text
    # A retry meets the same bug: still one record, still nothing sent.
    with pytest.raises(UitgaandBerichtOngeldig):
        await verwerk_beoordeling(pool, verdict(bericht_id, 595001), 7)
    async with pool.acquire() as conn:
        assert (await repo.uitgaand_afgekeurd(conn))[0] == 1


async def test_a_valid_325_is_sent_and_nothing_is_recorded(pool):
    bericht_id = await archived_323(pool)
    assert await verwerk_beoordeling(pool, verdict(bericht_id, 595000), 7)
    async with pool.acquire() as conn:
        assert await repo.has_antwoord(conn, bericht_id)
        assert (await repo.uitgaand_afgekeurd(conn))[0] == 0
