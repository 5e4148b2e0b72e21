"""Bearer-token authentication against the region file's hashed tokens."""

from __future__ import annotations

from fastapi import HTTPException, Request

from shared.platform.partij import Party
from shared.platform.regio import Regio

__all__ = ["Party", "authenticate", "authenticate_for_gemeente", "authenticate_token"]


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
