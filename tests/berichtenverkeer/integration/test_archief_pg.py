"""The archive on real PostgreSQL: links are chained per party in commit order, even under concurrency; tampering
by someone who can switch the database's guards off is detected at the right link; content is erased only after
its retention; archives from before the chain existed are chained by the migration with the same hash."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest

import berichtenverkeer
from berichtenverkeer.adapters.unit_of_work import unit_of_work_fabriek
from berichtenverkeer.service_layer import archief
from berichtenverkeer.service_layer.unit_of_work import NieuwBericht
from shared.kalender import SYSTEEMKLOK, VasteKlok
from shared.platform.db import create_pool, migrate
from tests.conftest import schema_pool

pytestmark = pytest.mark.integration
MIGRATIONS = Path(berichtenverkeer.__file__).parent / "migrations"


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "berichtenverkeer", MIGRATIONS) as pool:
        yield pool


async def archiveer(pool, afzender="87654321", richting="in", raw: bytes | None = None, jaren=7,
                    at: dt.datetime | None = None) -> uuid.UUID:
    """A message stored the way the use cases store one: its row and the next link of its party's chain."""
    bid = uuid.uuid4()
    raw = raw or f"<Bericht id='{bid}'/>".encode()
    async with unit_of_work_fabriek(lambda: pool)() as uow:
        await archief.archiveer(uow, NieuwBericht(
            id=bid, richting=richting, domein="jw", berichttype="323", afzender=afzender,
            ontvanger="0632" if richting == "in" else afzender, identificatie=bid.hex[:12],
            sha256=hashlib.sha256(raw).hexdigest(), status="ontvangen", ontvangen_at=at or SYSTEEMKLOK.nu()),
            raw, jaren)
        await uow.commit()
    return bid


async def controleer_archief(pool, klok=SYSTEEMKLOK) -> dict:
    return await archief.controleer_archief(unit_of_work_fabriek(lambda: pool), klok)


async def as_attacker(pool, sql: str, *args) -> None:
    """A change made around the application, with the append-only triggers switched off (a superuser could)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # triggers do not fire
        await conn.execute(sql, *args)


async def test_concurrent_messages_of_one_party_form_one_unbroken_chain(pool):
    await asyncio.gather(*(archiveer(pool) for _ in range(40)), *(archiveer(pool, "23456789") for _ in range(10)))
    rapport = await controleer_archief(pool)
    assert rapport["intact"] is True, rapport["breuken"]
    assert {k["partij"]: k["berichten"] for k in rapport["ketens"]} == {"87654321": 40, "23456789": 10}
    async with pool.acquire() as conn:
        nummers = [r["volgnummer"] for r in await conn.fetch(
            "SELECT volgnummer FROM archief WHERE partij = '87654321' ORDER BY id")]
    assert sorted(nummers) == list(range(1, 41))


async def test_outgoing_messages_join_the_chain_of_their_addressee(pool):
    await archiveer(pool, "87654321", "in")
    await archiveer(pool, "87654321", "uit")
    rapport = await controleer_archief(pool)
    assert rapport["ketens"] == [{"partij": "87654321", "berichten": 2, "intact": True}]


async def test_the_database_refuses_changes_and_deletions(pool):
    await archiveer(pool)
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE archief SET inhoud = 'x'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE archief SET inhoud = NULL")  # retention has not ended
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM archief")


@pytest.mark.parametrize("ingreep, volgnummer, reden", [
    ("UPDATE archief SET inhoud = 'vervalst' WHERE partij = '87654321' AND volgnummer = 2", 2, "content changed"),
    ("UPDATE archief SET inhoud = 'vervalst', sha256 = encode(sha256('vervalst'), 'hex') "
     "WHERE partij = '87654321' AND volgnummer = 2", 2, "link hash does not match"),
    ("DELETE FROM archief WHERE partij = '87654321' AND volgnummer = 2", 2, "links 2..2 are missing"),
    ("DELETE FROM archief WHERE partij = '87654321' AND volgnummer = 3", 3, "chain ends at link 2"),
    ("UPDATE berichten SET status = status", None, None),  # not the archive: nothing to find
])
async def test_tampering_is_found_at_the_link_it_touched(pool, ingreep, volgnummer, reden):
    for _ in range(3):
        await archiveer(pool)
    await archiveer(pool, "23456789")
    await as_attacker(pool, ingreep)
    rapport = await controleer_archief(pool)
    if reden is None:
        assert rapport["intact"] is True
        return
    assert rapport["intact"] is False
    eerste = rapport["breuken"][0]
    assert (eerste["partij"], eerste["volgnummer"]) == ("87654321", volgnummer) and reden in eerste["reden"]
    assert {k["partij"]: k["intact"] for k in rapport["ketens"]} == {"87654321": False, "23456789": True}


async def test_content_is_erased_after_retention_only_and_the_chain_still_holds(pool):
    # Stored eight years ago (the use case takes the moment from its clock): retention ended a year ago.
    acht_jaar_geleden = SYSTEEMKLOK.nu() - dt.timedelta(days=8 * 365)
    oud = await archiveer(pool, at=acht_jaar_geleden)
    nieuw = await archiveer(pool)
    assert (await controleer_archief(pool))["intact"] is True

    fabriek = unit_of_work_fabriek(lambda: pool)
    assert await archief.wis_verlopen(fabriek, SYSTEEMKLOK) == 1
    async with fabriek(readonly=True) as uow:
        assert await uow.archief.content(oud) is None
        assert await uow.archief.content(nieuw) is not None
    rapport = await controleer_archief(pool)
    assert rapport["intact"] is True, rapport["breuken"]
    # The day before the retention ended, the same erased content is a break.
    eerder = await controleer_archief(pool, VasteKlok(acht_jaar_geleden + dt.timedelta(days=7 * 365 - 2)))
    assert [b["reden"].split(" (")[0] for b in eerder["breuken"]] == ["content erased before its retention ended"]


async def test_archives_from_before_the_chain_are_chained_by_the_migration(infra, tmp_path):
    voor = tmp_path / "voor"
    voor.mkdir()
    for f in sorted(MIGRATIONS.glob("00[12]_*.sql")):
        shutil.copy(f, voor / f.name)
    schema = f"berichtenverkeer_t{uuid.uuid4().hex[:8]}"
    pool = await create_pool(infra.database_url, schema, max_size=2)
    try:
        await migrate(pool, schema, voor)
        async with pool.acquire() as conn:
            for i, (afzender, richting) in enumerate([("87654321", "in"), ("0632", "in"), ("87654321", "uit"),
                                                      ("87654321", "in")]):
                bid, raw = uuid.uuid4(), f"<Bericht n='{i}'/>".encode()
                await conn.execute(
                    "INSERT INTO berichten (id, richting, domein, berichttype, afzender, ontvanger, identificatie, "
                    "sha256, status) VALUES ($1, $2, 'jw', '323', $3, $4, $5, $6, 'ontvangen')",
                    bid, richting, afzender if richting == "in" else "0632",
                    "0632" if richting == "in" else afzender, f"I{i}", hashlib.sha256(raw).hexdigest())
                await conn.execute("INSERT INTO archief (bericht_id, richting, inhoud, sha256, opgeslagen_at) "
                                   "VALUES ($1, $2, $3, $4, '2028-02-29 23:30:00.123456+00')",
                                   bid, richting, raw, hashlib.sha256(raw).hexdigest())
        await migrate(pool, schema, MIGRATIONS)
        rapport = await controleer_archief(pool)
        assert rapport["intact"] is True, rapport["breuken"]
        assert {k["partij"]: k["berichten"] for k in rapport["ketens"]} == {"87654321": 3, "0632": 1}
        async with pool.acquire() as conn:
            # 23:30 UTC on 29 February is 1 March in Amsterdam: seven years later is 1 March 2035.
            assert await conn.fetchval("SELECT DISTINCT bewaren_tot FROM archief") == dt.date(2035, 3, 1)
    finally:
        await pool.close()


def test_the_cli_reports_an_intact_archive_and_a_broken_one_with_exit_code_1(infra, monkeypatch, capsys):
    from tools.cli import main

    async def prepare():
        schema = f"berichtenverkeer_t{uuid.uuid4().hex[:8]}"
        pool = await create_pool(infra.database_url, schema, max_size=2)
        await migrate(pool, schema, MIGRATIONS)
        for _ in range(2):
            await archiveer(pool)
        return pool, schema

    loop = asyncio.new_event_loop()
    pool, schema = loop.run_until_complete(prepare())
    try:
        monkeypatch.setenv("DATABASE_URL", infra.database_url)
        assert main(["archief", "controleren", "--schema", schema]) == 0
        assert "87654321         2 messages  intact" in capsys.readouterr().out
        loop.run_until_complete(as_attacker(pool, "UPDATE archief SET inhoud = 'x' WHERE volgnummer = 1"))
        assert main(["archief", "controleren", "--schema", schema]) == 1
        out = capsys.readouterr().out
        assert "BREAK 87654321 link 1: content changed" in out
        monkeypatch.delenv("DATABASE_URL")
        assert main(["archief", "controleren"]) == 1
        assert "set DATABASE_URL" in capsys.readouterr().err
    finally:
        loop.run_until_complete(pool.close())
        loop.close()
