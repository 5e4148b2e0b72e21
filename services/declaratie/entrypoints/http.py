"""declaratie's internal HTTP API: the pre-check the gateway forwards. Not for parties directly: the gateway
authenticates them, reads the XML and writes the answer; this only judges. Only the back office's services may call
it (the internal token; 401 for anyone else), and compose publishes no port for it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError

from shared.platform.auth import authenticate_intern
from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen
from shared.platform.werkpool import naar_omvang

from ..service_layer.handlers import proef
from .diensten import Diensten, diensten

router = APIRouter(prefix="/intern/v1", tags=["intern"])


def alleen_intern(request: Request, d: Annotated[Diensten, Depends(diensten)]) -> Diensten:
    authenticate_intern(request, d.intern_token)
    return d


@router.post("/proef", summary="Judge a declaration without recording anything (the gateway's pre-check)",
             description="The body is a DeclaratieOntvangen event as JSON.", response_model=DeclaratieBeoordeeld,
             responses={400: {"description": "not a DeclaratieOntvangen event"},
                        401: {"description": "not called by a service of the back office (internal token)"}})
async def beoordeel_proef(request: Request, d: Annotated[Diensten, Depends(alleen_intern)]) -> DeclaratieBeoordeeld:
    # The body is read only after the caller proved it is a service of the back office (a declared body parameter
    # would be read and parsed before any dependency runs), and a large one is parsed off the event loop.
    raw = await request.body()
    try:
        event = await naar_omvang(len(raw) // 300, DeclaratieOntvangen.model_validate_json, raw)  # ~300 B a line
    except ValidationError as exc:
        raise HTTPException(400, {"error": "not a DeclaratieOntvangen event",
                                  "problems": [{"path": ".".join(map(str, e["loc"])), "message": e["msg"]}
                                               for e in exc.errors()[:20]]}) from None
    return await proef(d.uow, d.regio, d.geheim, event)
