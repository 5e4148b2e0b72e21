"""facturatie's unit of work on PostgreSQL: one transaction on a pooled connection with the ledger, payment-run
and statistics repositories made on it (`service_layer.unit_of_work.FacturatieUnitOfWork`)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from shared.platform.db import PostgresUnitOfWork

from ..service_layer.unit_of_work import CONSUMER, FacturatieUnitOfWork
from .betaalrun_repo import PostgresBetaalruns
from .grootboek_repo import PostgresGrootboek
from .statistiek_repo import PostgresStatistiek

# What a read can fail with when the database is away or too slow: the dashboard shows a page saying so.
LEESFOUTEN: tuple[type[Exception], ...] = (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


class PostgresFacturatieUnitOfWork(PostgresUnitOfWork, FacturatieUnitOfWork):
    def __init__(self, pool: asyncpg.Pool, consumer: str = CONSUMER, *,
                 on_publish: Callable[[], None] | None = None, readonly: bool = False):
        super().__init__(pool, consumer, on_publish=on_publish, readonly=readonly)

    def repositories(self, conn: asyncpg.Connection) -> None:
        self.grootboek = PostgresGrootboek(conn)
        self.betaalruns = PostgresBetaalruns(conn)
        self.statistiek = PostgresStatistiek(conn)
