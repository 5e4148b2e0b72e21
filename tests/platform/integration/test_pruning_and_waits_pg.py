"""On real PostgreSQL: outbox and inbox rows go once past their windows, and only those (never an event not yet
sent or set aside); a unit of work that finds no free connection gives up after its bounded wait."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from shared.platform.db import PostgresUnitOfWork, enqueue_many, prune
from tests.conftest import schema_pool

pytestmark = pytest.mark.integration
NO_MIGRATIONS = Path(__file__).parent / "no-such-migrations"  # only the shared outbox/inbox tables
DAY = 86400


class Event(BaseModel):
    bericht_id: str


async def outbox_row(pool, key: str, *, published_days_ago: float | None, refused: bool = False) -> None:
    async with pool.acquire() as conn:
        await enqueue_many(conn, [("t", key, Event(bericht_id=key), None)])
        await conn.execute(
            "UPDATE outbox SET published_at = CASE WHEN $2::float8 IS NULL THEN NULL ELSE now() - make_interval("
            "secs => $2::float8) END, created_at = now() - interval '60 days', refused = $3 WHERE key = $1",
            key, None if published_days_ago is None else published_days_ago * DAY, "refused" if refused else None)


async def inbox_row(pool, event_id: str, days_ago: float) -> None:
    await pool.execute("INSERT INTO inbox (event_id, consumer, processed_at) VALUES "
                       "($1, 'c', now() - make_interval(secs => $2::float8))", event_id, days_ago * DAY)


async def test_only_rows_past_their_window_are_pruned(infra):
    async with schema_pool(infra, "prune", NO_MIGRATIONS) as pool:
        await outbox_row(pool, "sent-long-ago", published_days_ago=7.01)
        await outbox_row(pool, "sent-inside-window", published_days_ago=6.99)
        await outbox_row(pool, "never-sent", published_days_ago=None)
        await outbox_row(pool, "refused", published_days_ago=None, refused=True)
        await inbox_row(pool, "old", 30.01)
        await inbox_row(pool, "recent", 29.99)

        assert await prune(pool, outbox_days=7, inbox_days=30) == (1, 1)
        assert sorted(r["key"] for r in await pool.fetch("SELECT key FROM outbox")) == [
            "never-sent", "refused", "sent-inside-window"]
        assert [r["event_id"] for r in await pool.fetch("SELECT event_id FROM inbox")] == ["recent"]
        assert await prune(pool, outbox_days=7, inbox_days=30) == (0, 0)  # idempotent


async def test_pruning_works_through_more_than_one_batch(infra, monkeypatch):
    monkeypatch.setattr("shared.platform.db.PRUNE_BATCH", 3)
    async with schema_pool(infra, "prunebatch", NO_MIGRATIONS) as pool:
        for i in range(7):
            await inbox_row(pool, f"e{i}", 40)
        assert await prune(pool, outbox_days=7, inbox_days=30) == (0, 7)


async def test_a_unit_of_work_waits_a_bounded_time_for_a_connection(infra):
    async with schema_pool(infra, "wait", NO_MIGRATIONS) as pool:
        held = [await pool.acquire() for _ in range(pool.get_max_size())]  # every connection busy
        try:
            t0 = time.monotonic()
            with pytest.raises(TimeoutError):  # an outage error: a route answers 503 with Retry-After
                async with PostgresUnitOfWork(pool, "c", acquire_timeout=0.3):
                    pass
            assert 0.25 < time.monotonic() - t0 < 10  # it waited, and then gave up
        finally:
            for conn in held:
                await pool.release(conn)
        async with PostgresUnitOfWork(pool, "c", acquire_timeout=0.3) as uow:  # free again: it works
            assert await uow.inbox.claim("x")
            await uow.commit()
