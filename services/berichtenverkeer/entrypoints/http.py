"""HTTP API for providers and municipalities (versioned /v1, documented at /docs)."""

from __future__ import annotations

import datetime as dt
import functools
import time
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace

from shared.istandaard import MAX_BERICHT_BYTES
from shared.platform.auth import Party, authenticate, authenticate_for_gemeente
from shared.platform.ratelimit import RateLimiter
from shared.platform.service import Runtime
from shared.platform.telemetry import current_trace_id

from ..adapters import repository as repo
from ..domain.batch import MAX_BERICHTEN, ZIP_TYPES, BatchError, berichten_uit_zip
from ..domain.lifecycle import Stap, Status
from ..service_layer.handlers import Refused, ontvang_berichten, proef
from ..service_layer.termijnen import gauge_open_termijnen, overzicht

XML_TYPES = ("application/xml", "text/xml")
tracer = trace.get_tracer("berichtenverkeer.http")


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body(request: Request, allowed: tuple[str, ...], what: str) -> bytes:
    """The request body within the 25 MB limit (OP179; a ZIP batch too), or the specific 4xx."""
    content_type = _content_type(request)
    if content_type not in allowed:
        raise HTTPException(415, {"error": f"Content-Type must be {' or '.join(allowed)}, got {content_type or 'none'}",
                                  "hint": what})
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BERICHT_BYTES:
        raise HTTPException(413, {"error": "request larger than 25 MB (OP179)"})
    raw = bytearray()
    async for chunk in request.stream():  # counted as it arrives: a lying or absent Content-Length cannot help
        raw += chunk
        if len(raw) > MAX_BERICHT_BYTES:
            raise HTTPException(413, {"error": "request larger than 25 MB (OP179)"})
    if not raw.strip():
        raise HTTPException(400, {"error": f"empty body: {what}"})
    return bytes(raw)


async def xml_body(request: Request) -> bytes:
    return await _body(request, XML_TYPES, "send one iJw/iWmo 3.2 XML message as application/xml")


async def berichten_body(request: Request) -> tuple[list[bytes], list[str] | None]:
    """One XML message, or a ZIP batch of up to 30 (with their entry names)."""
    wat = f"send one XML message (application/xml) or a ZIP of up to {MAX_BERICHTEN} (application/zip)"
    raw = await _body(request, XML_TYPES + ZIP_TYPES, wat)
    if _content_type(request) in XML_TYPES:
        return [raw], None
    try:
        entries = berichten_uit_zip(raw, MAX_BERICHT_BYTES)
    except BatchError as exc:
        raise HTTPException(exc.status, {"error": exc.error, "hint": exc.hint}) from None
    return [inhoud for _naam, inhoud in entries], [naam for naam, _inhoud in entries]


async def uitgaand_in_health(runtime: Runtime) -> dict:
    """In /health: messages the back office made and refused to send (a bug to fix; see the service log)."""
    async with runtime.db().acquire(timeout=2.0) as conn:
        total, latest = await repo.uitgaand_afgekeurd(conn)
    return {"uitgaand_afgekeurd": total,
            "laatste_uitgaand_afgekeurd": [{"bericht_id": str(r["bericht_id"]), "berichttype": r["berichttype"],
                                            "regels": list(r["regels"]), "gezien_at": r["gezien_at"].isoformat()}
                                           for r in latest]}


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["berichten"])
    runtime.scrape_hooks.append(gauge_open_termijnen(runtime.registry, runtime.db))
    runtime.health_hooks.append(functools.partial(uitgaand_in_health, runtime))
    limiter = RateLimiter(runtime.settings.rate_limit_per_partij, max(1, int(5 * runtime.settings.rate_limit_per_partij)))

    def party_within_limit(request: Request) -> Party:
        """The authenticated party, if it is within its request rate (429 with Retry-After otherwise)."""
        party = authenticate(request, runtime.regio)
        wachten = limiter.toestaan(f"{party.soort}:{party.code}", time.monotonic())
        if wachten:
            raise HTTPException(429, {"error": f"more than {runtime.settings.rate_limit_per_partij:g} requests per "
                                               "second from this party", "hint": "slow down; send batches as a ZIP",
                                      "retry_after_s": round(wachten, 2)},
                                headers={"Retry-After": str(max(1, round(wachten + 0.5)))})
        return party

    @r.get("/termijnen", tags=["termijnen"], summary="Your own obligations to answer messages, earliest first")
    async def eigen_termijnen(request: Request, alleen_open: bool = True) -> dict:
        party = party_within_limit(request)
        return await overzicht(runtime.db(), party.code, alleen_open=alleen_open)

    @r.get("/gemeenten/{cbs}/termijnen", tags=["termijnen"],
           summary="A municipality's obligations to answer messages, earliest deadline first, with their standing")
    async def termijnen(request: Request, cbs: str, alleen_open: bool = True) -> dict:
        authenticate_for_gemeente(request, runtime.regio, cbs, "deadlines")
        return await overzicht(runtime.db(), runtime.regio.huidige_code(cbs), alleen_open=alleen_open)

    async def own_bericht(request: Request, bericht_id: str) -> tuple[Party, Any]:
        party = party_within_limit(request)
        try:
            bid = uuid.UUID(bericht_id)
        except ValueError:
            raise HTTPException(404, {"error": f"no message with id {bericht_id}"}) from None
        async with runtime.db().acquire() as conn:
            row = await repo.get_bericht(conn, bid)
        # Someone else's message is reported as absent: ids do not leak across parties.
        if row is None or party.code not in (row["afzender"], row["ontvanger"]):
            raise HTTPException(404, {"error": f"no message with id {bericht_id}"})
        return party, row

    @r.post("/berichten", status_code=202,
            summary=f"Submit one iJw/iWmo 3.2 message (XML), or a batch of up to {MAX_BERICHTEN} as a ZIP",
            description="A batch is checked whole before anything is stored and stored in one transaction: it is "
                        "accepted whole (202 with one result per message, in archive order) or not at all.",
            responses={200: {"description": "identical message submitted before: same id"},
                       400: {"description": "not a valid 3.2 message (problems listed) or not a readable ZIP"},
                       401: {"description": "missing or unknown token"}, 403: {"description": "not your message"},
                       409: {"description": "a retour on a message already answered; an Identificatie reused by "
                                            "a municipality (9056)"},
                       413: {"description": "larger than 25 MB, or more than 30 messages"},
                       415: {"description": "not application/xml or application/zip"},
                       422: {"description": "message type or municipality not handled here"},
                       429: {"description": "too many requests from this party; see Retry-After"}})
    async def submit(request: Request) -> JSONResponse:
        with tracer.start_as_current_span("POST /v1/berichten", kind=trace.SpanKind.SERVER):
            party = party_within_limit(request)
            raws, namen = await berichten_body(request)
            try:
                results = await ontvang_berichten(runtime.db(), runtime.regio, party, raws)
            except Refused as exc:
                body = exc.body
                if namen is not None and "bericht" in body:
                    body = {**body, "bestand": namen[body["bericht"] - 1]}
                elif namen is not None:  # a batch of one: the error names its file too
                    body = {**body, "bestand": namen[0]}
                return JSONResponse(body, status_code=exc.status)
            if any(not x["herhaald"] for x in results):
                runtime.relay.kick()
            for x in results:
                x["links"] = {rel: f"/v1/berichten/{x['bericht_id']}{suffix}" for rel, suffix in
                              (("self", ""), ("antwoord", "/antwoord"), ("tijdlijn", "/tijdlijn"))}
            if namen is None:
                return JSONResponse(results[0], status_code=200 if results[0]["herhaald"] else 202)
            return JSONResponse({"berichten": [{"bestand": n, **x} for n, x in zip(namen, results)]},
                                status_code=200 if all(x["herhaald"] for x in results) else 202)

    @r.post("/declaraties/proef", summary="Pre-check a declaration (323): the would-be 325 and reasons, nothing kept",
            responses={400: {"description": "not a valid 3.2 message; problems listed"},
                       401: {"description": "missing or unknown token"}, 403: {"description": "not your message"},
                       415: {"description": "not application/xml"},
                       422: {"description": "not a declaration, or municipality not handled here"},
                       503: {"description": "the assessment service is not reachable; try again shortly"}})
    async def pre_check(request: Request) -> JSONResponse:
        with tracer.start_as_current_span("POST /v1/declaraties/proef", kind=trace.SpanKind.SERVER):
            party = party_within_limit(request)
            raw = await xml_body(request)
            try:
                body = await proef(runtime.regio, party, raw, runtime.settings.declaratie_url)
            except Refused as exc:
                return JSONResponse(exc.body, status_code=exc.status)
            return JSONResponse(body)

    @r.get("/berichten/{bericht_id}", summary="Status of a message, with the reasons for rejected lines")
    async def get_status(request: Request, bericht_id: str) -> dict:
        _, row = await own_bericht(request, bericht_id)
        return {"bericht_id": str(row["id"]), "richting": row["richting"], "domein": row["domein"],
                "type": row["berichttype"], "identificatie": row["identificatie"], "afzender": row["afzender"],
                "ontvanger": row["ontvanger"], "status": row["status"],
                "ontvangen_at": row["ontvangen_at"].isoformat(), "bijgewerkt_at": row["bijgewerkt_at"].isoformat(),
                "antwoord_beschikbaar": row["antwoord_id"] is not None, "samenvatting": row["samenvatting"] or {}}

    @r.get("/berichten/{bericht_id}/antwoord", summary="The answer (325) as XML; 404 until it exists",
           responses={200: {"content": {"application/xml": {}}}})
    async def get_antwoord(request: Request, bericht_id: str) -> Response:
        party, row = await own_bericht(request, bericht_id)
        if row["antwoord_id"] is None:
            raise HTTPException(404, {"error": "no answer yet", "status": row["status"],
                                      "hint": "poll again shortly; the 325 follows within seconds"})
        async with runtime.db().acquire() as conn, conn.transaction():
            xml = await repo.raw_of(conn, row["antwoord_id"])
            if party.code == row["afzender"]:  # the sender of the heen message fetches its answer: delivered
                await deliver(conn, row["antwoord_id"])
        return Response(xml, media_type="application/xml",
                        headers={"X-Bericht-Id": str(row["antwoord_id"])})

    async def deliver(conn, bericht_id: uuid.UUID) -> None:
        if await repo.mark_afgeleverd(conn, bericht_id):
            await repo.add_stap(conn, bericht_id, Stap.AFGELEVERD, current_trace_id())

    @r.get("/berichten/{bericht_id}/inhoud", summary="A message as XML, byte-exact as archived; fetching a message "
           "addressed to you marks it delivered", responses={200: {"content": {"application/xml": {}}}})
    async def get_inhoud(request: Request, bericht_id: str) -> Response:
        party, row = await own_bericht(request, bericht_id)
        async with runtime.db().acquire() as conn, conn.transaction():
            xml = await repo.raw_of(conn, row["id"])
            if party.code == row["ontvanger"]:
                await deliver(conn, row["id"])
        if xml is None:
            raise HTTPException(410, {"error": "the content of this message was erased after its retention period",
                                      "sha256": row["sha256"]})
        return Response(xml, media_type="application/xml", headers={"X-Bericht-Id": str(row["id"])})

    @r.get("/postvak", summary="Messages addressed to you that you have not fetched yet, oldest first")
    async def get_postvak(request: Request, limit: int = Query(100, ge=1, le=500)) -> dict:
        party = party_within_limit(request)
        async with runtime.db().acquire() as conn:
            rows = await repo.postvak(conn, party.code, limit)
        return {"berichten": [{**dict(x), "id": str(x["id"]), "ontvangen_at": x["ontvangen_at"].isoformat(),
                               "inhoud": f"/v1/berichten/{x['id']}/inhoud"} for x in rows]}

    @r.get("/berichten/{bericht_id}/tijdlijn", summary="Every step of a message with its timestamp and trace id")
    async def get_tijdlijn(request: Request, bericht_id: str) -> dict:
        _, row = await own_bericht(request, bericht_id)
        async with runtime.db().acquire() as conn:
            stappen = await repo.tijdlijn(conn, row["id"])
        return {"bericht_id": str(row["id"]), "stappen": [
            {"stap": s["stap"], "at": s["at"].isoformat(), "trace_id": s["trace_id"], "detail": s["detail"] or {}}
            for s in stappen]}

    @r.get("/berichten", summary="Your own messages, newest first, paged")
    async def list_own(request: Request, type: str | None = Query(None, pattern=r"^\d{3}$"),
                       status: Status | None = None, sinds: dt.datetime | None = None,
                       limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
        party = party_within_limit(request)
        async with runtime.db().acquire() as conn:
            rows = await repo.list_berichten(conn, party.code, berichttype=type, status=status, sinds=sinds,
                                             limit=limit, offset=offset)
        return {"berichten": [{**dict(x), "id": str(x["id"]), "ontvangen_at": x["ontvangen_at"].isoformat()}
                              for x in rows], "volgende_offset": offset + limit if len(rows) == limit else None}

    return r
