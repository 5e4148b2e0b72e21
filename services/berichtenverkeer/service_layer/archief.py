"""Use cases on the archive: check every party's hash chain, and erase content whose retention has ended."""

from __future__ import annotations

import datetime as dt

import asyncpg

from ..adapters import repository as repo
from ..domain.archief import controleer_keten
from .termijnen import vandaag


async def controleer_archief(pool: asyncpg.Pool, dag: dt.date | None = None) -> dict:
    """Every chain recomputed from the stored links and content: the breaks found, per party."""
    dag = dag or vandaag()
    ketens, breuken = [], []
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        koppen = {r["partij"]: (r["volgnummer"], r["kop_hash"]) for r in await repo.archief_partijen(conn)}
        for partij in sorted(set(koppen) | set(await repo.archief_partijen_in_links(conn))):
            links = await repo.archief_keten(conn, partij)
            gevonden = controleer_keten(partij, links, koppen.get(partij), dag)
            ketens.append({"partij": partij, "berichten": len(links), "intact": not gevonden})
            breuken += [b.as_dict() for b in gevonden]
    return {"peildatum": dag.isoformat(), "intact": not breuken, "ketens": ketens, "breuken": breuken}


async def wis_verlopen(pool: asyncpg.Pool, dag: dt.date | None = None) -> int:
    """Erase the bytes of messages kept past their retention; their links (and content hash) stay."""
    async with pool.acquire() as conn, conn.transaction():
        return await repo.wis_verlopen_inhoud(conn, dag or vandaag())
