"""asyncpg adapter for the verdict statistics (migration 005, `service_layer.unit_of_work.Statistiek`): written
with the booking, read by the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg

from shared.platform.db import Conn

from ..domain.beoordelingsstatistiek import (
    Afkeuring,
    Afkeurtelling,
    Beoordelingsstatistiek,
    Beoordelingstelling,
    Contractaandeel,
    Maandcijfer,
)

TIJDZONE = "Europe/Amsterdam"

_RECORD = (
    "WITH nieuw AS (INSERT INTO beoordelingen (bericht_id, gemeente, domein, aanbieder, declaratienummer, "
    "beoordeeld_at, maand, geheel_afgewezen, regels_goedgekeurd, regels_afgekeurd, goedgekeurd_cent, "
    "regionaal_cent, lokaal_cent) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
    "$5::text[], $6::timestamptz[], $7::date[], $8::bool[], $9::int[], $10::int[], $11::bigint[], $12::bigint[], "
    "$13::bigint[]) ON CONFLICT (bericht_id) DO NOTHING RETURNING bericht_id), "
    "afk AS (INSERT INTO afkeuringen (bericht_id, niveau, retourcode, regel, reden, aantal) "
    "SELECT a.* FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::int[]) "
    "AS a(b, n, c, r, t, x) JOIN nieuw ON nieuw.bericht_id = a.b) "
    "SELECT count(*) FROM nieuw")


def _maanden(van: dt.date, tot: dt.date) -> tuple[dt.date, dt.date]:
    """Months are stored as their first day: [first of van's month, first of tot's month]."""
    return van.replace(day=1), tot.replace(day=1)


def _beoordeling(r: asyncpg.Record, afkeuringen: tuple[Afkeuring, ...] = ()) -> Beoordelingsstatistiek:
    return Beoordelingsstatistiek(
        bericht_id=r["bericht_id"], gemeente=r["gemeente"], domein=r["domein"], aanbieder=r["aanbieder"],
        declaratienummer=r["declaratienummer"], beoordeeld_at=r["beoordeeld_at"],
        geheel_afgewezen=r["geheel_afgewezen"], regels_goedgekeurd=r["regels_goedgekeurd"],
        regels_afgekeurd=r["regels_afgekeurd"], goedgekeurd_cent=r["goedgekeurd_cent"],
        regionaal_cent=r["regionaal_cent"], lokaal_cent=r["lokaal_cent"], afkeuringen=afkeuringen)


class PostgresStatistiek:
    """The verdict statistics on the unit of work's connection (inside its transaction)."""

    def __init__(self, conn: Conn):
        self._conn = conn

    async def add(self, stats: Sequence[Beoordelingsstatistiek]) -> int:
        if not stats:
            return 0
        afk = [(s.bericht_id, a) for s in stats for a in s.afkeuringen]
        return await self._conn.fetchval(
            _RECORD,
            [s.bericht_id for s in stats], [s.gemeente for s in stats], [s.domein for s in stats],
            [s.aanbieder for s in stats], [s.declaratienummer for s in stats], [s.beoordeeld_at for s in stats],
            [s.maand for s in stats], [s.geheel_afgewezen for s in stats], [s.regels_goedgekeurd for s in stats],
            [s.regels_afgekeurd for s in stats], [s.goedgekeurd_cent for s in stats],
            [s.regionaal_cent for s in stats], [s.lokaal_cent for s in stats], [b for b, _ in afk],
            [a.niveau for _, a in afk], [a.retourcode for _, a in afk], [a.regel for _, a in afk],
            [a.reden for _, a in afk], [a.aantal for _, a in afk])

    async def count_verdicts(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Beoordelingstelling]:
        rows = await self._conn.fetch(
            "SELECT gemeente, count(*)::int AS berichten, "
            "count(*) FILTER (WHERE geheel_afgewezen)::int AS geheel_afgewezen, "
            "coalesce(sum(regels_goedgekeurd), 0)::int AS regels_goedgekeurd, "
            "coalesce(sum(regels_afgekeurd), 0)::int AS regels_afgekeurd FROM beoordelingen "
            "WHERE ($1::text IS NULL OR gemeente = $1) AND maand BETWEEN $2 AND $3 GROUP BY gemeente ORDER BY gemeente",
            gemeente, *_maanden(van, tot))
        return [Beoordelingstelling(r["gemeente"], r["berichten"], r["geheel_afgewezen"], r["regels_goedgekeurd"],
                                    r["regels_afgekeurd"]) for r in rows]

    async def list_rejection_reasons(self, gemeente: str | None, van: dt.date, tot: dt.date,
                                     limit: int = 20) -> list[Afkeurtelling]:
        rows = await self._conn.fetch(
            "SELECT a.niveau, a.retourcode, a.regel, a.reden, sum(a.aantal)::int AS aantal, "
            "count(DISTINCT a.bericht_id)::int AS berichten FROM afkeuringen a JOIN beoordelingen b USING (bericht_id) "
            "WHERE ($1::text IS NULL OR b.gemeente = $1) AND b.maand BETWEEN $2 AND $3 "
            "GROUP BY a.niveau, a.retourcode, a.regel, a.reden "
            "ORDER BY aantal DESC, a.retourcode, a.regel NULLS LAST, a.reden NULLS LAST LIMIT $4",
            gemeente, *_maanden(van, tot), limit)
        return [Afkeurtelling(r["niveau"], r["retourcode"], r["regel"], r["reden"], r["aantal"], r["berichten"])
                for r in rows]

    async def list_recent(self, gemeente: str, limit: int = 15) -> list[Beoordelingsstatistiek]:
        rows = await self._conn.fetch(
            "SELECT * FROM beoordelingen WHERE gemeente = $1 ORDER BY beoordeeld_at DESC, bericht_id LIMIT $2",
            gemeente, limit)
        return [_beoordeling(r) for r in rows]

    async def list_contract_shares(self, jaar: int) -> list[Contractaandeel]:
        rows = await self._conn.fetch(
            "SELECT gemeente, domein, sum(goedgekeurd_cent)::bigint AS goedgekeurd, "
            "sum(regionaal_cent)::bigint AS regionaal FROM beoordelingen "
            "WHERE maand >= make_date($1, 1, 1) AND maand < make_date($1 + 1, 1, 1) GROUP BY gemeente, domein", jaar)
        return [Contractaandeel(r["gemeente"], r["domein"], r["goedgekeurd"], r["regionaal"]) for r in rows]

    async def get(self, bericht_id: str) -> Beoordelingsstatistiek | None:
        kop = await self._conn.fetchrow("SELECT * FROM beoordelingen WHERE bericht_id = $1", bericht_id)
        if kop is None:
            return None
        rows = await self._conn.fetch(
            "SELECT niveau, retourcode, regel, reden, aantal FROM afkeuringen WHERE bericht_id = $1 "
            "ORDER BY niveau, aantal DESC, retourcode", bericht_id)
        return _beoordeling(kop, tuple(Afkeuring(r["niveau"], r["retourcode"], r["regel"], r["reden"], r["aantal"])
                                       for r in rows))

    async def list_month_figures(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Maandcijfer]:
        rows = await self._conn.fetch(
            "SELECT r.gemeente, r.domein, "
            "coalesce(sum(j.debet_cent - j.credit_cent) FILTER (WHERE r.code LIKE 'kosten:%'), 0)::bigint "
            "AS goedgekeurd, "
            "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'ingehouden:%'), 0)::bigint "
            "AS ingehouden "
            "FROM rekeningen r JOIN journaalregels j ON j.rekening_id = r.id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id "
            "WHERE ($1::text IS NULL OR r.gemeente = $1) AND (r.code LIKE 'kosten:%' OR r.code LIKE 'ingehouden:%') "
            "AND p.soort = 'prestatie' "
            "AND p.geboekt_at >= ($2::date::timestamp AT TIME ZONE $4) "
            "AND p.geboekt_at < (($3::date + 1)::timestamp AT TIME ZONE $4) GROUP BY r.gemeente, r.domein",
            gemeente, van, tot, TIJDZONE)
        return [Maandcijfer(r["gemeente"], r["domein"], r["goedgekeurd"], r["ingehouden"]) for r in rows]
