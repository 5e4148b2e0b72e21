"""berichtenverkeer's unit of work on PostgreSQL: the platform's transaction with the gateway's stores on its
connection."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from shared.platform.db import Conn, PostgresUnitOfWork

from ..service_layer.unit_of_work import BerichtenverkeerUnitOfWork, UnitOfWorkFabriek
from .repositories import (
    PostgresArchief,
    PostgresBerichten,
    PostgresTermijnen,
    PostgresTijdlijn,
    PostgresUitgaandeFouten,
    PostgresVerzoeken,
)

CONSUMER = "berichtenverkeer"  # the inbox's name for this service's claims (rows already claimed keep it)


class PostgresBerichtenverkeerUnitOfWork(PostgresUnitOfWork, BerichtenverkeerUnitOfWork):
    berichten: PostgresBerichten
    archief: PostgresArchief
    tijdlijn: PostgresTijdlijn
    termijnen: PostgresTermijnen
    verzoeken: PostgresVerzoeken
    uitgaand_afgekeurd: PostgresUitgaandeFouten

    def __init__(self, pool: asyncpg.Pool, consumer: str = CONSUMER, *,
                 on_publish: Callable[[], None] | None = None, readonly: bool = False):
        super().__init__(pool, consumer, on_publish=on_publish, readonly=readonly)
        self._snapshot = readonly

    def repositories(self, conn: Conn) -> None:
        self.berichten = PostgresBerichten(conn)
        self.archief = PostgresArchief(conn)
        self.tijdlijn = PostgresTijdlijn(conn)
        self.termijnen = PostgresTermijnen(conn)
        self.verzoeken = PostgresVerzoeken(conn)
        self.uitgaand_afgekeurd = PostgresUitgaandeFouten(conn)

    async def _begin(self) -> None:
        await super()._begin()
        if self._snapshot:
            # A read sees one snapshot over all its statements: the archive check reads the chain heads and then
            # the links, and a link committed in between must not look like a head that lags behind. Read-only
            # REPEATABLE READ never fails on a concurrent write. Allowed here: no statement ran yet.
            try:
                await self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            except BaseException:
                await self._rollback()
                await self._end()
                raise


def unit_of_work_fabriek(pool_of: Callable[[], asyncpg.Pool],
                         on_publish: Callable[[], None] | None = None) -> UnitOfWorkFabriek:
    """Units of work on the pool `pool_of()` returns (looked up per unit of work: a service's pool exists only
    once the app has started)."""

    def uow(*, readonly: bool = False) -> PostgresBerichtenverkeerUnitOfWork:
        return PostgresBerichtenverkeerUnitOfWork(pool_of(), on_publish=on_publish, readonly=readonly)

    return uow
