"""HTTP API for providers and municipalities (versioned /v1, documented at /docs)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace

from shared.auth import Party, authenticate, authenticate_for_gemeente
from shared.codec import MAX_BERICHT_BYTES
from shared.service import Runtime

from ..adapters import repository as repo
from ..service_layer.handlers import Refused, ontvang_bericht, proef
from ..service_layer.termijnen import gauge_open_termijnen, overzicht

XML_TYPES = ("application/xml", "text/xml")
tracer = trace.get_tracer("berichtenverkeer.http")


async def xml_body(request: Request) -> bytes:
    """The request's XML message, or the specific 4xx that says what is wrong with it."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in XML_TYPES:
        raise HTTPException(415, {"error": f"Content-Type must be application/xml, got {content_type or 'none'}"})
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BERICHT_BYTES:
        raise HTTPException(413, {"error": "message larger than 25 MB (OP179)"})
    raw = await request.body()
    if len(raw) > MAX_BERICHT_BYTES:
        raise HTTPException(413, {"error": "message larger than 25 MB (OP179)"})
    if not raw.strip():
        raise HTTPException(400, {"error": "empty body: send one iJw/iWmo 3.2 XML message"})
    return raw


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["berichten"])
    runtime.scrape_hooks.append(gauge_open_termijnen(runtime.registry, runtime.db))

    @r.get("/gemeenten/{cbs}/termijnen", tags=["termijnen"],
           summary="A municipality's obligations to answer messages, earliest deadline first, with their standing")
    async def termijnen(request: Request, cbs: str, alleen_open: bool = True) -> dict:
        authenticate_for_gemeente(request, runtime.regio, cbs, "deadlines")
        return await overzicht(runtime.db(), runtime.regio.huidige_code(cbs), alleen_open=alleen_open)

    async def own_bericht(request: Request, bericht_id: str) -> tuple[Party, Any]:
        party = authenticate(request, runtime.regio)
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

    @r.post("/berichten", status_code=202, summary="Submit one iJw/iWmo 3.2 message (XML)",
            responses={200: {"description": "identical message submitted before: same id"},
                       400: {"description": "not a valid 3.2 message; problems listed"},
                       401: {"description": "missing or unknown token"}, 403: {"description": "not your message"},
                       413: {"description": "larger than 25 MB"}, 415: {"description": "not application/xml"},
                       422: {"description": "message type or municipality not handled here"}})
    async def submit(request: Request) -> JSONResponse:
        with tracer.start_as_current_span("POST /v1/berichten", kind=trace.SpanKind.SERVER):
            party = authenticate(request, runtime.regio)
            raw = await xml_body(request)
            try:
                status, body = await ontvang_bericht(runtime.db(), runtime.regio, party, raw)
            except Refused as exc:
                return JSONResponse(exc.body, status_code=exc.status)
            if status == 202:
                runtime.relay.kick()
            body["links"] = {rel: f"/v1/berichten/{body['bericht_id']}{suffix}"
                             for rel, suffix in (("self", ""), ("antwoord", "/antwoord"), ("tijdlijn", "/tijdlijn"))}
            return JSONResponse(body, status_code=status)

    @r.post("/declaraties/proef", summary="Pre-check a declaration (323): the would-be 325 and reasons, nothing kept",
            responses={400: {"description": "not a valid 3.2 message; problems listed"},
                       401: {"description": "missing or unknown token"}, 403: {"description": "not your message"},
                       415: {"description": "not application/xml"},
                       422: {"description": "not a declaration, or municipality not handled here"},
                       503: {"description": "the assessment service is not reachable; try again shortly"}})
    async def pre_check(request: Request) -> JSONResponse:
        with tracer.start_as_current_span("POST /v1/declaraties/proef", kind=trace.SpanKind.SERVER):
            party = authenticate(request, runtime.regio)
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
        _, row = await own_bericht(request, bericht_id)
        if row["antwoord_id"] is None:
            raise HTTPException(404, {"error": "no answer yet", "status": row["status"],
                                      "hint": "poll again shortly; the 325 follows within seconds"})
        async with runtime.db().acquire() as conn:
            xml = await repo.raw_of(conn, row["antwoord_id"])
        return Response(xml, media_type="application/xml",
                        headers={"X-Bericht-Id": str(row["antwoord_id"])})

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
                       status: str | None = None, sinds: dt.datetime | None = None,
                       limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
        party = authenticate(request, runtime.regio)
        async with runtime.db().acquire() as conn:
            rows = await repo.list_berichten(conn, party.code, berichttype=type, status=status, sinds=sinds,
                                             limit=limit, offset=offset)
        return {"berichten": [{**dict(x), "id": str(x["id"]), "ontvangen_at": x["ontvangen_at"].isoformat()}
                              for x in rows], "volgende_offset": offset + limit if len(rows) == limit else None}

    return r
