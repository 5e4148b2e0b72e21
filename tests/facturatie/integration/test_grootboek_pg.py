"""The ledger on real PostgreSQL: idempotent, append-only, deadlock-free under concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg
import pytest

import facturatie
from facturatie.adapters.grootboek_repo import PostgresGrootboek
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.domain.grootboek import BoekResultaat, journaalpost_voor
from facturatie.service_layer.grootboek import boek
from shared.kalender import SYSTEEMKLOK
from shared.platform.db import claim_event, migrate
from shared.platform.events import BeoordeeldePrestatie
from tests.conftest import schema_pool

pytestmark = pytest.mark.integration
MIGRATIONS = Path(facturatie.__file__).parent / "migrations"


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "facturatie", MIGRATIONS) as pool:
        yield pool


def line(ref, bedrag, dc="D", vorig=None, cat="45", domein="jw"):
    # Provider 87654321: the key declaratie would send for this line.
    return BeoordeeldePrestatie(idempotentie_sleutel=f"87654321:{domein}:{ref}", referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie=cat,
                                productcode="45A07", periode_begin=dt.date(2026, 4, 1), bedrag=bedrag, debet_credit=dc)


async def post(pool, posts, plafonds=None, *, voor=None, na=None) -> BoekResultaat:
    """Book in one unit of work as the use cases do (balances last); `voor`/`na`: SQL run inside it."""
    async with PostgresFacturatieUnitOfWork(pool) as uow:
        if voor:
            await uow.connection.execute(voor)
        result = await boek(uow.grootboek, posts, plafonds=plafonds)
        await uow.grootboek.update_balances(result.saldomutaties)
        if na:
            await uow.connection.execute(na)
        await uow.commit()
    return result


async def balances(pool, gemeente="0632") -> dict[str, int]:
    rows = await pool.fetch("SELECT code, saldo_cent FROM rekeningen WHERE gemeente = $1", gemeente)
    return {r["code"]: r["saldo_cent"] for r in rows}


async def test_migrations_are_idempotent(pool):
    schema = await pool.fetchval("SELECT current_schema()")
    assert await migrate(pool, schema, MIGRATIONS) == []


async def test_posting_books_both_sides_and_the_same_key_twice_books_once(pool):
    posts = [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 118200))]
    first = await post(pool, posts)
    again = await post(pool, posts)
    assert len(first.geboekt) == 1 and again.geboekt == [] and again.al_geboekt == ["87654321:jw:R1"]
    assert await balances(pool) == {"kosten:45": 118200, "crediteur:87654321": -118200}
    assert await pool.fetchval("SELECT count(*) FROM journaalregels") == 2


async def test_same_key_with_other_content_is_refused_and_recorded(pool):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100))])
    result = await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b2", line("R1", 999))])
    assert result.geweigerd == ["87654321:jw:R1"]
    assert await balances(pool) == {"kosten:45": 100, "crediteur:87654321": -100}
    assert await pool.fetchval("SELECT count(*) FROM geweigerde_boekingen") == 1


@pytest.mark.parametrize("statement", ["UPDATE journaalposten SET omschrijving = 'x'", "DELETE FROM journaalregels",
                                       "TRUNCATE journaalposten CASCADE"])
async def test_journal_is_append_only_in_the_database(pool, statement):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100))])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement)


@pytest.mark.parametrize("lines, error", [
    ([(1, 100, 0), (2, 0, 99)], "does not balance"),
    ([(1, 100, 0), (2, 0, 100), (1, 5, 0)], "does not balance"),
    ([(1, 100, 0), (999999, 0, 100)], "account that does not exist"),
])
async def test_the_database_refuses_unbalanced_lines_and_lines_without_an_account(pool, lines, error):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100))])
    post_id = await pool.fetchval("SELECT id FROM journaalposten")
    rekening = {i + 1: r for i, r in enumerate(await pool.fetch("SELECT id FROM rekeningen ORDER BY id"))}
    rows = [(post_id, rekening[k]["id"] if k in rekening else k, d, c) for k, d, c in lines]
    with pytest.raises(asyncpg.PostgresError, match=error):
        await pool.copy_records_to_table("journaalregels", records=rows)
    assert await pool.fetchval("SELECT count(*) FROM journaalregels") == 2


async def test_a_journal_line_cannot_refer_to_an_entry_that_does_not_exist(pool):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100))])
    rekening = await pool.fetchval("SELECT min(id) FROM rekeningen")
    with pytest.raises(asyncpg.ForeignKeyViolationError, match="entry that does not exist"):
        await pool.execute("INSERT INTO journaalregels VALUES (424242, $1, 0, 0)", rekening)


@pytest.mark.parametrize("statement", ["DELETE FROM rekeningen", "TRUNCATE rekeningen CASCADE"])
async def test_accounts_are_never_deleted(pool, statement):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100))])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="not allowed"):
        await pool.execute(statement)


async def test_inbox_claims_an_event_once(pool):
    async with pool.acquire() as conn:
        assert await claim_event(conn, "e1", "facturatie") is True
        assert await claim_event(conn, "e1", "facturatie") is False
        assert await claim_event(conn, "e1", "other-consumer") is True


async def test_concurrent_batches_on_shared_accounts_do_not_deadlock_and_balance(pool):
    # 8 concurrent transactions, each touching the same accounts in different orders.
    async def batch(i: int) -> None:
        posts = [journaalpost_voor("87654321", "0632", "jw", f"b{i}", line(f"R{i}-{j}", 100 + j, cat=c))
                 for j, c in enumerate(["54", "45", "43", "41"][i % 4:] + ["54", "45", "43", "41"][: i % 4])]
        await post(pool, posts)

    await asyncio.wait_for(asyncio.gather(*(batch(i) for i in range(8))), timeout=30)
    b = await balances(pool)
    assert sum(b.values()) == 0  # double entry: the ledger always balances
    assert b["crediteur:87654321"] == -8 * (100 + 101 + 102 + 103)


async def test_a_reversal_books_the_original_entry_exactly_even_when_the_credit_says_otherwise(pool):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 118200))])
    # A credit of R1 for another amount (credits are not judged on content, IV085): the ledger reverses R1 itself.
    credit = journaalpost_voor("87654321", "0632", "jw", "b2", line("C1", 100000, dc="C", vorig="R1"))
    result = await post(pool, [credit])
    assert [(r.rekening, r.debet, r.credit) for r in result.geboekt[0].regels] == [
        ("crediteur:87654321", 118200, 0), ("kosten:45", 0, 118200)]
    assert await balances(pool) == {"kosten:45": 0, "crediteur:87654321": 0}


async def test_the_journal_filters_by_account_kind_domain_and_booking_day(pool):
    await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b1", line("R1", 100, cat="45")),
                          journaalpost_voor("87654321", "0632", "jw", "b1", line("R2", 200, cat="43")),
                          journaalpost_voor("87654321", "0632", "wmo", "b2", line("W1", 300, cat="02", domein="wmo"))])
    async with pool.acquire() as conn:
        async def keys(**f):
            return [p.idempotentie_sleutel for p in await PostgresGrootboek(conn).list_journal(
                "0632", bericht_id=None, limit=10, na_id=0, **f)]
        assert await keys(rekening="kosten:43") == ["87654321:jw:R2"]
        assert await keys(domein="wmo") == ["87654321:wmo:W1"]
        assert await keys(soort="betaling") == []
        today = SYSTEEMKLOK.vandaag()  # booking days are Dutch days
        assert len(await keys(van=today, tot=today)) == 3
        assert await keys(tot=today - dt.timedelta(days=1)) == []


# Spending ceilings: Woerden pays provider 87654321 at most this much for Jeugdwet care delivered in 2026.
PLAFONDS = {("0632", "jw", "87654321", 2026): 1000}


async def book(pool, *lines, plafonds=PLAFONDS):
    return await post(pool, [journaalpost_voor("87654321", "0632", "jw", "b", x) for x in lines], plafonds)


async def test_a_ceiling_holds_across_transactions_and_the_rest_is_withheld(pool):
    await book(pool, line("R1", 600))
    await book(pool, line("R2", 600))
    assert await balances(pool) == {"kosten:45": 1200, "crediteur:87654321": -1000, "ingehouden:87654321": -200}
    await book(pool, line("R3", 1))  # exactly at the ceiling: nothing more is payable
    assert (await balances(pool))["ingehouden:87654321"] == -201


async def test_a_redelivered_line_that_was_partly_withheld_is_recognised_not_refused(pool):
    await book(pool, line("R1", 1500))
    again = await book(pool, line("R1", 1500))
    assert again.al_geboekt == ["87654321:jw:R1"] and again.geweigerd == []


async def test_a_reversal_in_a_later_batch_restores_payable_and_withheld_and_gives_the_room_back(pool):
    await book(pool, line("R1", 1500))
    await book(pool, line("C1", 1500, dc="C", vorig="R1"))
    assert await balances(pool) == {"kosten:45": 0, "crediteur:87654321": 0, "ingehouden:87654321": 0}
    await book(pool, line("R2", 1000))
    assert (await balances(pool))["crediteur:87654321"] == -1000


async def test_care_of_another_year_does_not_use_this_years_room(pool):
    await book(pool, line("R1", 1000).model_copy(update={"periode_begin": dt.date(2025, 12, 1)}))
    await book(pool, line("R2", 1000))
    assert await balances(pool) == {"kosten:45": 2000, "crediteur:87654321": -2000}


async def test_concurrent_batches_never_make_more_payable_than_the_ceiling(pool):
    # Six transactions book for the same provider at once; each alone fits the room, together they do not.
    # Without the per-ceiling lock each would see the full room and 6 × 400 would become payable.
    plafonds = {("0632", "jw", "87654321", 2026): 1000}

    async def batch(i: int) -> None:
        posts = [journaalpost_voor("87654321", "0632", "jw", f"b{i}", line(f"R{i}", 400))]
        # Let them all start before any commits.
        await post(pool, posts, plafonds, voor="SELECT pg_sleep(0.05)", na="SELECT pg_sleep(0.05)")

    await asyncio.wait_for(asyncio.gather(*(batch(i) for i in range(6))), timeout=30)
    assert await balances(pool) == {"kosten:45": 2400, "crediteur:87654321": -1000, "ingehouden:87654321": -1400}


async def test_a_messages_entries_are_found_through_the_id_ranges_it_was_booked_in(pool):
    def entry(bericht, ref):
        return journaalpost_voor("87654321", "0632", "jw", bericht, line(ref, 100))

    await post(pool, [entry("A", "R1"), entry("B", "R2"), entry("A", "R3")])  # interleaved in one batch
    await post(pool, [entry("C", "R4"), entry("A", "R5")])  # and again in a later batch
    async with pool.acquire() as conn:
        async def refs(bericht):
            return [p.idempotentie_sleutel.rsplit(":", 1)[1]
                    for p in await PostgresGrootboek(conn).list_journal("0632", bericht_id=bericht, limit=10, na_id=0)]
        assert await refs("A") == ["R1", "R3", "R5"]
        assert await refs("B") == ["R2"] and await refs("C") == ["R4"] and await refs("onbekend") == []
