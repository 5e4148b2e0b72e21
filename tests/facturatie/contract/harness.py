"""The harness of facturatie's contract suites (the fixture `h` is in conftest.py): the same unit of work, in
memory (tests/facturatie/fakes.py) and on a fresh PostgreSQL schema with facturatie's migrations, plus the few
readers a port does not offer (what was refused)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

import facturatie
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.domain.grootboek import Journaalpost, Regel, saldomutaties
from facturatie.service_layer.unit_of_work import FacturatieUnitOfWork
from shared.kalender import SYSTEEMKLOK
from tests.conftest import schema_pool
from tests.facturatie.fakes import AlleenLezen, DubbeleSleutel, Fabriek

MIGRATIONS = Path(facturatie.__file__).parent / "migrations"
# What each store refuses a second key, cut-off or message with, and a write in a read-only unit of work with.
DUBBEL = (DubbeleSleutel, asyncpg.UniqueViolationError)
ALLEEN_LEZEN = (AlleenLezen, asyncpg.ReadOnlySQLTransactionError)


@dataclasses.dataclass
class Harness:
    make: Callable[..., FacturatieUnitOfWork]
    geweigerd: Callable[[], Awaitable[list[tuple[str, str]]]]  # (key, message id) of refused entries

    async def doe(self, werk: Callable[[FacturatieUnitOfWork], Awaitable[Any]]) -> Any:
        """`werk` in one unit of work that commits."""
        async with self.make() as uow:
            uitkomst = await werk(uow)
            await uow.commit()
        return uitkomst

    async def lees(self, werk: Callable[[FacturatieUnitOfWork], Awaitable[Any]]) -> Any:
        """`werk` in a read-only unit of work."""
        async with self.make(readonly=True) as uow:
            return await werk(uow)


@contextlib.asynccontextmanager
async def fake_harness() -> AsyncIterator[Harness]:
    fabriek = Fabriek()

    async def geweigerd() -> list[tuple[str, str]]:
        return [(k, b) for k, b, _ in fabriek.tabellen.geweigerd]

    yield Harness(fabriek, geweigerd)


@contextlib.asynccontextmanager
async def postgres_harness(infra) -> AsyncIterator[Harness]:
    async with schema_pool(infra, "facturatie", MIGRATIONS) as pool:
        async def geweigerd() -> list[tuple[str, str]]:
            rows = await pool.fetch("SELECT idempotentie_sleutel, bericht_id FROM geweigerde_boekingen ORDER BY id")
            return [(r["idempotentie_sleutel"], r["bericht_id"]) for r in rows]

        yield Harness(lambda readonly=False: PostgresFacturatieUnitOfWork(pool, "contract", readonly=readonly),
                      geweigerd)


VANDAAG = SYSTEEMKLOK.vandaag()  # what both stores book "now" on (the database's now(), the fake's clock)


def post(sleutel: str, *regels: tuple[str, int, int], gemeente: str = "0632", domein: str = "jw",
         bericht_id: str = "b1", soort: str = "prestatie", aanbieder: str | None = "87654321",
         prestatiejaar: int | None = 2026, tegen: str | None = None) -> Journaalpost:
    return Journaalpost(sleutel, gemeente, domein, bericht_id, f"post {sleutel}", tegen,
                        tuple(Regel(*r) for r in regels), soort, aanbieder, prestatiejaar)


def declaratie(sleutel: str, bedrag: int, *, agb: str = "87654321", cat: str = "45", **kw: Any) -> Journaalpost:
    """An approved debit line: expense against the provider's payable."""
    return post(sleutel, (f"kosten:{cat}", bedrag, 0), (f"crediteur:{agb}", 0, bedrag), aanbieder=agb, **kw)


async def boek(h: Harness, *posten: Journaalpost) -> None:
    """Add entries and apply their balances in one unit of work, as the use cases do."""

    async def werk(uow: FacturatieUnitOfWork) -> None:
        await uow.grootboek.add(posten, [p.inhoud_hash for p in posten])
        await uow.grootboek.update_balances(saldomutaties(list(posten)))

    await h.doe(werk)


def dag(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(12), dt.UTC)
