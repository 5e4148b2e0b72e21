"""The outbox relay on real PostgreSQL: a row the broker refuses for good is set aside with its reason, and the
rows behind it still go out; a passing outage keeps every row for the next attempt."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from pydantic import BaseModel

from shared.platform.db import OutboxRelay, enqueue_many
from tests.conftest import schema_pool

pytestmark = pytest.mark.integration
NO_MIGRATIONS = Path(__file__).parent / "no-such-migrations"  # only the shared outbox/inbox tables


class Event(BaseModel):
    bericht_id: str
    body: str


class Broker:
    """Stands in for Kafka: refuses records over `limit` bytes for good, or everything while `down`."""

    def __init__(self, limit: int):
        self.limit, self.down, self.sent = limit, False, []

    async def publish(self, topic: str, key: str, payload: str, traceparent: str | None):
        if self.down:
            raise KafkaConnectionError("broker away")
        if len(payload) > self.limit:
            raise MessageSizeTooLargeError()
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        self.sent.append(key)
        return fut


async def fill(pool, sizes: dict[str, int]) -> None:
    async with pool.acquire() as conn:
        await enqueue_many(conn, [("t", key, Event(bericht_id=key, body="x" * n), None) for key, n in sizes.items()])


async def size_of(pool, key: str) -> int:
    """The bytes the relay sends for the row: its JSON as PostgreSQL renders it."""
    return await pool.fetchval("SELECT octet_length(payload::text) FROM outbox WHERE key = $1", key)


async def test_a_refused_row_is_set_aside_and_the_rows_behind_it_go_out(infra):
    async with schema_pool(infra, "outbox", NO_MIGRATIONS) as pool:
        await fill(pool, {"a": 10, "b": 1000, "c": 10})
        broker = Broker(limit=await size_of(pool, "b") - 1)  # b is one byte over the limit
        assert await OutboxRelay(pool, broker.publish, batch=500).publish_pending() == 2
        assert broker.sent.count("a") >= 1 and broker.sent.count("c") >= 1 and "b" not in broker.sent
        rows = {r["key"]: r for r in await pool.fetch("SELECT key, published_at, refused FROM outbox")}
        assert rows["a"]["published_at"] and rows["c"]["published_at"]
        assert rows["b"]["published_at"] is None
        assert rows["b"]["refused"] == f"MessageSizeTooLargeError: {broker.limit + 1:,} bytes to t"

        # What comes next is not held back by b, and b is not tried again until an operator clears `refused`.
        broker.sent.clear()
        await fill(pool, {"d": 10})
        assert await OutboxRelay(pool, broker.publish).publish_pending() == 1 and broker.sent == ["d"]
        broker.limit = 10_000
        await pool.execute("UPDATE outbox SET refused = NULL WHERE key = 'b'")
        assert await OutboxRelay(pool, broker.publish).publish_pending() == 1 and broker.sent == ["d", "b"]


async def test_a_row_exactly_at_the_limit_goes_out(infra):
    async with schema_pool(infra, "outbox", NO_MIGRATIONS) as pool:
        await fill(pool, {"a": 1000})
        broker = Broker(limit=await size_of(pool, "a"))
        assert await OutboxRelay(pool, broker.publish).publish_pending() == 1
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE refused IS NOT NULL") == 0


async def test_an_outage_sets_nothing_aside(infra):
    async with schema_pool(infra, "outbox", NO_MIGRATIONS) as pool:
        broker = Broker(limit=1000)
        broker.down = True
        await fill(pool, {"a": 10, "b": 10})
        with pytest.raises(KafkaConnectionError):
            await OutboxRelay(pool, broker.publish).publish_pending()
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL AND refused IS NULL") == 2
        broker.down = False
        assert await OutboxRelay(pool, broker.publish).publish_pending() == 2
