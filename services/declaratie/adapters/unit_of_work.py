"""declaratie's unit of work on PostgreSQL: the platform's transaction with the registers on its connection."""

from __future__ import annotations

from shared.platform.db import Conn, PostgresUnitOfWork

from ..service_layer.unit_of_work import DeclaratieUnitOfWork
from .register_repo import PostgresRegisters

CONSUMER = "declaratie"  # the inbox's name for this service's claims (rows already claimed keep it)


class PostgresDeclaratieUnitOfWork(PostgresUnitOfWork, DeclaratieUnitOfWork):
    registers: PostgresRegisters

    def repositories(self, conn: Conn) -> None:
        self.registers = PostgresRegisters(conn)
