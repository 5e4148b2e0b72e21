"""declaratie's internal HTTP API: the pre-check the gateway forwards. Not for parties directly: the gateway
authenticates them, reads the XML and writes the answer; this only judges (and publishes no port in compose)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen

from ..service_layer.handlers import proef
from .diensten import Diensten, diensten

router = APIRouter(prefix="/intern/v1", tags=["intern"])


@router.post("/proef", summary="Judge a declaration without recording anything (the gateway's pre-check)")
async def beoordeel_proef(event: DeclaratieOntvangen,
                          d: Annotated[Diensten, Depends(diensten)]) -> DeclaratieBeoordeeld:
    return await proef(d.uow, d.regio, d.geheim, event)
