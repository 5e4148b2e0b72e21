"""One behaviour suite for the platform's unit of work, run against the in-memory fake and against PostgreSQL
(as eventsourcing runs one recorder test case against every adapter). What the service-layer unit tests rely on
from the fake is what the real unit of work does."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from shared.platform.db import PostgresUnitOfWork
from shared.platform.unit_of_work import UnitOfWork
from tests.conftest import fake_and_real, schema_pool
from tests.fakes import FakeStore, FakeUnitOfWork

NO_MIGRATIONS = Path(__file__).parent / "no-such-migrations"  # only the platform's inbox and outbox tables


class Event(BaseModel):
    event_id: str
    bedrag_cent: int


class Harness:
    """Makes units of work on one store and reads back what was committed."""

    def __init__(self, make: Callable[[], UnitOfWork], claimed: Callable, published: Callable, kicks: Callable):
        self.make, self.claimed, self.published, self.kicks = make, claimed, published, kicks


@contextlib.asynccontextmanager
async def fake_harness(infra=None) -> AsyncIterator[Harness]:
    store = FakeStore()
    made: list[FakeUnitOfWork] = []

    def make() -> FakeUnitOfWork:
        made.append(FakeUnitOfWork(store, consumer="contract"))
        return made[-1]

    async def claimed() -> set[str]:
        return {e.partition(":")[2] for e in store.inbox}

    async def published() -> list[tuple[str, str, int]]:
        return [(t, k, p["bedrag_cent"]) for t, k, p, _tp in store.outbox]

    yield Harness(make, claimed, published, lambda: sum(u.kicks for u in made))


@contextlib.asynccontextmanager
async def postgres_harness(infra) -> AsyncIterator[Harness]:
    async with schema_pool(infra, "uow", NO_MIGRATIONS) as pool:
        kicks = [0]

        def kick() -> None:
            kicks[0] += 1

        async def claimed() -> set[str]:
            return {r["event_id"].partition(":")[2] for r in await pool.fetch("SELECT event_id FROM inbox")}

        async def published() -> list[tuple[str, str, int]]:
            rows = await pool.fetch("SELECT topic, key, payload FROM outbox ORDER BY id")
            return [(r["topic"], r["key"], r["payload"]["bedrag_cent"]) for r in rows]

        yield Harness(lambda: PostgresUnitOfWork(pool, "contract", on_publish=kick), claimed, published,
                      lambda: kicks[0])


@pytest.fixture(params=fake_and_real(fake_harness, postgres_harness))
def harness_factory(request):
    if request.param is postgres_harness:
        infra = request.getfixturevalue("infra")
        return lambda: postgres_harness(infra)
    return fake_harness


async def test_a_commit_keeps_the_claim_and_the_events_and_wakes_the_relay_once(harness_factory):
    async with harness_factory() as h:
        async with h.make() as uow:
            assert await uow.inbox.claim("e1")
            await uow.outbox.add("t", "k1", Event(event_id="x1", bedrag_cent=100))
            await uow.outbox.add_many([("t", "k2", Event(event_id="x2", bedrag_cent=-5), None)])
            await uow.commit()
        assert await h.claimed() == {"e1"}
        assert await h.published() == [("t", "k1", 100), ("t", "k2", -5)]
        assert h.kicks() == 1


async def test_leaving_without_commit_changes_nothing(harness_factory):
    async with harness_factory() as h:
        async with h.make() as uow:
            assert await uow.inbox.claim("e1")
            await uow.outbox.add("t", "k1", Event(event_id="x1", bedrag_cent=100))
        assert await h.claimed() == set()
        assert await h.published() == []
        assert h.kicks() == 0


async def test_an_error_rolls_back_the_claim_so_redelivery_is_processed(harness_factory):
    async with harness_factory() as h:
        with pytest.raises(ZeroDivisionError):
            async with h.make() as uow:
                assert await uow.inbox.claim("e1")
                await uow.outbox.add("t", "k1", Event(event_id="x1", bedrag_cent=100))
                _ = 1 / 0
        async with h.make() as uow:
            assert await uow.inbox.claim("e1")  # the redelivery is new: the first attempt left nothing
            await uow.commit()
        assert await h.claimed() == {"e1"}
        assert await h.published() == []


async def test_an_event_is_claimed_once_across_units_of_work_and_within_a_batch(harness_factory):
    async with harness_factory() as h:
        async with h.make() as uow:
            assert await uow.inbox.claim_many(["a", "b", "a"]) == {"a", "b"}
            await uow.commit()
        async with h.make() as uow:
            assert not await uow.inbox.claim("a")
            assert await uow.inbox.claim_many(["b", "c"]) == {"c"}
            await uow.commit()
        assert await h.claimed() == {"a", "b", "c"}


async def test_a_commit_without_events_does_not_wake_the_relay(harness_factory):
    async with harness_factory() as h:
        async with h.make() as uow:
            await uow.inbox.claim("e1")
            await uow.commit()
        assert h.kicks() == 0
