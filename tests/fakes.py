"""In-memory stand-ins for the platform's ports, for service-layer unit tests (cosmicpython's FakeUnitOfWork).
`tests/platform/contract/` runs the same behaviour suite against these and against PostgreSQL, so a unit test on a
fake means what it says. A service's own fake unit of work (its repositories) lives in `tests/<service>/fakes.py`
and subclasses `FakeUnitOfWork`."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from shared.platform.unit_of_work import OutboxItem, UnitOfWork


class FakeStore:
    """What a fake database holds between units of work: claimed event ids, published-to-be events, and whatever
    the service's fake repositories keep (`tables`)."""

    def __init__(self) -> None:
        self.inbox: set[str] = set()
        self.outbox: list[tuple[str, str, dict[str, Any], str | None]] = []
        self.tables: dict[str, Any] = {}
        self.commits = 0


class FakeInbox:
    def __init__(self, claimed: set[str], consumer: str):
        self._claimed, self._consumer = claimed, consumer

    async def claim(self, event_id: str) -> bool:
        return bool(await self.claim_many([event_id]))

    async def claim_many(self, event_ids: Sequence[str]) -> set[str]:
        new = {e for e in event_ids if f"{self._consumer}:{e}" not in self._claimed}
        self._claimed |= {f"{self._consumer}:{e}" for e in new}
        return new


class FakeOutbox:
    def __init__(self, rows: list[tuple[str, str, dict[str, Any], str | None]]):
        self._rows = rows

    @property
    def added(self) -> int:
        return len(self._rows)

    async def add(self, topic: str, key: str, event: BaseModel, traceparent: str | None = None) -> None:
        await self.add_many([(topic, key, event, traceparent)])

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        # Serialised at once, as the real outbox does: a later change to the event object changes nothing.
        self._rows.extend((t, k, e.model_dump(mode="json"), tp) for t, k, e, tp in items)


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the store and writes it back on commit: a rollback (or leaving without commit) leaves the
    store exactly as it was, as a PostgreSQL transaction would."""

    def __init__(self, store: FakeStore | None = None, consumer: str = "test"):
        super().__init__()
        self.store = store if store is not None else FakeStore()
        self.consumer = consumer
        self.kicks = 0

    def repositories(self, tables: dict[str, Any]) -> None:
        """Make the service's fake repositories on the working copy of the tables."""

    async def _begin(self) -> None:
        self._inbox = set(self.store.inbox)
        self._outbox: list[tuple[str, str, dict[str, Any], str | None]] = []
        self._tables = copy.deepcopy(self.store.tables)
        self.inbox = FakeInbox(self._inbox, self.consumer)
        self.outbox = FakeOutbox(self._outbox)
        self.repositories(self._tables)

    async def _commit(self) -> None:
        self.store.inbox = self._inbox
        self.store.outbox.extend(self._outbox)
        self.store.tables = self._tables
        self.store.commits += 1

    async def _rollback(self) -> None:
        pass  # the working copy is dropped

    def published(self) -> None:
        self.kicks += 1
