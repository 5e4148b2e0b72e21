"""declaratie's internal HTTP API: the pre-check the gateway forwards. Not for parties directly: the gateway
authenticates them, reads the XML and writes the answer; this only judges (and publishes no port in compose)."""

from __future__ import annotations

from fastapi import APIRouter

from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen
from shared.platform.service import Runtime

from ..service_layer.handlers import proef


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/intern/v1", tags=["intern"])

    @r.post("/proef", summary="Judge a declaration without recording anything (the gateway's pre-check)")
    async def beoordeel_proef(event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
        return await proef(runtime.db(), runtime.regio, runtime.settings.bsn_sleutel, event)

    return r
