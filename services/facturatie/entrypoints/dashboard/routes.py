"""The finance and control dashboard: server-rendered HTML pages under /dashboard (kept out of the OpenAPI of
the JSON API).

  GET  /dashboard                          your own page, or the login form
  GET  /dashboard/inloggen, POST …         paste a token → cookie (see `kijker`)
  POST /dashboard/uitloggen
  GET  /dashboard/gemeenten/{cbs}?jaar=    a municipality (its own token, or the controller's)
  GET  /dashboard/regio?jaar=              the region (controller only)
  GET  /dashboard/declaraties/{bericht_id} one declaration message: verdict, bookings, timeline with trace links

Deadlines and timelines come from berichtenverkeer, asked with the viewer's own token; each timeline step links to
its trace when a trace UI is configured (`Diensten.trace_url`, from TRACE_UI_URL).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...service_layer import dashboard
from ..diensten import Diensten, DienstenDep
from .grafiek import staafdiagram
from .kijker import COOKIE, COOKIE_SECONDEN, Kijker, controleer, kijker_van, zelfde_herkomst
from .opmaak import DOMEIN

log = logging.getLogger(__name__)

router = APIRouter(prefix="/dashboard", include_in_schema=False)

MAX_FORMULIER = 4096
TRACE_ID = re.compile(r"[0-9a-f]{32}")
BEVEILIGING = {
    # No script at all; inline styles only (the page's own <style>); forms only to ourselves; never in a frame.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the login form.
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
}

Toon = Callable[[Kijker], Awaitable[Response]]


def pagina(ds: Diensten, sjabloon: str, status: int = 200, kijker: Kijker | None = None,
           **context: Any) -> HTMLResponse:
    html = ds.sjablonen.get_template(f"{sjabloon}.html").render(kijker=kijker, **context)
    return HTMLResponse(html, status_code=status, headers=BEVEILIGING)


def inloggen(ds: Diensten, melding: str | None, status: int) -> HTMLResponse:
    response = pagina(ds, "inloggen", status if melding else 200, melding=melding)
    if melding:  # a cookie with a token that no longer works is of no use
        response.delete_cookie(COOKIE, path="/dashboard")
    return response


def fout(ds: Diensten, status: int, kop: str, tekst: str, kijker: Kijker | None) -> HTMLResponse:
    return pagina(ds, "fout", status, kijker, kop=kop, tekst=tekst)


def doorverwijzing(doel: str) -> RedirectResponse:
    return RedirectResponse(doel, status_code=303, headers=BEVEILIGING)


def jaar_van(request: Request, dag: dt.date) -> int:
    raw = request.query_params.get("jaar", "")
    return int(raw) if raw.isdigit() and 2015 <= int(raw) <= 2100 else dag.year


async def met_kijker(request: Request, ds: Diensten, toon: Toon) -> Response:
    """Run a page for the viewer; to the login form without one; a database outage as a page, not a 500."""
    kijker, melding, status = kijker_van(request, ds.regio)
    if kijker is None:
        if melding is None:
            return doorverwijzing("/dashboard/inloggen")
        return inloggen(ds, melding, status)
    try:
        return await toon(kijker)
    except ds.storingen as exc:
        log.error("dashboard %s failed: %s", request.url.path, type(exc).__name__)
        return fout(ds, 503, "Tijdelijk niet beschikbaar", "De gegevens konden niet worden gelezen. Probeer het zo "
                    "opnieuw.", kijker)


@router.get("")
async def start(request: Request, ds: DienstenDep) -> Response:
    async def toon(kijker: Kijker) -> Response:
        return doorverwijzing("/dashboard/regio" if kijker.soort == "regio" else f"/dashboard/gemeenten/{kijker.code}")
    return await met_kijker(request, ds, toon)


@router.get("/inloggen")
async def inlogformulier(ds: DienstenDep) -> Response:
    return inloggen(ds, None, 200)


async def _token_uit_formulier(request: Request) -> str | None:
    """The form's token; None when the body is too long to be one."""
    ruw = b""
    async for deel in request.stream():
        ruw += deel
        if len(ruw) > MAX_FORMULIER:
            return None
    return (parse_qs(ruw.decode("utf-8", "replace")).get("token") or [""])[0].strip()


@router.post("/inloggen")
async def inloggen_met_token(request: Request, ds: DienstenDep) -> Response:
    if not zelfde_herkomst(request):
        return fout(ds, 403, "Geen toegang", "Inloggen kan alleen vanaf dit dashboard.", None)
    token = await _token_uit_formulier(request)
    if token is None:
        return inloggen(ds, "Dit is geen token: de invoer is te lang.", 400)
    if not token:
        return inloggen(ds, "Vul een token in.", 400)
    kijker, melding, status = controleer(token, ds.regio)
    if kijker is None:
        return inloggen(ds, melding, status)
    response = doorverwijzing("/dashboard")
    response.set_cookie(COOKIE, token, max_age=COOKIE_SECONDEN, path="/dashboard", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/uitloggen")
async def uitloggen(request: Request, ds: DienstenDep) -> Response:
    if not zelfde_herkomst(request):
        return fout(ds, 403, "Geen toegang", "Uitloggen kan alleen vanaf dit dashboard.", None)
    response = doorverwijzing("/dashboard/inloggen")
    response.delete_cookie(COOKIE, path="/dashboard")
    return response


async def _gemeentepagina(request: Request, ds: Diensten, kijker: Kijker, cbs: str) -> Response:
    g = ds.regio.gemeente(cbs)
    if g is None:
        return fout(ds, 404, "Niet gevonden", f"Gemeente {cbs} hoort niet bij regio {ds.regio.naam}.", kijker)
    if not kijker.mag_zien(g.cbs):
        return fout(ds, 403, "Geen toegang", f"Met deze token ziet u alleen de gegevens van {kijker.naam}.", kijker)
    dag = ds.klok.vandaag()
    async with ds.berichtenverkeer(kijker.token) as bv:
        model = await dashboard.gemeente(ds.uow(readonly=True), ds.regio, g.cbs, jaar_van(request, dag), dag, bv)
    diagram = staafdiagram([(f"{DOMEIN[b.domein]} cat. {b.categorie}", b.verbruikt, b.budget, b.prognose)
                            for b in model.budgetten])
    return pagina(ds, "gemeente", 200, kijker, g=model, diagram=diagram, peildatum=dag)


@router.get("/gemeenten/{cbs}")
async def gemeente(request: Request, ds: DienstenDep, cbs: str) -> Response:
    return await met_kijker(request, ds, lambda kijker: _gemeentepagina(request, ds, kijker, cbs))


async def _regiopagina(request: Request, ds: Diensten, kijker: Kijker) -> Response:
    if kijker.soort != "regio":
        return fout(ds, 403, "Geen toegang", "Het regio-overzicht is voor de controller van de regio.", kijker)
    dag = ds.klok.vandaag()
    async with ds.berichtenverkeer(kijker.token) as bv:
        model = await dashboard.regio_overzicht(ds.uow(readonly=True), ds.regio, jaar_van(request, dag), dag, bv)
    diagram = staafdiagram([(g.naam, g.verbruikt_cent, g.budget_cent, g.prognose_cent) for g in model.gemeenten])
    return pagina(ds, "regio", 200, kijker, r=model, diagram=diagram, totaal=model.totaal, peildatum=dag)


@router.get("/regio")
async def regio_pagina(request: Request, ds: DienstenDep) -> Response:
    return await met_kijker(request, ds, lambda kijker: _regiopagina(request, ds, kijker))


def _met_trace_links(stappen: list[dict[str, Any]], trace_url: str | None) -> list[dict[str, Any]]:
    return [{**s, "trace_url": trace_url.replace("{trace_id}", s["trace_id"])
             if trace_url and TRACE_ID.fullmatch(s.get("trace_id") or "") else None} for s in stappen]


async def _declaratiepagina(ds: Diensten, kijker: Kijker, bericht_id: str) -> Response:
    def niet_gevonden() -> Response:
        return fout(ds, 404, "Niet gevonden", "Geen beoordeelde declaratie met dit kenmerk die u mag zien.", kijker)

    try:
        bid = str(uuid.UUID(bericht_id))
    except ValueError:
        return niet_gevonden()
    model = await dashboard.declaratie(ds.uow(readonly=True), bid)
    # Another municipality's declaration is reported as absent: ids do not leak across parties.
    if model is None or not kijker.mag_zien(model.kop.gemeente):
        return niet_gevonden()
    async with ds.berichtenverkeer(kijker.token) as bv:
        antwoord = await bv.tijdlijn(bid)
    tijdlijn = {"fout": antwoord.fout, "stappen": _met_trace_links((antwoord.data or {}).get("stappen", []),
                                                                   ds.trace_url)}
    g = ds.regio.gemeente(model.kop.gemeente)
    return pagina(ds, "declaratie", 200, kijker, d=model, tijdlijn=tijdlijn,
                  gemeente_naam=g.naam if g else model.kop.gemeente, peildatum=ds.klok.vandaag())


@router.get("/declaraties/{bericht_id}")
async def declaratie(request: Request, ds: DienstenDep, bericht_id: str) -> Response:
    return await met_kijker(request, ds, lambda kijker: _declaratiepagina(ds, kijker, bericht_id))
