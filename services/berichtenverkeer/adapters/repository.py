"""asyncpg adapter: messages, archive, answers and timeline of berichtenverkeer."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


async def find_by_hash(conn: asyncpg.Connection, afzender: str, richting: str, sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, status FROM berichten WHERE afzender = $1 AND richting = $2 AND sha256 = $3",
                               afzender, richting, sha256)


async def insert_bericht(conn: asyncpg.Connection, *, bericht_id: uuid.UUID, richting: str, domein: str,
                         berichttype: str, afzender: str, ontvanger: str, identificatie: str, sha256: str,
                         status: str, raw: bytes, samenvatting: dict[str, Any] | None) -> None:
    await conn.execute(
        "INSERT INTO berichten (id, richting, domein, berichttype, afzender, ontvanger, identificatie, sha256, status, "
        "samenvatting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        bericht_id, richting, domein, berichttype, afzender, ontvanger, identificatie, sha256, status, samenvatting)
    await conn.execute("INSERT INTO archief (bericht_id, richting, inhoud, sha256) VALUES ($1, $2, $3, $4)",
                       bericht_id, richting, raw, sha256)


async def add_stap(conn: asyncpg.Connection, bericht_id: uuid.UUID, stap: str, trace_id: str | None,
                   detail: dict[str, Any] | None = None) -> None:
    await conn.execute("INSERT INTO tijdlijn (bericht_id, stap, trace_id, detail) VALUES ($1, $2, $3, $4)",
                       bericht_id, stap, trace_id, detail)


async def get_bericht(conn: asyncpg.Connection, bericht_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT b.*, a.antwoord_id FROM berichten b LEFT JOIN antwoorden a ON a.bericht_id = b.id WHERE b.id = $1",
        bericht_id)


async def raw_of(conn: asyncpg.Connection, bericht_id: uuid.UUID) -> bytes | None:
    return await conn.fetchval("SELECT inhoud FROM archief WHERE bericht_id = $1 ORDER BY id LIMIT 1", bericht_id)


async def set_status(conn: asyncpg.Connection, bericht_id: uuid.UUID, status: str,
                     samenvatting_extra: dict[str, Any] | None = None) -> None:
    await conn.execute(
        "UPDATE berichten SET status = $2, bijgewerkt_at = now(), "
        "samenvatting = coalesce(samenvatting, '{}'::jsonb) || coalesce($3::jsonb, '{}'::jsonb) WHERE id = $1",
        bericht_id, status, samenvatting_extra)


async def link_antwoord(conn: asyncpg.Connection, bericht_id: uuid.UUID, antwoord_id: uuid.UUID) -> None:
    await conn.execute("INSERT INTO antwoorden (bericht_id, antwoord_id) VALUES ($1, $2)", bericht_id, antwoord_id)


async def has_antwoord(conn: asyncpg.Connection, bericht_id: uuid.UUID) -> bool:
    return await conn.fetchval("SELECT true FROM antwoorden WHERE bericht_id = $1", bericht_id) is not None


async def next_antwoord_volgnummer(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT nextval('antwoord_volgnummer')")


async def tijdlijn(conn: asyncpg.Connection, bericht_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT stap, at, trace_id, detail FROM tijdlijn WHERE bericht_id = $1 ORDER BY id",
                            bericht_id)


async def list_berichten(conn: asyncpg.Connection, party_code: str, *, berichttype: str | None, status: str | None,
                         sinds, limit: int, offset: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, richting, domein, berichttype, afzender, ontvanger, identificatie, status, ontvangen_at "
        "FROM berichten WHERE (afzender = $1 OR ontvanger = $1) AND ($2::text IS NULL OR berichttype = $2) "
        "AND ($3::text IS NULL OR status = $3) AND ($4::timestamptz IS NULL OR ontvangen_at >= $4) "
        "ORDER BY ontvangen_at DESC, id LIMIT $5 OFFSET $6",
        party_code, berichttype, status, sinds, limit, offset)


async def add_verplichting(conn: asyncpg.Connection, bericht_id: uuid.UUID, soort: str, partij: str, uiterlijk,
                           vervuld_door: uuid.UUID | None = None) -> None:
    await conn.execute(
        "INSERT INTO verplichtingen (bericht_id, soort, partij, uiterlijk, vervuld_at, vervuld_door) "
        "VALUES ($1, $2, $3, $4, CASE WHEN $5::uuid IS NULL THEN NULL ELSE now() END, $5) ON CONFLICT DO NOTHING",
        bericht_id, soort, partij, uiterlijk, vervuld_door)


async def vervul(conn: asyncpg.Connection, bericht_id: uuid.UUID, soort: str, door: uuid.UUID) -> None:
    await conn.execute("UPDATE verplichtingen SET vervuld_at = now(), vervuld_door = $3 "
                       "WHERE bericht_id = $1 AND soort = $2 AND vervuld_at IS NULL", bericht_id, soort, door)


async def verplichtingen(conn: asyncpg.Connection, partij: str | None, *, alleen_open: bool,
                         limit: int = 1000) -> list[asyncpg.Record]:
    """Open obligations (or all), earliest deadline first; `partij` None = every party."""
    return await conn.fetch(
        "SELECT v.bericht_id, v.soort, v.partij, v.uiterlijk, v.vervuld_at, v.vervuld_door, b.berichttype, "
        "b.afzender, b.identificatie, b.ontvangen_at FROM verplichtingen v JOIN berichten b ON b.id = v.bericht_id "
        "WHERE ($1::text IS NULL OR v.partij = $1) AND (NOT $2 OR v.vervuld_at IS NULL) "
        "ORDER BY v.uiterlijk, v.bericht_id LIMIT $3", partij, alleen_open, limit)
