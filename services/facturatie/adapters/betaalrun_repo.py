"""asyncpg adapter for payment runs: what is payable at a cut-off, and the immutable runs themselves."""

from __future__ import annotations

import datetime as dt

import asyncpg

# A cut-off date is a day in the Netherlands: postings made up to its end count.
TIJDZONE = "Europe/Amsterdam"


async def vergrendel(conn: asyncpg.Connection, gemeente: str) -> None:
    """One run at a time per municipality (held until the transaction ends)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"betaalrun:{gemeente}")


async def run_op(conn: asyncpg.Connection, gemeente: str, peildatum: dt.date) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM betaalruns WHERE gemeente = $1 AND peildatum = $2", gemeente, peildatum)


async def laatste_peildatum(conn: asyncpg.Connection, gemeente: str) -> dt.date | None:
    return await conn.fetchval("SELECT max(peildatum) FROM betaalruns WHERE gemeente = $1", gemeente)


async def openstaand(conn: asyncpg.Connection, gemeente: str, peildatum: dt.date) -> dict[tuple[str, str], int]:
    """Per (domain, provider) the payable at the end of the cut-off day: credit minus debit on crediteur:<agb> over
    the declaration entries booked up to then and every payment made so far."""
    rows = await conn.fetch(
        "SELECT r.domein, substr(r.code, 11) AS aanbieder, sum(j.credit_cent - j.debet_cent)::bigint AS saldo "
        "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
        "JOIN journaalposten p ON p.id = j.journaalpost_id "
        "WHERE r.gemeente = $1 AND r.code LIKE 'crediteur:%' "
        "AND (p.soort = 'betaling' OR p.geboekt_at < (($2::date + 1)::timestamp AT TIME ZONE $3)) "
        "GROUP BY r.domein, r.code", gemeente, peildatum, TIJDZONE)
    return {(r["domein"], r["aanbieder"]): r["saldo"] for r in rows}


async def volgend_nummer(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT nextval(pg_get_serial_sequence('betaalruns', 'id'))")


async def leg_vast(conn: asyncpg.Connection, run: int, gemeente: str, peildatum: dt.date,
                   uitvoeringsdatum: dt.date, regels: list[tuple[str, str, int, str, str]], bestand: bytes,
                   sha256: str) -> None:
    """regels: (domain, provider, cents, payment entry key, EndToEndId)."""
    await conn.execute(
        "INSERT INTO betaalruns (id, gemeente, peildatum, uitvoeringsdatum, aantal, totaal_cent, bestand, "
        "bestand_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", run, gemeente, peildatum, uitvoeringsdatum,
        len(regels), sum(r[2] for r in regels), bestand.decode("utf-8"), sha256)
    await conn.executemany(
        "INSERT INTO betaalrun_regels (betaalrun_id, domein, aanbieder, bedrag_cent, idempotentie_sleutel, "
        "end_to_end_id) VALUES ($1, $2, $3, $4, $5, $6)", [(run, *r) for r in regels])


async def runs(conn: asyncpg.Connection, gemeente: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, gemeente, peildatum, uitvoeringsdatum, aantal, totaal_cent, bestand_sha256, aangemaakt_at "
        "FROM betaalruns WHERE gemeente = $1 ORDER BY peildatum DESC", gemeente)


async def run(conn: asyncpg.Connection, gemeente: str, run_id: int) -> tuple[asyncpg.Record | None, list]:
    kop = await conn.fetchrow("SELECT * FROM betaalruns WHERE gemeente = $1 AND id = $2", gemeente, run_id)
    if kop is None:
        return None, []
    return kop, await conn.fetch("SELECT domein, aanbieder, bedrag_cent, end_to_end_id FROM betaalrun_regels "
                                 "WHERE betaalrun_id = $1 ORDER BY domein, aanbieder", run_id)
