"""Use case: share a regional cost over the municipalities, once per reference."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.platform.regio import Regio

from ..adapters.grootboek_repo import boek
from ..domain.kostenverdeling import verdeel, verdeelposten


class VerdeelsleutelOnbekend(ValueError):
    pass


def gewichten(regio: Regio, sleutel: str) -> dict[str, int]:
    if sleutel == "inwoners":
        return {g.cbs: g.inwoners for g in regio.gemeenten}
    raise VerdeelsleutelOnbekend(f"unknown sharing key {sleutel!r}; known: inwoners")


async def verdeel_kosten(pool: asyncpg.Pool, regio: Regio, referentie: str, omschrijving: str, domein: str,
                         bedrag: int, sleutel: str) -> dict[str, Any]:
    delen = verdeel(bedrag, gewichten(regio, sleutel))
    async with pool.acquire() as conn, conn.transaction():
        result = await boek(conn, verdeelposten(referentie, omschrijving, domein, delen))
    return {"referentie": referentie, "domein": domein, "bedrag_cent": bedrag, "sleutel": sleutel,
            "aandelen": [{"gemeente": cbs, "cent": deel} for cbs, deel in sorted(delen.items())],
            "geboekt": len(result.geboekt), "al_geboekt": len(result.al_geboekt),
            "geweigerd": len(result.geweigerd)}
