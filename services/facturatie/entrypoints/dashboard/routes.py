"""The finance and control dashboard: server-rendered HTML pages under /dashboard (kept out of the OpenAPI of
the JSON API).

  GET  /dashboard                          your own page, or the login form
  GET  /dashboard/inloggen, POST …         paste a token → cookie
  POST /dashboard/uitloggen
  GET  /dashboard/gemeenten/{cbs}?jaar=    a municipality (its own token, or the controller's)
  GET  /dashboard/regio?jaar=              the region (controller only)
  GET  /dashboard/declaraties/{bericht_id} one declaration message: verdict, bookings, timeline with trace links

Authentication: the API's bearer tokens. A browser cannot send a bearer header, so the login form puts the token
in a cookie (HttpOnly: no script can read it; SameSite=Strict: no other site's page can make the browser send it,
which is also the CSRF defence of these read-only pages; Path=/dashboard; Secure over https; 8 hours). An
`Authorization: Bearer` header is accepted too and wins over the cookie. A provider's token is refused: the
dashboard is for municipalities and the region. An unknown or revoked token gives the login page with a message,
never an error. Login and logout also refuse a POST whose Origin is another site.

Configuration: `BERICHTENVERKEER_URL` (default http://127.0.0.1:8001; `backoffice run` and the tests set it) for
deadlines and timelines, asked with the viewer's own token; `TRACE_UI_URL`, e.g.
`http://localhost:16686/trace/{trace_id}`, makes each timeline step link to its trace (no links when unset).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.platform.regio import Regio
from shared.platform.service import Runtime

from ...adapters.berichtenverkeer import Berichtenverkeer
from ...service_layer import dashboard
from .grafiek import staafdiagram
from .opmaak import DOMEIN
from .weergave import omgeving

log = logging.getLogger(__name__)

COOKIE = "backoffice_dashboard"
COOKIE_SECONDEN = 8 * 3600
MAX_FORMULIER = 4096
TRACE_ID = re.compile(r"[0-9a-f]{32}")
BEVEILIGING = {
    # No script at all; inline styles only (the page's own <style>); forms only to ourselves; never in a frame.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the login form.
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
}
ONBEKEND = "Onbekende of ingetrokken token. Controleer de token of vraag de regionale backoffice om een nieuwe."
AANBIEDER = ("Dit dashboard is voor gemeenten en de controller van de regio. Zorgaanbieders volgen hun berichten "
             "via de API van berichtenverkeer.")


@dataclass(frozen=True)
class Kijker:
    soort: str  # "gemeente" or "regio"
    code: str  # CBS code, or the region's code
    naam: str
    token: str = field(repr=False)  # forwarded to berichtenverkeer; never shown or logged


def kijker_van(request: Request, regio: Regio) -> tuple[Kijker | None, str | None, int]:
    """(viewer, message for the login page, status): no token at all is no message."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
    else:
        token = request.cookies.get(COOKIE, "").strip()
    if not token:
        return None, (ONBEKEND if header is not None else None), 401
    return _controleer(token, regio)


def _controleer(token: str, regio: Regio) -> tuple[Kijker | None, str | None, int]:
    gevonden = regio.authenticate(token)
    if gevonden is None:
        return None, ONBEKEND, 401
    soort, code = gevonden
    if soort == "aanbieder":
        return None, AANBIEDER, 403
    if soort == "gemeente":
        return Kijker(soort, code, regio.gemeente(code).naam, token), None, 200
    return Kijker(soort, code, f"controller {regio.naam}", token), None, 200


def _zelfde_herkomst(request: Request) -> bool:
    """A form POST from our own page: an Origin, when the browser sends one, must be this host."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def _jaar(request: Request, dag: dt.date) -> int:
    raw = request.query_params.get("jaar", "")
    return int(raw) if raw.isdigit() and 2015 <= int(raw) <= 2100 else dag.year


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/dashboard", include_in_schema=False)
    regio = runtime.regio
    env = omgeving(regio)
    bv_url = os.environ.get("BERICHTENVERKEER_URL") or "http://127.0.0.1:8001"
    trace_url = os.environ.get("TRACE_UI_URL") or None

    def pagina(sjabloon: str, status: int = 200, kijker: Kijker | None = None, **context) -> HTMLResponse:
        html = env.get_template(f"{sjabloon}.html").render(kijker=kijker, **context)
        return HTMLResponse(html, status_code=status, headers=BEVEILIGING)

    def inloggen(melding: str | None, status: int) -> HTMLResponse:
        response = pagina("inloggen", status if melding else 200, melding=melding)
        if melding:  # a cookie with a token that no longer works is of no use
            response.delete_cookie(COOKIE, path="/dashboard")
        return response

    def fout(status: int, kop: str, tekst: str, kijker: Kijker | None) -> HTMLResponse:
        return pagina("fout", status, kijker, kop=kop, tekst=tekst)

    async def met_kijker(request: Request, toon):
        """Run a page for the viewer; to the login form without one; a database outage as a page, not a 500."""
        kijker, melding, status = kijker_van(request, regio)
        if kijker is None:
            if melding is None:
                return RedirectResponse("/dashboard/inloggen", status_code=303, headers=BEVEILIGING)
            return inloggen(melding, status)
        try:
            return await toon(kijker)
        except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            log.error("dashboard %s failed: %s", request.url.path, type(exc).__name__)
            return fout(503, "Tijdelijk niet beschikbaar", "De gegevens konden niet worden gelezen. Probeer het zo "
                        "opnieuw.", kijker)

    @r.get("")
    async def start(request: Request) -> Response:
        async def toon(kijker: Kijker) -> Response:
            doel = "/dashboard/regio" if kijker.soort == "regio" else f"/dashboard/gemeenten/{kijker.code}"
            return RedirectResponse(doel, status_code=303, headers=BEVEILIGING)
        return await met_kijker(request, toon)

    @r.get("/inloggen")
    async def inlogformulier() -> Response:
        return inloggen(None, 200)

    @r.post("/inloggen")
    async def inloggen_met_token(request: Request) -> Response:
        if not _zelfde_herkomst(request):
            return fout(403, "Geen toegang", "Inloggen kan alleen vanaf dit dashboard.", None)
        ruw = b""
        async for deel in request.stream():
            ruw += deel
            if len(ruw) > MAX_FORMULIER:
                return inloggen("Dit is geen token: de invoer is te lang.", 400)
        token = (parse_qs(ruw.decode("utf-8", "replace")).get("token") or [""])[0].strip()
        if not token:
            return inloggen("Vul een token in.", 400)
        kijker, melding, status = _controleer(token, regio)
        if kijker is None:
            return inloggen(melding, status)
        response = RedirectResponse("/dashboard", status_code=303, headers=BEVEILIGING)
        response.set_cookie(COOKIE, token, max_age=COOKIE_SECONDEN, path="/dashboard", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    @r.post("/uitloggen")
    async def uitloggen(request: Request) -> Response:
        if not _zelfde_herkomst(request):
            return fout(403, "Geen toegang", "Uitloggen kan alleen vanaf dit dashboard.", None)
        response = RedirectResponse("/dashboard/inloggen", status_code=303, headers=BEVEILIGING)
        response.delete_cookie(COOKIE, path="/dashboard")
        return response

    @r.get("/gemeenten/{cbs}")
    async def gemeente(request: Request, cbs: str) -> Response:
        async def toon(kijker: Kijker) -> Response:
            g = regio.gemeente(cbs)
            if g is None:
                return fout(404, "Niet gevonden", f"Gemeente {cbs} hoort niet bij regio {regio.naam}.", kijker)
            if kijker.soort != "regio" and kijker.code != g.cbs:
                return fout(403, "Geen toegang", f"Met deze token ziet u alleen de gegevens van {kijker.naam}.",
                            kijker)
            dag = dashboard.vandaag()
            async with Berichtenverkeer(bv_url, kijker.token) as bv:
                model = await dashboard.gemeente(runtime.db(), regio, g.cbs, _jaar(request, dag), dag, bv)
            diagram = staafdiagram([(f"{DOMEIN[b.domein]} cat. {b.categorie}", b.verbruikt, b.budget, b.prognose)
                                    for b in model["budgetten"]])
            return pagina("gemeente", 200, kijker, g=model, diagram=diagram, peildatum=dag)
        return await met_kijker(request, toon)

    @r.get("/regio")
    async def regio_pagina(request: Request) -> Response:
        async def toon(kijker: Kijker) -> Response:
            if kijker.soort != "regio":
                return fout(403, "Geen toegang", "Het regio-overzicht is voor de controller van de regio.", kijker)
            dag = dashboard.vandaag()
            async with Berichtenverkeer(bv_url, kijker.token) as bv:
                model = await dashboard.regio_overzicht(runtime.db(), regio, _jaar(request, dag), dag, bv)
            rijen = model["gemeenten"]
            diagram = staafdiagram([(g["naam"], g["verbruikt_cent"], g["budget_cent"], g["prognose_cent"])
                                    for g in rijen])
            totaal = {k: sum(g[k] for g in rijen) for k in (
                "budget_cent", "verbruikt_cent", "prognose_cent", "zonder_budget_cent", "goedgekeurd_maand_cent",
                "ingehouden_maand_cent", "regels_afgekeurd_maand", "geheel_afgewezen_maand")}
            return pagina("regio", 200, kijker, r=model, diagram=diagram, totaal=totaal, peildatum=dag)
        return await met_kijker(request, toon)

    @r.get("/declaraties/{bericht_id}")
    async def declaratie(request: Request, bericht_id: str) -> Response:
        async def toon(kijker: Kijker) -> Response:
            def niet_gevonden() -> Response:
                return fout(404, "Niet gevonden", "Geen beoordeelde declaratie met dit kenmerk die u mag zien.",
                            kijker)
            try:
                bid = str(uuid.UUID(bericht_id))
            except ValueError:
                return niet_gevonden()
            model = await dashboard.declaratie(runtime.db(), bid)
            # Another municipality's declaration is reported as absent: ids do not leak across parties.
            if model is None or (kijker.soort != "regio" and kijker.code != model["kop"]["gemeente"]):
                return niet_gevonden()
            async with Berichtenverkeer(bv_url, kijker.token) as bv:
                antwoord = await bv.tijdlijn(bid)
            tijdlijn = {"fout": antwoord.fout, "stappen": [
                {**s, "trace_url": trace_url.replace("{trace_id}", s["trace_id"])
                 if trace_url and TRACE_ID.fullmatch(s.get("trace_id") or "") else None}
                for s in (antwoord.data or {}).get("stappen", [])]}
            g = regio.gemeente(model["kop"]["gemeente"])
            return pagina("declaratie", 200, kijker, d=model, tijdlijn=tijdlijn,
                          gemeente_naam=g.naam if g else model["kop"]["gemeente"], peildatum=dashboard.vandaag())
        return await met_kijker(request, toon)

    return r
