"""HTTP API for providers and municipalities (versioned /v1, documented at /docs). A route authenticates the
party, reads the request, calls one use case and writes its answer; a refusal (`domain.fouten`) becomes its status
code here, in `STATUS`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace

from shared.istandaard import MAX_BERICHT_BYTES
from shared.platform.auth import Party, authenticate, authenticate_for_gemeente
from shared.platform.begrenzing import MAX_BIGINT
from shared.platform.werkpool import buiten_de_lus, naar_omvang

from ..domain.batch import MAX_BERICHTEN, ZIP_TYPES, BatchError, berichten_uit_zip
from ..domain.fouten import (
    Dubbel,
    Geweigerd,
    Gewist,
    NietBeschikbaar,
    NietBevoegd,
    NietGevonden,
    NietLeesbaar,
    NietVerwerkbaar,
)
from ..domain.lifecycle import Status
from ..service_layer.inzien import eigen_bericht, eigen_berichten, haal_antwoord_op, haal_op, postvak, tijdlijn
from ..service_layer.ontvangen import ontvang_berichten
from ..service_layer.proef import proef
from ..service_layer.termijnen import overzicht
from ..service_layer.unit_of_work import Bericht
from .diensten import Diensten, diensten

XML_TYPES = ("application/xml", "text/xml")
tracer = trace.get_tracer("berichtenverkeer.http")
router = APIRouter(prefix="/v1", tags=["berichten"])
Dienst = Annotated[Diensten, Depends(diensten)]

STATUS: dict[type[Geweigerd], int] = {NietLeesbaar: 400, NietBevoegd: 403, NietGevonden: 404, Dubbel: 409,
                                      Gewist: 410, NietVerwerkbaar: 422, NietBeschikbaar: 503}


def weigering(exc: Geweigerd, body: dict[str, Any] | None = None) -> JSONResponse:
    """The answer to a refused request: its body (or `body`) with the status code of its kind."""
    status = next(STATUS[k] for k in type(exc).__mro__ if k in STATUS)
    return JSONResponse(exc.body if body is None else body, status_code=status)


async def geweigerd(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler (bootstrap installs it) for a refusal a route lets through."""
    assert isinstance(exc, Geweigerd)  # registered for Geweigerd only
    return weigering(exc)


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
        entries = await buiten_de_lus(berichten_uit_zip, raw, MAX_BERICHT_BYTES)  # inflating is CPU work
    except BatchError as exc:
        raise HTTPException(exc.status, {"error": exc.error, "hint": exc.hint}) from None
    return [inhoud for _naam, inhoud in entries], [naam for naam, _inhoud in entries]


async def binnen_limiet(request: Request, d: Diensten) -> Party:
    """The authenticated party, if it is within its request rate (429 with Retry-After otherwise)."""
    party = authenticate(request, d.regio)
    wachten = await d.limiet.vraag(f"{party.soort}:{party.code}")
    if wachten:
        raise HTTPException(429, {"error": f"more than {d.limiet.per_seconde:g} requests per second from this party",
                                  "hint": "slow down; send batches as a ZIP", "retry_after_s": round(wachten, 2)},
                            headers={"Retry-After": str(max(1, round(wachten + 0.5)))})
    return party


def _regel(b: Bericht) -> dict[str, Any]:
    """A message in a list (mailbox, own messages)."""
    return {"id": str(b.id), "richting": b.richting, "domein": b.domein, "berichttype": b.berichttype,
            "afzender": b.afzender, "ontvanger": b.ontvanger, "identificatie": b.identificatie, "status": b.status,
            "ontvangen_at": b.ontvangen_at.isoformat()}


@router.get("/termijnen", tags=["termijnen"], summary="Your own obligations to answer messages, earliest first")
async def eigen_termijnen(request: Request, d: Dienst, alleen_open: bool = True) -> dict:
    party = await binnen_limiet(request, d)
    return await overzicht(d.uow, d.klok, party.code, alleen_open=alleen_open)


@router.get("/gemeenten/{cbs}/termijnen", tags=["termijnen"],
            summary="A municipality's obligations to answer messages, earliest deadline first, with their standing")
async def termijnen(request: Request, cbs: str, d: Dienst, alleen_open: bool = True) -> dict:
    authenticate_for_gemeente(request, d.regio, cbs, "deadlines")
    return await overzicht(d.uow, d.klok, d.regio.huidige_code(cbs), alleen_open=alleen_open)


@router.post("/berichten", status_code=202,
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
async def submit(request: Request, d: Dienst) -> JSONResponse:
    with tracer.start_as_current_span("POST /v1/berichten", kind=trace.SpanKind.SERVER):
        party = await binnen_limiet(request, d)
        raws, namen = await berichten_body(request)
        try:
            results = await ontvang_berichten(d.uow, d.regio, d.klok, party, raws)
        except Geweigerd as exc:
            return weigering(exc, _met_bestand(exc.body, namen))
        return _ontvangen(results, namen)


def _met_bestand(body: dict[str, Any], namen: list[str] | None) -> dict[str, Any]:
    """A refusal of a batch names the file (a batch of one too)."""
    if namen is None:
        return body
    return {**body, "bestand": namen[body["bericht"] - 1] if "bericht" in body else namen[0]}


def _ontvangen(results: list[dict[str, Any]], namen: list[str] | None) -> JSONResponse:
    for x in results:
        x["links"] = {rel: f"/v1/berichten/{x['bericht_id']}{suffix}" for rel, suffix in
                      (("self", ""), ("antwoord", "/antwoord"), ("tijdlijn", "/tijdlijn"))}
    if namen is None:
        return JSONResponse(results[0], status_code=200 if results[0]["herhaald"] else 202)
    return JSONResponse({"berichten": [{"bestand": n, **x} for n, x in zip(namen, results)]},
                        status_code=200 if all(x["herhaald"] for x in results) else 202)


@router.post("/declaraties/proef",
             summary="Pre-check a declaration (323): the would-be 325 and reasons, nothing kept",
             responses={400: {"description": "not a valid 3.2 message; problems listed"},
                        401: {"description": "missing or unknown token"}, 403: {"description": "not your message"},
                        415: {"description": "not application/xml"},
                        422: {"description": "not a declaration, or municipality not handled here"},
                        503: {"description": "the assessment service is not reachable; try again shortly"}})
async def pre_check(request: Request, d: Dienst) -> JSONResponse:
    with tracer.start_as_current_span("POST /v1/declaraties/proef", kind=trace.SpanKind.SERVER):
        party = await binnen_limiet(request, d)
        raw = await xml_body(request)
        try:
            body = await proef(d.regio, d.klok, d.beoordelaar, party, raw)
        except Geweigerd as exc:
            return weigering(exc)
        # Rendering the answer of a large declaration (a line each, and its 325) is CPU work too.
        return await naar_omvang(len(body["regels"]), JSONResponse, body)


@router.get("/berichten/{bericht_id}", summary="Status of a message, with the reasons for rejected lines")
async def get_status(request: Request, bericht_id: str, d: Dienst) -> dict:
    b = await eigen_bericht(d.uow, await binnen_limiet(request, d), bericht_id)
    return {"bericht_id": str(b.id), "richting": b.richting, "domein": b.domein, "type": b.berichttype,
            "identificatie": b.identificatie, "afzender": b.afzender, "ontvanger": b.ontvanger, "status": b.status,
            "ontvangen_at": b.ontvangen_at.isoformat(), "bijgewerkt_at": b.bijgewerkt_at.isoformat(),
            "antwoord_beschikbaar": b.antwoord_id is not None, "samenvatting": b.samenvatting or {}}


@router.get("/berichten/{bericht_id}/antwoord", summary="The answer (325) as XML; 404 until it exists",
            responses={200: {"content": {"application/xml": {}}}})
async def get_antwoord(request: Request, bericht_id: str, d: Dienst) -> Response:
    antwoord_id, xml = await haal_antwoord_op(d.uow, d.klok, await binnen_limiet(request, d), bericht_id)
    return Response(xml, media_type="application/xml", headers={"X-Bericht-Id": str(antwoord_id)})


@router.get("/berichten/{bericht_id}/inhoud", summary="A message as XML, byte-exact as archived; fetching a message "
            "addressed to you marks it delivered", responses={200: {"content": {"application/xml": {}}}})
async def get_inhoud(request: Request, bericht_id: str, d: Dienst) -> Response:
    b, xml = await haal_op(d.uow, d.klok, await binnen_limiet(request, d), bericht_id)
    return Response(xml, media_type="application/xml", headers={"X-Bericht-Id": str(b.id)})


@router.get("/postvak", summary="Messages addressed to you that you have not fetched yet, oldest first")
async def get_postvak(request: Request, d: Dienst, limit: int = Query(100, ge=1, le=500)) -> dict:
    berichten = await postvak(d.uow, await binnen_limiet(request, d), limit)
    return {"berichten": [{**_regel(b), "inhoud": f"/v1/berichten/{b.id}/inhoud"} for b in berichten]}


@router.get("/berichten/{bericht_id}/tijdlijn", summary="Every step of a message with its timestamp and trace id")
async def get_tijdlijn(request: Request, bericht_id: str, d: Dienst) -> dict:
    b, stappen = await tijdlijn(d.uow, await binnen_limiet(request, d), bericht_id)
    return {"bericht_id": str(b.id), "stappen": [
        {"stap": s.stap, "at": s.at.isoformat(), "trace_id": s.trace_id, "detail": s.detail or {}} for s in stappen]}


@router.get("/berichten", summary="Your own messages, newest first, paged")
async def list_own(request: Request, d: Dienst, type: str | None = Query(None, pattern=r"^\d{3}$"),
                   status: Status | None = None, sinds: dt.datetime | None = None,
                   limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_BIGINT)) -> dict:
    party = await binnen_limiet(request, d)
    berichten = await eigen_berichten(d.uow, party, berichttype=type, status=status, sinds=sinds, limit=limit,
                                      offset=offset)
    return {"berichten": [_regel(b) for b in berichten],
            "volgende_offset": offset + limit if len(berichten) == limit else None}
