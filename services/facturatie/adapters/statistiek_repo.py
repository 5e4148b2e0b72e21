"""asyncpg adapter for the verdict statistics (migration 005): written with the booking, read by the dashboard."""

from __future__ import annotations

import datetime as dt

import asyncpg

from ..domain.beoordelingsstatistiek import Beoordelingsstatistiek

TIJDZONE = "Europe/Amsterdam"


async def leg_vast(conn: asyncpg.Connection, stats: list[Beoordelingsstatistiek]) -> int:
    """Call inside the booking's transaction. One row per message: a message recorded before (a verdict sent
    again under another event id) keeps its first row and gains no rejections. Returns the rows written."""
    if not stats:
        return 0
    afk = [(s.bericht_id, a) for s in stats for a in s.afkeuringen]
    return await conn.fetchval(
        "WITH nieuw AS (INSERT INTO beoordelingen (bericht_id, gemeente, domein, aanbieder, declaratienummer, "
        "beoordeeld_at, maand, geheel_afgewezen, regels_goedgekeurd, regels_afgekeurd, goedgekeurd_cent, "
        "regionaal_cent, lokaal_cent) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
        "$5::text[], $6::timestamptz[], $7::date[], $8::bool[], $9::int[], $10::int[], $11::bigint[], $12::bigint[], "
        "$13::bigint[]) ON CONFLICT (bericht_id) DO NOTHING RETURNING bericht_id), "
        "afk AS (INSERT INTO afkeuringen (bericht_id, niveau, retourcode, regel, reden, aantal) "
        "SELECT a.* FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::int[]) "
        "AS a(b, n, c, r, t, x) JOIN nieuw ON nieuw.bericht_id = a.b) "
        "SELECT count(*) FROM nieuw",
        [s.bericht_id for s in stats], [s.gemeente for s in stats], [s.domein for s in stats],
        [s.aanbieder for s in stats], [s.declaratienummer for s in stats], [s.beoordeeld_at for s in stats],
        [s.maand for s in stats], [s.geheel_afgewezen for s in stats], [s.regels_goedgekeurd for s in stats],
        [s.regels_afgekeurd for s in stats], [s.goedgekeurd_cent for s in stats], [s.regionaal_cent for s in stats],
        [s.lokaal_cent for s in stats], [b for b, _ in afk], [a.niveau for _, a in afk], [a.retourcode for _, a in afk],
        [a.regel for _, a in afk], [a.reden for _, a in afk], [a.aantal for _, a in afk])


def _maanden(van: dt.date, tot: dt.date) -> tuple[dt.date, dt.date]:
    """Months are stored as their first day: [first of van's month, first of tot's month]."""
    return van.replace(day=1), tot.replace(day=1)


async def totalen(conn: asyncpg.Connection, gemeente: str | None, van: dt.date, tot: dt.date) -> list[asyncpg.Record]:
    """Per municipality: messages judged, rejected as a whole, lines approved and rejected, in the months van..tot."""
    return await conn.fetch(
        "SELECT gemeente, count(*)::int AS berichten, count(*) FILTER (WHERE geheel_afgewezen)::int AS geheel_afgewezen, "
        "coalesce(sum(regels_goedgekeurd), 0)::int AS regels_goedgekeurd, "
        "coalesce(sum(regels_afgekeurd), 0)::int AS regels_afgekeurd FROM beoordelingen "
        "WHERE ($1::text IS NULL OR gemeente = $1) AND maand BETWEEN $2 AND $3 GROUP BY gemeente ORDER BY gemeente",
        gemeente, *_maanden(van, tot))


async def afkeurredenen(conn: asyncpg.Connection, gemeente: str | None, van: dt.date, tot: dt.date,
                        limit: int = 20) -> list[asyncpg.Record]:
    """Rejections ranked: most rejected lines (or messages) first."""
    return await conn.fetch(
        "SELECT a.niveau, a.retourcode, a.regel, a.reden, sum(a.aantal)::int AS aantal, "
        "count(DISTINCT a.bericht_id)::int AS berichten FROM afkeuringen a JOIN beoordelingen b USING (bericht_id) "
        "WHERE ($1::text IS NULL OR b.gemeente = $1) AND b.maand BETWEEN $2 AND $3 "
        "GROUP BY a.niveau, a.retourcode, a.regel, a.reden "
        "ORDER BY aantal DESC, a.retourcode, a.regel NULLS LAST, a.reden NULLS LAST LIMIT $4",
        gemeente, *_maanden(van, tot), limit)


async def recente(conn: asyncpg.Connection, gemeente: str, limit: int = 15) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT bericht_id, domein, aanbieder, declaratienummer, beoordeeld_at, geheel_afgewezen, regels_goedgekeurd, "
        "regels_afgekeurd, goedgekeurd_cent FROM beoordelingen WHERE gemeente = $1 "
        "ORDER BY beoordeeld_at DESC, bericht_id LIMIT $2", gemeente, limit)


async def contractaandeel(conn: asyncpg.Connection, jaar: int) -> list[asyncpg.Record]:
    """Per municipality and domain: approved net expense and the part under a regional contract, in a year."""
    return await conn.fetch(
        "SELECT gemeente, domein, sum(goedgekeurd_cent)::bigint AS goedgekeurd, sum(regionaal_cent)::bigint AS regionaal "
        "FROM beoordelingen WHERE maand >= make_date($1, 1, 1) AND maand < make_date($1 + 1, 1, 1) "
        "GROUP BY gemeente, domein", jaar)


async def beoordeling(conn: asyncpg.Connection, bericht_id: str) -> tuple[asyncpg.Record | None, list[asyncpg.Record]]:
    kop = await conn.fetchrow("SELECT * FROM beoordelingen WHERE bericht_id = $1", bericht_id)
    if kop is None:
        return None, []
    return kop, await conn.fetch("SELECT niveau, retourcode, regel, reden, aantal FROM afkeuringen WHERE bericht_id = $1 "
                                 "ORDER BY niveau, aantal DESC, retourcode", bericht_id)


async def maandcijfers(conn: asyncpg.Connection, gemeente: str | None, van: dt.date,
                       tot: dt.date) -> list[asyncpg.Record]:
    """From the ledger, per municipality and domain: net expense of declaration entries booked on the Dutch days
    van..tot (what was approved) and net withheld beyond spending ceilings."""
    return await conn.fetch(
        "SELECT r.gemeente, r.domein, "
        "coalesce(sum(j.debet_cent - j.credit_cent) FILTER (WHERE r.code LIKE 'kosten:%'), 0)::bigint AS goedgekeurd, "
        "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'ingehouden:%'), 0)::bigint AS ingehouden "
        "FROM rekeningen r JOIN journaalregels j ON j.rekening_id = r.id "
        "JOIN journaalposten p ON p.id = j.journaalpost_id "
        "WHERE ($1::text IS NULL OR r.gemeente = $1) AND (r.code LIKE 'kosten:%' OR r.code LIKE 'ingehouden:%') "
        "AND p.soort = 'prestatie' "
        "AND p.geboekt_at >= ($2::date::timestamp AT TIME ZONE $4) "
        "AND p.geboekt_at < (($3::date + 1)::timestamp AT TIME ZONE $4) GROUP BY r.gemeente, r.domein",
        gemeente, van, tot, TIJDZONE)
