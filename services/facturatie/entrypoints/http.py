"""Finance read API (JSON). A municipality sees only its own books."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request

from shared.auth import authenticate
from shared.service import Runtime

from ..adapters import grootboek_repo


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["grootboek"])

    def eigen_gemeente(request: Request, cbs: str) -> None:
        party = authenticate(request, runtime.regio)
        if runtime.regio.gemeente(cbs) is None:
            raise HTTPException(404, {"error": f"municipality {cbs} is not part of region {runtime.regio.code}"})
        if party.soort != "gemeente" or party.code != cbs:
            raise HTTPException(403, {"error": f"this token may not read the ledger of municipality {cbs}"})

    @r.get("/gemeenten/{cbs}/saldi", summary="Account balances of a municipality (cents, debit positive)")
    async def saldi(request: Request, cbs: str, domein: Literal["jw", "wmo"] | None = None) -> dict:
        eigen_gemeente(request, cbs)
        async with runtime.db().acquire() as conn:
            rows = await grootboek_repo.saldi(conn, cbs, domein)
        return {"gemeente": cbs, "rekeningen": [dict(x) for x in rows]}

    @r.get("/gemeenten/{cbs}/journaal", summary="Journal entries with their lines, oldest first, paged by id")
    async def journaal(request: Request, cbs: str, bericht_id: str | None = None,
                       limit: int = Query(100, ge=1, le=1000), na_id: int = Query(0, ge=0)) -> dict:
        eigen_gemeente(request, cbs)
        async with runtime.db().acquire() as conn:
            posten = await grootboek_repo.journaal(conn, cbs, bericht_id=bericht_id, limit=limit, na_id=na_id)
        return {"gemeente": cbs, "journaalposten": posten,
                "volgende_na_id": posten[-1]["id"] if len(posten) == limit else None}

    return r
