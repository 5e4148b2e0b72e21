"""declaratie's registers on real PostgreSQL: allocation versions, judged lines and concurrency guarantees."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import uuid
from pathlib import Path

import asyncpg
import pytest

import declaratie
from declaratie.adapters.register_repo import PostgresRegisters
from declaratie.domain.beoordeling import beoordeel
from declaratie.service_layer.unit_of_work import GelijktijdigGebruikt
from shared.bsn import sleutel
from shared.istandaard import parse_301, parse_323, write_323
from shared.models import Periode
from shared.platform.regio import load_regio
from tests.berichten import as_wmo
from tests.conftest import FIXTURES, schema_pool
from tools.checkout import DEFAULT_REGIO
from tools.demo import voorgeschiedenis_voorbeeld

pytestmark = pytest.mark.integration
MIGRATIONS = Path(declaratie.__file__).parent / "migrations"
GEHEIM = b"test-geheim"
REGIO = load_regio(DEFAULT_REGIO)


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "declaratie", MIGRATIONS) as pool:
        yield pool


async def register_301(conn, raw: bytes):
    b = parse_301(raw)
    return await PostgresRegisters(conn).leg_toewijzingen_vast(str(uuid.uuid4()), b, b.header.afzender,
                                                            sleutel(b.bsn, GEHEIM))


async def judge(pool, raw: bytes, systeemdatum=dt.date(2026, 5, 5)):
    bericht = parse_323(raw)
    async with pool.acquire() as conn, conn.transaction():
        ctx = await PostgresRegisters(conn).laad_context(bericht, "0632", systeemdatum)
        b = beoordeel(bericht, REGIO, ctx, GEHEIM)
        await PostgresRegisters(conn).leg_vast(str(uuid.uuid4()), bericht, "0632", ctx, b)
    return b


async def test_the_current_allocation_is_the_latest_version_and_repeats_change_nothing(pool):
    raw = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()
    async with pool.acquire() as conn:
        assert await register_301(conn, raw) == (1, [])
        assert await register_301(conn, raw) == (0, [])  # OP087: the full picture again, nothing new
        # A later decision shortens the allocation (same number, later Toewijzingsdatum/-tijd).
        shorter = raw.replace(b"<jw301:Einddatum>2026-09-30", b"<jw301:Einddatum>2026-06-30").replace(
            b"<jw301:Toewijzingsdatum>2026-03-20", b"<jw301:Toewijzingsdatum>2026-05-01")
        assert await register_301(conn, shorter) == (1, [])
        current = await PostgresRegisters(conn).huidige_toewijzingen("jw", "0632", [400123])
    assert current[400123].einddatum == dt.date(2026, 6, 30)


async def test_an_allocation_number_of_another_client_is_refused(pool):
    raw = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()
    async with pool.acquire() as conn:
        await register_301(conn, raw)
        other_client = raw.replace(b"999990019", b"999990044").replace(b"<jw301:Toewijzingstijd>10:15:00",
                                                                       b"<jw301:Toewijzingstijd>11:00:00")
        assert await register_301(conn, other_client) == (0, [400123])
        current = await PostgresRegisters(conn).huidige_toewijzingen("jw", "0632", [400123])
    assert current[400123].client_sleutel == sleutel("999990019", GEHEIM)


async def test_registers_are_append_only(pool):
    async with pool.acquire() as conn:
        await register_301(conn, (FIXTURES / "jw301-voorbeeld.xml").read_bytes())
        for statement in ("UPDATE toewijzingen SET budget = 1", "DELETE FROM toewijzingen",
                          "DELETE FROM prestaties", "UPDATE declaraties SET gemeente = 'x'"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)


async def _history(pool):
    history = voorgeschiedenis_voorbeeld()
    async with pool.acquire() as conn:
        for b in history[:2]:
            await register_301(conn, b.xml)
    return await judge(pool, history[2].xml)


async def test_the_example_is_judged_against_the_registers_as_the_standard_answers_it(pool):
    maart = await _history(pool)
    assert maart.verwerkt and maart.totaal_toegekend_bedrag == 98500
    april = await judge(pool, (FIXTURES / "jw323-voorbeeld.xml").read_bytes())
    assert [(o.referentienummer, o.retourcodes) for o in april.oordelen if o.retourcodes] == [
        ("P20260504000002", ["0611"])]
    assert april.totaal_toegekend_bedrag == 118200 - 98500 + 78800 + 45000
    # The same message again (a new judgement, as if it were another message): everything is used up now.
    again = await judge(pool, (FIXTURES / "jw323-voorbeeld.xml").read_bytes())
    assert again.header_retourcodes == ["9056"] and not again.verwerkt


async def test_tr056_keeps_identifications_per_berichtsoort_so_jw323_and_wmo323_may_share_one(pool):
    jw = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
    assert (await judge(pool, jw)).header_retourcodes == ["0200"]
    # The same provider's iWmo declaration with the Identificatie of its iJw one: another berichtsoort, no 9056.
    wmo = as_wmo(jw, "323").replace(b"D202604001", b"D202604002")
    assert (await judge(pool, wmo)).header_retourcodes == ["0200"]
    # Within one berichtsoort the Identificatie stays single-use, in either domain.
    assert (await judge(pool, wmo.replace(b"D202604002", b"D202604003"))).header_retourcodes == ["9056"]
    assert (await judge(pool, jw.replace(b"D202604001", b"D202604004"))).header_retourcodes == ["9056"]


async def test_two_credits_of_one_debit_judged_at_the_same_moment_book_only_one(pool):
    await _history(pool)
    # Two different messages, each crediting March's debit: both judges see it uncredited, the database lets one win.
    def credit(n: int) -> bytes:
        raw = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
        return raw.replace(b"DCL2605-0001", f"DCL2605-010{n}".encode()).replace(
            b"D202604001", f"D20260401{n}".encode()).replace(
            b"P2026050400000", f"P202605040{n}000".encode())

    both_loaded = asyncio.Barrier(2)

    async def judge_in_step(raw: bytes):
        bericht = parse_323(raw)
        async with pool.acquire() as conn, conn.transaction():
            ctx = await PostgresRegisters(conn).laad_context(bericht, "0632", dt.date(2026, 5, 5))
            await both_loaded.wait()  # both judge the same state: neither sees the other's credit
            b = beoordeel(bericht, REGIO, ctx, GEHEIM)
            await PostgresRegisters(conn).leg_vast(str(uuid.uuid4()), bericht, "0632", ctx, b)
        return b

    results = await asyncio.gather(judge_in_step(credit(1)), judge_in_step(credit(2)), return_exceptions=True)
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], asyncpg.UniqueViolationError)
    # The loser is judged again (as a redelivered event would be): its credit now breaks TR390.
    retry = await judge(pool, credit(1) if isinstance(results[0], Exception) else credit(2))
    codes = {o.referentienummer[-1]: o.retourcodes for o in retry.oordelen}
    assert codes["3"] == ["9390"]


async def test_two_301s_claiming_one_allocation_number_at_the_same_moment_leave_one_owner(pool):
    # Different providers land on different partitions, so two 301s with the same number can be recorded at
    # once; TR332 holds anyway: the second claim waits for the first commit and is then refused.
    raw = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()
    other_provider = raw.replace(b"<jw301:Ontvanger>87654321", b"<jw301:Ontvanger>12345678")
    assert other_provider != raw
    both_started = asyncio.Barrier(2)

    async def record(xml: bytes):
        async with pool.acquire() as conn, conn.transaction():
            await both_started.wait()
            return await register_301(conn, xml)

    results = await asyncio.gather(record(raw), record(other_provider))
    assert sorted(results) == [(0, [400123]), (1, [])]
    async with pool.acquire() as conn:
        owners = await conn.fetch("SELECT DISTINCT aanbieder FROM toewijzingen WHERE toewijzingnummer = 400123")
    assert len(owners) == 1


async def test_two_messages_with_one_identification_judged_at_the_same_moment_are_not_both_accepted(pool):
    history = voorgeschiedenis_voorbeeld()
    async with pool.acquire() as conn:
        for b in history[:2]:
            await register_301(conn, b.xml)
    # March's declaration, and a second one reusing its BerichtIdentificatie for a February line: nothing else
    # in them conflicts, so only the identification guard can stop both being accepted.
    maart = parse_323(history[2].xml)
    februari = Periode(begindatum=dt.date(2026, 2, 1), einddatum=dt.date(2026, 2, 28))
    (client,) = maart.declaratie.clienten
    regel = dataclasses.replace(client.prestaties[0], referentienummer="P20260403000099", productperiode=februari)
    tweede = maart.model_copy(update={"declaratie": maart.declaratie.model_copy(update={
        "declaratienummer": "D202603002", "clienten": [dataclasses.replace(client, prestaties=[regel])]})})
    both_loaded = asyncio.Barrier(2)

    async def judge_in_step(xml: bytes):
        bericht = parse_323(xml)
        async with pool.acquire() as conn, conn.transaction():
            ctx = await PostgresRegisters(conn).laad_context(bericht, "0632", dt.date(2026, 5, 5))
            await both_loaded.wait()
            b = beoordeel(bericht, REGIO, ctx, GEHEIM)
            await PostgresRegisters(conn).leg_vast(str(uuid.uuid4()), bericht, "0632", ctx, b)
        return b

    results = await asyncio.gather(judge_in_step(history[2].xml), judge_in_step(write_323(tweede)),
                                   return_exceptions=True)
    lost = [r for r in results if isinstance(r, Exception)]
    # The loser rolls back (its event is nacked) and, judged again, gets 9056.
    assert len(lost) == 1 and isinstance(lost[0], GelijktijdigGebruikt)
    retry = await judge(pool, write_323(tweede) if isinstance(results[1], Exception) else history[2].xml)
    assert retry.header_retourcodes == ["9056"]
