"""The unit of work every service's use cases run in (ports only: no database driver here).

A use case reads like the use case (as in cosmicpython's `unit_of_work.py`):

    async with uow:
        if not await uow.inbox.claim(event.event_id):
            return False                       # seen before: nothing changes
        ...                                    # repositories of the service's own unit of work
        uow.outbox.add(TOPIC, key, event)
        await uow.commit()

Leaving the block without `commit()` rolls everything back, the inbox claim included, so an error never leaves
half an effect. The inbox claim, the effect and the outbox rows commit in one transaction (eventsourcing's
`Tracking` pattern), and a commit that added outbox rows wakes the relay that publishes them; a use case never has
to remember that. The PostgreSQL implementation is `shared.platform.db.PostgresUnitOfWork`; the in-memory one for
service-layer unit tests is `tests/fakes.py`, and `tests/platform/contract/` runs one behaviour suite against
both.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from pydantic import BaseModel


class Inbox(Protocol):
    """Which consumed events this service has processed, claimed in the effect's transaction."""

    async def claim(self, event_id: str) -> bool:
        """True the first time the event is seen."""
        ...

    async def claim_many(self, event_ids: Sequence[str]) -> set[str]:
        """The ids seen for the first time (an id twice in the batch is claimed once)."""
        ...


# (topic, key, event, traceparent): the trace the published event continues
OutboxItem = tuple[str, str, BaseModel, str | None]


class Outbox(Protocol):
    """Events to publish after the commit, written in the same transaction as the effect."""

    async def add(self, topic: str, key: str, event: BaseModel, traceparent: str | None = None) -> None: ...

    async def add_many(self, items: Sequence[OutboxItem]) -> None: ...

    @property
    def added(self) -> int:
        """How many events this unit of work added (so the commit knows to wake the relay)."""
        ...


class UnitOfWork(abc.ABC):
    """One transaction: the service's repositories, the inbox and the outbox. Use it once, with `async with`."""

    inbox: Inbox
    outbox: Outbox

    def __init__(self) -> None:
        self.committed = False

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if not self.committed:
                await self._rollback()
        finally:
            await self._end()

    async def commit(self) -> None:
        await self._commit()
        self.committed = True
        if self.outbox.added:
            self.published()

    def published(self) -> None:  # noqa: B027 (optional hook: most units of work have no relay to wake)
        """Called after a commit that added outbox rows."""

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def _commit(self) -> None: ...

    @abc.abstractmethod
    async def _rollback(self) -> None: ...

    async def _end(self) -> None:  # noqa: B027 (optional hook: release what _begin took)
        """Release what `_begin` took (a connection), after commit or rollback."""
