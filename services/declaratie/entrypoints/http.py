"""declaratie's internal HTTP API: the pre-check the gateway forwards. Not for parties directly: the gateway
authenticates them, reads the XML and writes the answer; this only judges. Only the back office's services may call
it (the internal token; 401 for anyone else), and compose publishes no port for it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from shared.platform.auth import authenticate_intern
from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen

from ..service_layer.handlers import proef
from .diensten import Diensten, diensten

router = APIRouter(prefix="/intern/v1", tags=["intern"])


def alleen_intern(request: Request, d: Annotated[Diensten, Depends(diensten)]) -> Diensten:
    authenticate_intern(request, d.intern_token)
    return d


@router.post("/proef", summary="Judge a declaration without recording anything (the gateway's pre-check)",
             responses={401: {"description": "not called by a service of the back office (internal token)"}})
async def beoordeel_proef(event: DeclaratieOntvangen,
                          d: Annotated[Diensten, Depends(alleen_intern)]) -> DeclaratieBeoordeeld:
    return await proef(d.uow, d.regio, d.geheim, event)
