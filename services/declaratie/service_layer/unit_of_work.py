"""declaratie's unit of work and the port of the registers its use cases need (no database driver here).

The registers are what the level-3 rules read: allocations (301), message identifications, declarations and
judged lines. A use case loads the context for one message, the domain judges it, and the same transaction records
its facts, the verdict's summary row, the inbox claim and the outbox row. The PostgreSQL implementation is
`declaratie.adapters.unit_of_work`; the in-memory one is `tests/declaratie/fakes.py`, and
`tests/declaratie/contract/test_registers.py` holds both to one behaviour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from shared.models import Declaratiebericht, Toewijzingsbericht
from shared.platform.unit_of_work import UnitOfWork

from ..domain.beoordeling import Beoordeling
from ..domain.context import Beoordelingscontext


class GelijktijdigGebruikt(RuntimeError):
    """Another message took the same number while this one was judged (different partitions, same provider).
    Raised inside the transaction: it rolls back and the event is judged again against the new state."""


@dataclass(frozen=True)
class Samenvatting:
    """The verdict on one message in figures (one row per message: "exactly one 325" is structural)."""

    bericht_id: str
    domein: str
    aanbieder: str
    gemeente: str
    declaratienummer: str
    goedgekeurd: int  # lines
    afgewezen: int  # lines
    toegekend_cent: int  # signed: negative when the granted total is a credit


class Registers(Protocol):
    async def laad_context(self, bericht: Declaratiebericht, gemeente: str,
                           systeemdatum: dt.date) -> Beoordelingscontext:
        """What the rules need from earlier messages of this provider, domain and municipality."""
        ...

    async def leg_vast(self, bericht_id: str, bericht: Declaratiebericht, gemeente: str, ctx: Beoordelingscontext,
                       beoordeling: Beoordeling) -> None:
        """Record what later messages are judged against: the identification always, the declaration and its
        lines only when the message counts as sent (a reused reference number stays under its first use).
        Raises GelijktijdigGebruikt when the identification was taken after `ctx` was loaded; a declaration
        number, line or credit taken meanwhile fails on the store's own unique keys. Either way the transaction
        rolls back and the event is judged again."""
        ...

    async def leg_toewijzingen_vast(self, bericht_id: str, bericht: Toewijzingsbericht, gemeente: str,
                                    client_sleutel: str) -> tuple[int, list[int]]:
        """Record a 301's allocation versions (a version recorded before is ignored). Returns (new versions,
        refused numbers): a number that belongs to another client or provider in this domain and municipality is
        refused with all its versions (TR332)."""
        ...

    async def leg_samenvatting_vast(self, samenvatting: Samenvatting) -> None:
        """Record the verdict's summary row (finance and operations read it)."""
        ...


class DeclaratieUnitOfWork(UnitOfWork):
    """One transaction over declaratie's registers, its inbox and its outbox."""

    registers: Registers


class UnitOfWorkFabriek(Protocol):
    """Makes a fresh unit of work; `readonly`: the store itself refuses any write (the pre-check)."""

    def __call__(self, *, readonly: bool = False) -> DeclaratieUnitOfWork: ...
