"""berichtenverkeer's stores on PostgreSQL (asyncpg), each on the unit of work's connection. They store and read
what the use cases hand them; the time of every change is the use case's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from shared.platform.db import Conn

from ..domain.archief import Gearchiveerd, Kop, Schakel
from ..service_layer.unit_of_work import (
    Bericht,
    Gelijktijdig,
    NieuwBericht,
    Termijn,
    TijdlijnStap,
    UitgaandeFout,
)

# A message with the id of its answer, in the order of `Bericht`'s fields.
_BERICHT = ("SELECT b.id, b.richting, b.domein, b.berichttype, b.afzender, b.ontvanger, b.identificatie, b.sha256, "
            "b.status, b.ontvangen_at, b.bijgewerkt_at, b.samenvatting, b.afgeleverd_at, a.antwoord_id "
            "FROM berichten b LEFT JOIN antwoorden a ON a.bericht_id = b.id ")


def _bericht(row: asyncpg.Record | None) -> Bericht | None:
    return None if row is None else Bericht(*row)


class PostgresBerichten:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def add(self, bericht: NieuwBericht) -> None:
        b = bericht
        try:
            await self._conn.execute(
                "INSERT INTO berichten (id, richting, domein, berichttype, afzender, ontvanger, identificatie, sha256, "
                "status, ontvangen_at, bijgewerkt_at, samenvatting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                "$10, $11)", b.id, b.richting, b.domein, b.berichttype, b.afzender, b.ontvanger, b.identificatie,
                b.sha256, b.status, b.ontvangen_at, b.samenvatting)
        except asyncpg.UniqueViolationError as exc:  # berichten_idempotent: (afzender, richting, sha256)
            raise Gelijktijdig(f"{b.afzender} stored this {b.berichttype} before") from exc

    async def get(self, bericht_id: uuid.UUID) -> Bericht | None:
        return _bericht(await self._conn.fetchrow(_BERICHT + "WHERE b.id = $1", bericht_id))

    async def find_by_hash(self, afzender: str, richting: str, sha256: str) -> Bericht | None:
        return _bericht(await self._conn.fetchrow(
            _BERICHT + "WHERE b.afzender = $1 AND b.richting = $2 AND b.sha256 = $3", afzender, richting, sha256))

    async def find_identificatie(self, afzender: str, domein: str, berichttype: str,
                                 identificatie: str) -> Bericht | None:
        return _bericht(await self._conn.fetchrow(
            _BERICHT + "WHERE b.richting = 'in' AND b.afzender = $1 AND b.berichttype = $2 AND b.identificatie = $3 "
            "AND b.domein = $4 ORDER BY b.ontvangen_at LIMIT 1", afzender, berichttype, identificatie, domein))

    async def find_heen(self, berichttype: str, gemeente: str, aanbieder: str, identificatie: str) -> Bericht | None:
        return _bericht(await self._conn.fetchrow(
            _BERICHT + "WHERE b.richting = 'in' AND b.berichttype = $1 AND b.afzender = $2 AND b.ontvanger = $3 "
            "AND b.identificatie = $4 ORDER BY b.ontvangen_at LIMIT 1 FOR UPDATE OF b", berichttype, gemeente,
            aanbieder, identificatie))

    async def set_status(self, bericht_id: uuid.UUID, status: str, at: dt.datetime,
                         samenvatting_extra: dict[str, Any] | None = None) -> None:
        await self._conn.execute(
            "UPDATE berichten SET status = $2, bijgewerkt_at = $3, "
            "samenvatting = coalesce(samenvatting, '{}'::jsonb) || coalesce($4::jsonb, '{}'::jsonb) WHERE id = $1",
            bericht_id, status, at, samenvatting_extra)

    async def mark_delivered(self, bericht_id: uuid.UUID, at: dt.datetime) -> bool:
        return await self._conn.fetchval(
            "UPDATE berichten SET afgeleverd_at = $2, bijgewerkt_at = $2, "
            "status = CASE WHEN status = 'ter_aflevering' THEN 'afgeleverd' ELSE status END "
            "WHERE id = $1 AND afgeleverd_at IS NULL RETURNING true", bericht_id, at) is not None

    async def link_answer(self, bericht_id: uuid.UUID, antwoord_id: uuid.UUID) -> None:
        try:
            await self._conn.execute("INSERT INTO antwoorden (bericht_id, antwoord_id) VALUES ($1, $2)",
                                     bericht_id, antwoord_id)
        except asyncpg.UniqueViolationError as exc:  # one answer per message
            raise Gelijktijdig(f"message {bericht_id} has an answer already") from exc

    async def has_answer(self, bericht_id: uuid.UUID) -> bool:
        return await self._conn.fetchval("SELECT true FROM antwoorden WHERE bericht_id = $1", bericht_id) is not None

    async def next_answer_number(self) -> int:
        return await self._conn.fetchval("SELECT nextval('antwoord_volgnummer')")

    async def list_mailbox(self, partij: str, limit: int) -> list[Bericht]:
        rows = await self._conn.fetch(
            _BERICHT + "WHERE b.ontvanger = $1 AND b.afgeleverd_at IS NULL AND b.berichttype <> '323' "
            "ORDER BY b.ontvangen_at, b.id LIMIT $2", partij, limit)
        return [Bericht(*r) for r in rows]

    async def list_own(self, partij: str, *, berichttype: str | None, status: str | None, sinds: dt.datetime | None,
                       limit: int, offset: int) -> list[Bericht]:
        rows = await self._conn.fetch(
            _BERICHT + "WHERE (b.afzender = $1 OR b.ontvanger = $1) AND ($2::text IS NULL OR b.berichttype = $2) "
            "AND ($3::text IS NULL OR b.status = $3) AND ($4::timestamptz IS NULL OR b.ontvangen_at >= $4) "
            "ORDER BY b.ontvangen_at DESC, b.id LIMIT $5 OFFSET $6", partij, berichttype, status, sinds, limit, offset)
        return [Bericht(*r) for r in rows]


class PostgresArchief:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def head(self, partij: str) -> Kop:
        # Takes the row lock of the party's head until commit (the upsert makes the row for a new party).
        row = await self._conn.fetchrow(
            "INSERT INTO archief_ketens (partij) VALUES ($1) "
            "ON CONFLICT (partij) DO UPDATE SET partij = EXCLUDED.partij RETURNING volgnummer, kop_hash", partij)
        assert row is not None  # an upsert with RETURNING always returns its row
        return Kop(row["volgnummer"], row["kop_hash"])

    async def add(self, schakel: Schakel, inhoud: bytes) -> None:
        s = schakel
        try:
            await self._conn.execute(
                "WITH link AS (INSERT INTO archief (bericht_id, richting, inhoud, sha256, opgeslagen_at, partij, "
                "volgnummer, berichttype, bewaren_tot, vorige_hash, keten_hash) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)) "
                "UPDATE archief_ketens SET volgnummer = $7, kop_hash = $11 WHERE partij = $6",
                uuid.UUID(s.bericht_id), s.richting, inhoud, s.sha256, s.opgeslagen_at, s.partij, s.volgnummer,
                s.berichttype, s.bewaren_tot, s.vorige_hash, s.hash())
        except asyncpg.UniqueViolationError as exc:  # archief_keten: (partij, volgnummer)
            raise Gelijktijdig(f"link {s.volgnummer} of {s.partij} exists") from exc

    async def content(self, bericht_id: uuid.UUID) -> bytes | None:
        return await self._conn.fetchval("SELECT inhoud FROM archief WHERE bericht_id = $1 ORDER BY id LIMIT 1",
                                         bericht_id)

    async def heads(self) -> dict[str, Kop]:
        rows = await self._conn.fetch("SELECT partij, volgnummer, kop_hash FROM archief_ketens ORDER BY partij")
        return {r["partij"]: Kop(r["volgnummer"], r["kop_hash"]) for r in rows}

    async def parties(self) -> list[str]:
        return [r["partij"] for r in await self._conn.fetch("SELECT DISTINCT partij FROM archief ORDER BY partij")]

    async def chain(self, partij: str) -> list[Gearchiveerd]:
        # The content's hash is computed by the database: checking a large archive does not move its bytes.
        rows = await self._conn.fetch(
            "SELECT partij, volgnummer, bericht_id, richting, berichttype, sha256, opgeslagen_at, bewaren_tot, "
            "vorige_hash, keten_hash, encode(sha256(inhoud), 'hex') AS inhoud_sha256 FROM archief WHERE partij = $1 "
            "ORDER BY volgnummer", partij)
        return [Gearchiveerd(Schakel(partij=r["partij"], volgnummer=r["volgnummer"], bericht_id=str(r["bericht_id"]),
                                     richting=r["richting"], berichttype=r["berichttype"], sha256=r["sha256"],
                                     opgeslagen_at=r["opgeslagen_at"], bewaren_tot=r["bewaren_tot"],
                                     vorige_hash=r["vorige_hash"]), r["keten_hash"], r["inhoud_sha256"])
                for r in rows]

    async def erase_expired(self, peildatum: dt.date) -> int:
        result = await self._conn.execute(
            "UPDATE archief SET inhoud = NULL WHERE bewaren_tot < $1 AND inhoud IS NOT NULL", peildatum)
        return int(result.split()[-1])


class PostgresTijdlijn:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def add(self, bericht_id: uuid.UUID, stap: str, at: dt.datetime, trace_id: str | None,
                  detail: dict[str, Any] | None = None) -> None:
        await self._conn.execute(
            "INSERT INTO tijdlijn (bericht_id, stap, at, trace_id, detail) VALUES ($1, $2, $3, $4, $5)",
            bericht_id, stap, at, trace_id, detail)

    async def list_for(self, bericht_id: uuid.UUID) -> list[TijdlijnStap]:
        rows = await self._conn.fetch(
            "SELECT stap, at, trace_id, detail FROM tijdlijn WHERE bericht_id = $1 ORDER BY id", bericht_id)
        return [TijdlijnStap(*r) for r in rows]


class PostgresTermijnen:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def add(self, bericht_id: uuid.UUID, soort: str, partij: str, uiterlijk: dt.date, *,
                  vervuld_door: uuid.UUID | None = None, vervuld_at: dt.datetime | None = None) -> None:
        await self._conn.execute(
            "INSERT INTO verplichtingen (bericht_id, soort, partij, uiterlijk, vervuld_at, vervuld_door) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            bericht_id, soort, partij, uiterlijk, vervuld_at, vervuld_door)

    async def fulfil(self, bericht_id: uuid.UUID, soort: str, door: uuid.UUID, at: dt.datetime) -> None:
        await self._conn.execute(
            "UPDATE verplichtingen SET vervuld_at = $4, vervuld_door = $3 "
            "WHERE bericht_id = $1 AND soort = $2 AND vervuld_at IS NULL", bericht_id, soort, door, at)

    async def list_for(self, partij: str | None, *, alleen_open: bool, limit: int = 1000) -> list[Termijn]:
        rows = await self._conn.fetch(
            "SELECT v.bericht_id, v.soort, v.partij, v.uiterlijk, v.vervuld_at, v.vervuld_door, b.berichttype, "
            "b.afzender, b.identificatie, b.ontvangen_at FROM verplichtingen v JOIN berichten b ON b.id = v.bericht_id "
            "WHERE ($1::text IS NULL OR v.partij = $1) AND (NOT $2 OR v.vervuld_at IS NULL) "
            "ORDER BY v.uiterlijk, v.bericht_id LIMIT $3", partij, alleen_open, limit)
        return [Termijn(*r) for r in rows]

    async def tel_open(self) -> dict[tuple[str, str, dt.date], int]:
        rows = await self._conn.fetch("SELECT partij, soort, uiterlijk, count(*) AS n FROM verplichtingen "
                                      "WHERE vervuld_at IS NULL GROUP BY partij, soort, uiterlijk")
        return {(r["partij"], r["soort"], r["uiterlijk"]): r["n"] for r in rows}


class PostgresVerzoeken:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def add(self, bericht_id: uuid.UUID, domein: str, gemeente: str, aanbieder: str,
                  referenties: Sequence[str]) -> None:
        await self._conn.executemany(
            "INSERT INTO verzoek_referenties (domein, gemeente, aanbieder, referentie, bericht_id) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [(domein, gemeente, aanbieder, r, bericht_id) for r in referenties])

    async def find_open(self, domein: str, gemeente: str, aanbieder: str,
                        referenties: Sequence[str]) -> list[uuid.UUID]:
        return [r["bericht_id"] for r in await self._conn.fetch(
            "SELECT DISTINCT v.bericht_id FROM verzoek_referenties v JOIN berichten b ON b.id = v.bericht_id "
            "WHERE v.domein = $1 AND v.gemeente = $2 AND v.aanbieder = $3 AND v.referentie = ANY($4::text[]) "
            "AND b.status = 'in_behandeling' ORDER BY v.bericht_id", domein, gemeente, aanbieder, list(referenties))]


class PostgresUitgaandeFouten:
    def __init__(self, conn: Conn):
        self._conn = conn

    async def record(self, bericht_id: uuid.UUID, berichttype: str, regels: list[str], fout: str,
                     at: dt.datetime) -> None:
        await self._conn.execute(
            "INSERT INTO uitgaand_afgekeurd (bericht_id, berichttype, regels, fout, gezien_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", bericht_id, berichttype, regels, fout, at)

    async def summary(self, limit: int = 5) -> tuple[int, list[UitgaandeFout]]:
        total = await self._conn.fetchval("SELECT count(*) FROM uitgaand_afgekeurd")
        rows = await self._conn.fetch("SELECT bericht_id, berichttype, regels, gezien_at FROM uitgaand_afgekeurd "
                                      "ORDER BY gezien_at DESC LIMIT $1", limit)
        return total, [UitgaandeFout(r["bericht_id"], r["berichttype"], list(r["regels"]), r["gezien_at"])
                       for r in rows]
