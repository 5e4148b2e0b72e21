"""Limits that hold before a route runs: no request body is read past the service's limit, and none at all from a
caller without credentials. An ASGI middleware, outside FastAPI's body parsing and authentication, because FastAPI
reads and parses a body before a route's dependencies (its authentication) run: a 200 MB body sent without a token
would be read whole and answered 400.

- A declared `Content-Length` over the limit gets 413 before a byte is read.
- A body without a (believable) length is counted as it arrives and cut off with 413 at the limit, so a lying or
  absent `Content-Length` cannot help.
- A body sent without `Authorization` or a cookie gets 401 unread, except on the paths where a body *is* the
  credential (a login form).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

# The largest id or offset a query parameter may carry: PostgreSQL's bigint. Past it a query would fail (a 500);
# a route's parameter bounds give a 400 instead.
MAX_BIGINT = 2**63 - 1

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _te_groot(max_bytes: int) -> dict[str, Any]:
    return {"error": f"request body larger than {_leesbaar(max_bytes)}, the limit of this service",
            "hint": "send a smaller body (a message is at most 25 MB, OP179; split a batch)"}


def _leesbaar(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class BodyLimit:
    """ASGI middleware: `max_bytes` per request body; `open_paths` take a body without credentials."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, open_paths: frozenset[str] = frozenset()):
        self.app, self.max_bytes, self.open_paths = app, max_bytes, open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        declared = headers.get(b"content-length")
        has_body = bool(declared and declared.strip() != b"0") or b"transfer-encoding" in headers
        if has_body and scope.get("path") not in self.open_paths \
                and b"authorization" not in headers and b"cookie" not in headers:
            await json_antwoord(send, 401, {"error": "missing Authorization header: credentials come before a "
                                                     "request body",
                                            "hint": "send 'Authorization: Bearer <token>' with the request"},
                                {"www-authenticate": "Bearer"})
            return
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.max_bytes):
            status = 413 if declared.strip().isdigit() else 400
            await json_antwoord(send, status, _te_groot(self.max_bytes) if status == 413
                                else {"error": "Content-Length is not a number"})
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises an HTTPException from reading the body; the service's handler answers it.
                    # Connection: close, so the server stops receiving the rest of the body.
                    raise HTTPException(413, _te_groot(self.max_bytes), headers={"Connection": "close"})
            return message

        return counted


async def json_antwoord(send: Send, status: int, body: dict[str, Any], extra: dict[str, str] | None = None, *,
                        sluiten: bool = True) -> None:
    """Answer from an ASGI middleware, before any route ran. `sluiten`: the request's body was not read, so the
    connection cannot carry another request."""
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    headers += [(b"connection", b"close")] if sluiten else []
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
