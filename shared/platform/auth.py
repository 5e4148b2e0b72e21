"""Who may call: parties by bearer token against the region file's hashed tokens, the services among themselves by
the internal token, operators by theirs on the operations routes."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from fastapi import HTTPException, Request

from shared.platform.begrenzing import json_antwoord
from shared.platform.partij import Party
from shared.platform.regio import Regio, hash_token

__all__ = ["OPERATIONS_PATHS", "OperatorsOnly", "Party", "authenticate", "authenticate_for_gemeente",
           "authenticate_intern", "authenticate_token"]


def authenticate_token(token: str, regio: Regio) -> Party | None:
    """The party a token belongs to, or None for an unknown or revoked one (for a token that did not come in an
    Authorization header, such as the dashboard's login cookie)."""
    found = regio.authenticate(token)
    return None if found is None else Party(*found)


def authenticate(request: Request, regio: Regio) -> Party:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise HTTPException(401, {"error": "missing Authorization header",
                                  "hint": "send 'Authorization: Bearer <token>' with the token from your region"},
                            headers={"WWW-Authenticate": "Bearer"})
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, {"error": "Authorization must be 'Bearer <token>'"},
                            headers={"WWW-Authenticate": "Bearer"})
    party = authenticate_token(token.strip(), regio)
    if party is None:
        raise HTTPException(401, {"error": "unknown or revoked token",
                                  "hint": "ask the regional back office for a valid token"},
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return party


def authenticate_for_gemeente(request: Request, regio: Regio, cbs: str, wat: str) -> Party:
    """A party that may read a municipality's `wat` (its books, its deadlines): the municipality itself or the
    region's controller. 404 for a municipality outside the region, 403 for anyone else."""
    party = authenticate(request, regio)
    if regio.gemeente(cbs) is None:
        raise HTTPException(404, {"error": f"municipality {cbs} is not part of region {regio.code}"})
    if party.soort != "regio" and (party.soort != "gemeente" or party.code != cbs):
        raise HTTPException(403, {"error": f"this token may not read the {wat} of municipality {cbs}"})
    return party


def authenticate_intern(request: Request, intern_token: str) -> None:
    """A call from another service of the back office (declaratie's internal routes): the shared internal token as a
    bearer token, or 401. Parties never get this token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), intern_token.encode()):
        raise HTTPException(401, {"error": "internal route: only the back office's own services may call it",
                                  "hint": "parties use the gateway (berichtenverkeer); a service sends INTERN_TOKEN"},
                            headers={"WWW-Authenticate": "Bearer"})


# What only operators may read: Prometheus metrics and the API documentation (which lists every route).
OPERATIONS_PATHS = frozenset({"/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


def operator_credential(authorization: str) -> str | None:
    """The token in `Bearer <token>`, or the password of `Basic` (so a browser can open /docs), else None."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


class OperatorsOnly:
    """ASGI middleware: `OPERATIONS_PATHS` need the operators' token when its sha256 is configured (production
    requires it; the demo leaves them open and says so on start)."""

    def __init__(self, app: Any, *, token_sha256: str | None):
        self.app, self.token_sha256 = app, token_sha256

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.token_sha256 is not None and scope.get("path") in OPERATIONS_PATHS:
            headers = {k.lower(): v for k, v in scope.get("headers", ())}
            token = operator_credential(headers.get(b"authorization", b"").decode("latin-1"))
            if token is None or not hmac.compare_digest(hash_token(token), self.token_sha256):
                await json_antwoord(send, 401, {"error": "for operators only: send the operators' token (Bearer, or "
                                                         "Basic as password)"},
                                    {"www-authenticate": 'Basic realm="operations", charset="UTF-8"'}, sluiten=False)
                return
        await self.app(scope, receive, send)
