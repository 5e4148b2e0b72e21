"""asyncpg adapter for payment runs (`service_layer.unit_of_work.Betaalruns`): what is payable at a cut-off, and
the immutable runs themselves."""

from __future__ import annotations

import datetime as dt

import asyncpg

from shared.platform.db import Conn

from ..domain.betaalrun import Betaalbestand, Betaalrun, NieuweBetaalrun, Overboeking

# A cut-off date is a day in the Netherlands: postings made up to its end count.
TIJDZONE = "Europe/Amsterdam"

_KOP = "id, gemeente, peildatum, uitvoeringsdatum, aantal, totaal_cent, bestand_sha256, aangemaakt_at"


def _run(r: asyncpg.Record) -> Betaalrun:
    return Betaalrun(r["id"], r["gemeente"], r["peildatum"], r["uitvoeringsdatum"], r["aantal"], r["totaal_cent"],
                     r["bestand_sha256"], r["aangemaakt_at"])


class PostgresBetaalruns:
    """The payment runs on the unit of work's connection (inside its transaction)."""

    def __init__(self, conn: Conn):
        self._conn = conn

    async def lock(self, gemeente: str) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"betaalrun:{gemeente}")

    async def find(self, gemeente: str, peildatum: dt.date) -> Betaalrun | None:
        r = await self._conn.fetchrow(f"SELECT {_KOP} FROM betaalruns WHERE gemeente = $1 AND peildatum = $2",
                                      gemeente, peildatum)
        return None if r is None else _run(r)

    async def latest_cut_off(self, gemeente: str) -> dt.date | None:
        return await self._conn.fetchval("SELECT max(peildatum) FROM betaalruns WHERE gemeente = $1", gemeente)

    async def list_payable(self, gemeente: str, peildatum: dt.date) -> dict[tuple[str, str], int]:
        rows = await self._conn.fetch(
            "SELECT r.domein, substr(r.code, 11) AS aanbieder, sum(j.credit_cent - j.debet_cent)::bigint AS saldo "
            "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id "
            "WHERE r.gemeente = $1 AND r.code LIKE 'crediteur:%' "
            "AND (p.soort = 'betaling' OR p.geboekt_at < (($2::date + 1)::timestamp AT TIME ZONE $3)) "
            "GROUP BY r.domein, r.code", gemeente, peildatum, TIJDZONE)
        return {(r["domein"], r["aanbieder"]): r["saldo"] for r in rows}

    async def next_number(self) -> int:
        return await self._conn.fetchval("SELECT nextval(pg_get_serial_sequence('betaalruns', 'id'))")

    async def add(self, run: NieuweBetaalrun) -> None:
        await self._conn.execute(
            "INSERT INTO betaalruns (id, gemeente, peildatum, uitvoeringsdatum, aantal, totaal_cent, bestand, "
            "bestand_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", run.id, run.gemeente, run.peildatum,
            run.uitvoeringsdatum, len(run.overboekingen), run.totaal_cent, run.bestand.decode("utf-8"),
            run.bestand_sha256)
        await self._conn.executemany(
            "INSERT INTO betaalrun_regels (betaalrun_id, domein, aanbieder, bedrag_cent, idempotentie_sleutel, "
            "end_to_end_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [(run.id, o.domein, o.aanbieder, o.bedrag_cent, o.idempotentie_sleutel, o.end_to_end_id)
             for o in run.overboekingen])

    async def list_runs(self, gemeente: str) -> list[Betaalrun]:
        rows = await self._conn.fetch(f"SELECT {_KOP} FROM betaalruns WHERE gemeente = $1 ORDER BY peildatum DESC",
                                      gemeente)
        return [_run(r) for r in rows]

    async def get(self, gemeente: str, run_id: int) -> Betaalrun | None:
        r = await self._conn.fetchrow(f"SELECT {_KOP} FROM betaalruns WHERE gemeente = $1 AND id = $2", gemeente,
                                      run_id)
        return None if r is None else _run(r)

    async def list_transfers(self, run_id: int) -> list[Overboeking]:
        rows = await self._conn.fetch(
            "SELECT domein, aanbieder, bedrag_cent, end_to_end_id, idempotentie_sleutel FROM betaalrun_regels "
            "WHERE betaalrun_id = $1 ORDER BY domein, aanbieder", run_id)
        return [Overboeking(r["domein"], r["aanbieder"], r["bedrag_cent"], r["end_to_end_id"],
                            r["idempotentie_sleutel"]) for r in rows]

    async def get_file(self, gemeente: str, run_id: int) -> Betaalbestand | None:
        r = await self._conn.fetchrow("SELECT peildatum, bestand FROM betaalruns WHERE gemeente = $1 AND id = $2",
                                      gemeente, run_id)
        return None if r is None else Betaalbestand(r["peildatum"], r["bestand"])
