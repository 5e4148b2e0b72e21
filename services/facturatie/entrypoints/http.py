"""Finance read API (JSON) and payment runs. A municipality sees only its own books; the region's controller
sees every municipality's."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.kalender import SYSTEEMKLOK
from shared.platform.auth import authenticate, authenticate_for_gemeente
from shared.platform.events import idempotentie_sleutel
from shared.platform.service import Runtime

from ..adapters import betaalrun_repo, grootboek_repo
from ..domain.budget import Budgetstand, Plafondstand, prognose
from ..service_layer.betaalruns import BetaalrunGeweigerd, maak_betaalrun, samenvatting
from ..service_layer.kostenverdeling import VerdeelsleutelOnbekend, verdeel_kosten


class BetaalrunVerzoek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    peildatum: dt.date
    uitvoeringsdatum: dt.date | None = None  # default: today


class KostenverdelingVerzoek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    referentie: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # once per reference: the same one again books nothing
    omschrijving: str = Field(min_length=1, max_length=140)
    domein: Literal["jw", "wmo"]
    bedrag_cent: int = Field(gt=0)
    sleutel: str = "inwoners"


def router(runtime: Runtime) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["grootboek"])

    def mag_lezen(request: Request, cbs: str) -> None:
        authenticate_for_gemeente(request, runtime.regio, cbs, "ledger")

    @r.get("/gemeenten/{cbs}/saldi", summary="Account balances of a municipality (cents, debit positive)")
    async def saldi(request: Request, cbs: str, domein: Literal["jw", "wmo"] | None = None) -> dict:
        mag_lezen(request, cbs)
        async with runtime.db().acquire() as conn:
            rows = await grootboek_repo.saldi(conn, cbs, domein)
        return {"gemeente": cbs, "rekeningen": [dict(x) for x in rows]}

    @r.get("/gemeenten/{cbs}/journaal", summary="Journal entries with their lines, oldest first, paged by id")
    async def journaal(request: Request, cbs: str, bericht_id: str | None = None,
                       domein: Literal["jw", "wmo"] | None = None,
                       soort: Literal["prestatie", "betaling", "kostenverdeling"] | None = None,
                       rekening: str | None = Query(None, max_length=40, description="e.g. kosten:45, crediteur:<AGB>"),
                       van: dt.date | None = None, tot: dt.date | None = None,
                       limit: int = Query(100, ge=1, le=1000), na_id: int = Query(0, ge=0)) -> dict:
        mag_lezen(request, cbs)
        async with runtime.db().acquire() as conn:
            posten = await grootboek_repo.journaal(conn, cbs, bericht_id=bericht_id, limit=limit, na_id=na_id,
                                                   domein=domein, soort=soort, rekening=rekening, van=van, tot=tot)
        return {"gemeente": cbs, "journaalposten": posten,
                "volgende_na_id": posten[-1]["id"] if len(posten) == limit else None}

    @r.get("/gemeenten/{cbs}/regels/{aanbieder}/{domein}/{referentienummer}",
           summary="A declaration line's history: its posting, any reversal, and the payment run that paid it")
    async def regelhistorie(request: Request, cbs: str, aanbieder: str, domein: Literal["jw", "wmo"],
                            referentienummer: str) -> dict:
        mag_lezen(request, cbs)
        sleutel = idempotentie_sleutel(aanbieder, domein, referentienummer)
        async with runtime.db().acquire() as conn:
            posten, betaald = await grootboek_repo.regelhistorie(conn, cbs, sleutel)
        if not posten:
            raise HTTPException(404, {"error": f"no posting for line {referentienummer} of provider {aanbieder} "
                                               f"({domein}) in the ledger of {cbs}",
                                      "hint": "only approved lines are booked; see the 325 for rejected ones"})
        return {"idempotentie_sleutel": sleutel, "bericht_id": posten[0]["bericht_id"],
                "bericht": f"/v1/berichten/{posten[0]['bericht_id']}/tijdlijn (berichtenverkeer)",
                "boekingen": posten, "betaald": betaald}

    @r.get("/gemeenten/{cbs}/budgetten", summary="Budgets with usage so far and a linear forecast to year end")
    async def budgetten(request: Request, cbs: str, jaar: int | None = Query(None, ge=2015, le=2100)) -> dict:
        mag_lezen(request, cbs)
        jaar = jaar or SYSTEEMKLOK.vandaag().year
        async with runtime.db().acquire() as conn:
            kosten = await grootboek_repo.kosten_per_categorie(conn, cbs, jaar)
        standen = [Budgetstand(b.domein, b.categorie, jaar, b.cent, kosten.get((b.domein, b.categorie), 0),
                               prognose(kosten.get((b.domein, b.categorie), 0), jaar, SYSTEEMKLOK.vandaag()))
                   for b in runtime.regio.budgetten if b.gemeente == cbs and b.jaar == jaar]
        zonder = sorted(set(kosten) - {(b.domein, b.categorie) for b in runtime.regio.budgetten
                                       if b.gemeente == cbs and b.jaar == jaar})
        return {"gemeente": cbs, "jaar": jaar, "budgetten": [x.als_dict() for x in standen],
                # Spending on a category without a budget is shown, not hidden.
                "zonder_budget": [{"domein": d, "categorie": c, "verbruikt_cent": kosten[(d, c)]} for d, c in zonder]}

    @r.get("/gemeenten/{cbs}/bestedingsruimte",
           summary="Spending ceilings per provider: payable so far, withheld beyond the ceiling, room left")
    async def bestedingsruimte(request: Request, cbs: str, jaar: int | None = Query(None, ge=2015, le=2100)) -> dict:
        mag_lezen(request, cbs)
        jaar = jaar or SYSTEEMKLOK.vandaag().year
        async with runtime.db().acquire() as conn:
            gebruik = await grootboek_repo.plafondgebruik(conn, cbs, jaar)
        plafonds = {(d, a): c for (g, d, a, j), c in runtime.regio.plafonds().items() if g == cbs and j == jaar}
        standen = [Plafondstand(d, a, jaar, c, *gebruik.get((d, a), (0, 0))) for (d, a), c in sorted(plafonds.items())]
        return {"gemeente": cbs, "jaar": jaar, "toelichting": "jaar = the year the care was delivered in; withheld "
                "lines are approved and booked as expense but not paid",
                "plafonds": [s.als_dict() for s in standen],
                # Withheld without a ceiling now: a ceiling that was removed or raised after the booking.
                "ingehouden_zonder_plafond": [{"domein": d, "aanbieder": a, "ingehouden_cent": i}
                                              for (d, a), (_, i) in sorted(gebruik.items())
                                              if i and (d, a) not in plafonds]}

    @r.post("/kostenverdeling", status_code=201, summary="Share a regional cost over the municipalities (controller)",
            responses={200: {"description": "this reference was shared before: nothing new"},
                       403: {"description": "only the region's controller shares costs"},
                       409: {"description": "this reference was shared before with other amounts; nothing changed"},
                       422: {"description": "unknown sharing key"}})
    async def kostenverdeling(request: Request, verzoek: KostenverdelingVerzoek) -> JSONResponse:
        party = authenticate(request, runtime.regio)
        if party.soort != "regio":
            raise HTTPException(403, {"error": "only the region's controller shares costs over the municipalities"})
        try:
            uitkomst = await verdeel_kosten(runtime.db(), runtime.regio, verzoek.referentie, verzoek.omschrijving,
                                            verzoek.domein, verzoek.bedrag_cent, verzoek.sleutel)
        except VerdeelsleutelOnbekend as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        if uitkomst["geweigerd"]:
            return JSONResponse({"error": f"reference {verzoek.referentie} was shared before with other amounts",
                                 "hint": "use a new reference for a new cost", **uitkomst}, status_code=409)
        return JSONResponse(uitkomst, status_code=201 if uitkomst["geboekt"] else 200)

    @r.post("/gemeenten/{cbs}/betaalruns", status_code=201,
            summary="Pay every provider what is payable up to a cut-off date (once per cut-off)",
            responses={200: {"description": "a run for this cut-off exists (returned) or nothing is payable"},
                       409: {"description": "a later cut-off was paid already"},
                       422: {"description": "cut-off in the future, execution date in the past, or no IBAN"}})
    async def nieuwe_betaalrun(request: Request, cbs: str, verzoek: BetaalrunVerzoek) -> JSONResponse:
        mag_lezen(request, cbs)
        try:
            run, nieuw = await maak_betaalrun(runtime.db(), runtime.regio, cbs, verzoek.peildatum,
                                              verzoek.uitvoeringsdatum or SYSTEEMKLOK.vandaag(), SYSTEEMKLOK.vandaag())
        except BetaalrunGeweigerd as exc:
            return JSONResponse(exc.body, status_code=exc.status)
        if run is None:
            return JSONResponse({"betaalrun": None, "reden": f"nothing payable up to {verzoek.peildatum}"})
        return JSONResponse({"betaalrun": run, "herhaald": not nieuw}, status_code=201 if nieuw else 200)

    @r.get("/gemeenten/{cbs}/betaalruns", summary="Payment runs of a municipality, newest first")
    async def betaalruns(request: Request, cbs: str) -> dict:
        mag_lezen(request, cbs)
        async with runtime.db().acquire() as conn:
            rows = await betaalrun_repo.runs(conn, cbs)
        return {"gemeente": cbs, "betaalruns": [samenvatting(x) for x in rows]}

    @r.get("/gemeenten/{cbs}/betaalruns/{run_id}", summary="A payment run with its transfers")
    async def betaalrun(request: Request, cbs: str, run_id: int) -> dict:
        mag_lezen(request, cbs)
        async with runtime.db().acquire() as conn:
            kop, regels = await betaalrun_repo.run(conn, cbs, run_id)
        if kop is None:
            raise HTTPException(404, {"error": f"no payment run {run_id} for municipality {cbs}"})
        return {**samenvatting(kop), "overboekingen": [dict(x) for x in regels]}

    @r.get("/gemeenten/{cbs}/betaalruns/{run_id}/pain001", summary="The SEPA file of a run, as made",
           responses={200: {"content": {"application/xml": {}}}})
    async def betaalbestand(request: Request, cbs: str, run_id: int) -> Response:
        mag_lezen(request, cbs)
        async with runtime.db().acquire() as conn:
            kop, _ = await betaalrun_repo.run(conn, cbs, run_id)
        if kop is None:
            raise HTTPException(404, {"error": f"no payment run {run_id} for municipality {cbs}"})
        return Response(kop["bestand"], media_type="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="pain001-{cbs}-{kop["peildatum"]}.xml"'})

    return r
