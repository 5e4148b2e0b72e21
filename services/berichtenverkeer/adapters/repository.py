"""asyncpg adapter: messages, archive, answers and timeline of berichtenverkeer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.kalender import nederlandse_datum

from ..domain.archief import Gearchiveerd, Schakel, bewaren_tot


async def find_by_hash(conn: asyncpg.Connection, afzender: str, richting: str, sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, status FROM berichten WHERE afzender = $1 AND richting = $2 AND sha256 = $3",
                               afzender, richting, sha256)


async def insert_bericht(conn: asyncpg.Connection, *, bericht_id: uuid.UUID, richting: str, domein: str,
                         berichttype: str, afzender: str, ontvanger: str, identificatie: str, sha256: str,
                         status: str, raw: bytes, samenvatting: dict[str, Any] | None,
                         bewaartermijn_jaren: int) -> None:
    """Store a message and archive its bytes as the next link of the chain of the party it was exchanged with:
    the sender of what came in, the addressee of what goes out."""
    await conn.execute(
        "INSERT INTO berichten (id, richting, domein, berichttype, afzender, ontvanger, identificatie, sha256, status, "
        "samenvatting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        bericht_id, richting, domein, berichttype, afzender, ontvanger, identificatie, sha256, status, samenvatting)
    partij = afzender if richting == "in" else ontvanger
    # Locks the party's chain head until commit: links of one party are numbered without gaps, in commit order.
    kop = await conn.fetchrow(
        "INSERT INTO archief_ketens (partij) VALUES ($1) ON CONFLICT (partij) DO UPDATE SET partij = EXCLUDED.partij "
        "RETURNING volgnummer, kop_hash", partij)
    nu = dt.datetime.now(dt.UTC)
    schakel = Schakel(partij=partij, volgnummer=kop["volgnummer"] + 1, bericht_id=str(bericht_id), richting=richting,
                      berichttype=berichttype, sha256=sha256, opgeslagen_at=nu,
                      bewaren_tot=bewaren_tot(nederlandse_datum(nu), bewaartermijn_jaren),
                      vorige_hash=kop["kop_hash"])
    keten_hash = schakel.hash()
    await conn.execute(
        "WITH link AS (INSERT INTO archief (bericht_id, richting, inhoud, sha256, opgeslagen_at, partij, volgnummer, "
        "berichttype, bewaren_tot, vorige_hash, keten_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)) "
        "UPDATE archief_ketens SET volgnummer = $7, kop_hash = $11 WHERE partij = $6",
        bericht_id, richting, raw, sha256, nu, partij, schakel.volgnummer, berichttype, schakel.bewaren_tot,
        schakel.vorige_hash, keten_hash)


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


async def find_identificatie(conn: asyncpg.Connection, afzender: str, domein: str, berichttype: str,
                             identificatie: str) -> asyncpg.Record | None:
    """An earlier message of this sender and berichtsoort (domain and type: JW305 and WMO305 are different kinds)
    with this Identificatie (TR056)."""
    return await conn.fetchrow(
        "SELECT id, sha256 FROM berichten WHERE richting = 'in' AND afzender = $1 AND berichttype = $2 "
        "AND identificatie = $3 AND domein = $4 ORDER BY ontvangen_at LIMIT 1",
        afzender, berichttype, identificatie, domein)


async def find_heen(conn: asyncpg.Connection, berichttype: str, gemeente: str, aanbieder: str,
                    identificatie: str) -> asyncpg.Record | None:
    """The municipality's message (301/319) to this provider that a retour names, with its answer if any.
    Locked, so two retours on one message cannot both be taken as its answer."""
    return await conn.fetchrow(
        "SELECT b.id, b.status, a.antwoord_id FROM berichten b LEFT JOIN antwoorden a ON a.bericht_id = b.id "
        "WHERE b.richting = 'in' AND b.berichttype = $1 AND b.afzender = $2 AND b.ontvanger = $3 "
        "AND b.identificatie = $4 ORDER BY b.ontvangen_at LIMIT 1 FOR UPDATE OF b", berichttype, gemeente, aanbieder,
        identificatie)


async def mark_afgeleverd(conn: asyncpg.Connection, bericht_id: uuid.UUID) -> bool:
    """The addressee fetched the message: true the first time (status afgeleverd unless already answered)."""
    return await conn.fetchval(
        "UPDATE berichten SET afgeleverd_at = now(), bijgewerkt_at = now(), "
        "status = CASE WHEN status = 'ter_aflevering' THEN 'afgeleverd' ELSE status END "
        "WHERE id = $1 AND afgeleverd_at IS NULL RETURNING true", bericht_id) is not None


async def postvak(conn: asyncpg.Connection, partij: str, limit: int) -> list[asyncpg.Record]:
    """Messages addressed to a party that it has not fetched yet, oldest first. A municipality's declarations
    (323) are handled by the back office on its behalf and are not delivered."""
    return await conn.fetch(
        "SELECT id, richting, domein, berichttype, afzender, ontvanger, identificatie, status, ontvangen_at "
        "FROM berichten WHERE ontvanger = $1 AND afgeleverd_at IS NULL AND berichttype <> '323' "
        "ORDER BY ontvangen_at, id LIMIT $2", partij, limit)


async def add_verzoek_referenties(conn: asyncpg.Connection, bericht_id: uuid.UUID, domein: str, gemeente: str,
                                  aanbieder: str, referenties: list[str]) -> None:
    await conn.executemany(
        "INSERT INTO verzoek_referenties (domein, gemeente, aanbieder, referentie, bericht_id) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [(domein, gemeente, aanbieder, r, bericht_id) for r in referenties])


async def open_verzoeken(conn: asyncpg.Connection, domein: str, gemeente: str, aanbieder: str,
                         referenties: list[str]) -> list[uuid.UUID]:
    """Requests (315/317) still waiting for a 301 or 319 that carry one of these references."""
    return [r["bericht_id"] for r in await conn.fetch(
        "SELECT DISTINCT v.bericht_id FROM verzoek_referenties v JOIN berichten b ON b.id = v.bericht_id "
        "WHERE v.domein = $1 AND v.gemeente = $2 AND v.aanbieder = $3 AND v.referentie = ANY($4::text[]) "
        "AND b.status = 'in_behandeling' ORDER BY v.bericht_id", domein, gemeente, aanbieder, referenties)]


async def archief_partijen(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT partij, volgnummer, kop_hash FROM archief_ketens ORDER BY partij")


async def archief_partijen_in_links(conn: asyncpg.Connection) -> list[str]:
    """Parties with links, head or not (a deleted head must not hide a chain from the check)."""
    return [r["partij"] for r in await conn.fetch("SELECT DISTINCT partij FROM archief")]


async def archief_keten(conn: asyncpg.Connection, partij: str) -> list[Gearchiveerd]:
    rows = await conn.fetch(
        "SELECT partij, volgnummer, bericht_id, richting, berichttype, sha256, opgeslagen_at, bewaren_tot, "
        "vorige_hash, keten_hash, encode(sha256(inhoud), 'hex') AS inhoud_sha256 FROM archief WHERE partij = $1 "
        "ORDER BY volgnummer", partij)
    return [Gearchiveerd(Schakel(partij=r["partij"], volgnummer=r["volgnummer"], bericht_id=str(r["bericht_id"]),
                                 richting=r["richting"], berichttype=r["berichttype"], sha256=r["sha256"],
                                 opgeslagen_at=r["opgeslagen_at"], bewaren_tot=r["bewaren_tot"],
                                 vorige_hash=r["vorige_hash"]), r["keten_hash"], r["inhoud_sha256"])
            for r in rows]


async def wis_verlopen_inhoud(conn: asyncpg.Connection, peildatum: dt.date) -> int:
    """Erase the content of messages whose retention ended before `peildatum`; the chain stays intact."""
    result = await conn.execute(
        "UPDATE archief SET inhoud = NULL WHERE bewaren_tot < $1 AND inhoud IS NOT NULL", peildatum)
    return int(result.split()[-1])


async def record_uitgaand_afgekeurd(conn: asyncpg.Connection, bericht_id: uuid.UUID, berichttype: str,
                                    regels: list[str], fout: str) -> None:
    await conn.execute("INSERT INTO uitgaand_afgekeurd (bericht_id, berichttype, regels, fout) VALUES ($1, $2, $3, $4) "
                       "ON CONFLICT DO NOTHING", bericht_id, berichttype, regels, fout)


async def uitgaand_afgekeurd(conn: asyncpg.Connection, limit: int = 5) -> tuple[int, list[asyncpg.Record]]:
    total = await conn.fetchval("SELECT count(*) FROM uitgaand_afgekeurd")
    latest = await conn.fetch("SELECT bericht_id, berichttype, regels, gezien_at FROM uitgaand_afgekeurd "
                              "ORDER BY gezien_at DESC LIMIT $1", limit)
    return total, latest
