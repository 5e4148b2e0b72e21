"""Finance read API (JSON) and payment runs. A municipality sees only its own books; the region's controller
sees every municipality's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.platform.auth import authenticate, authenticate_for_gemeente
from shared.platform.begrenzing import MAX_BIGINT
from shared.platform.events import idempotentie_sleutel

from ..domain.betaalrun import Betaalrun
from ..service_layer import overzichten
from ..service_layer.betaalruns import BetaalrunGeweigerd, GemeenteOnbekend, PeildatumAfgerekend, maak_betaalrun
from ..service_layer.kostenverdeling import VerdeelsleutelOnbekend, verdeel_kosten
from .diensten import Diensten, DienstenDep

router = APIRouter(prefix="/v1", tags=["grootboek"])
RunId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]

# A refused payment run's HTTP status; anything not named is 422.
WEIGERING_STATUS: dict[type[BetaalrunGeweigerd], int] = {PeildatumAfgerekend: 409, GemeenteOnbekend: 404}


class BetaalrunVerzoek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    peildatum: dt.date
    uitvoeringsdatum: dt.date | None = None  # default: today


# A regional cost to share: up to a billion euros, far past any real one but well inside the ledger's bigint.
MAX_KOSTEN_CENT = 10**11


class KostenverdelingVerzoek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    referentie: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # once per reference: the same one again books nothing
    omschrijving: str = Field(min_length=1, max_length=140)
    domein: Literal["jw", "wmo"]
    bedrag_cent: int = Field(gt=0, le=MAX_KOSTEN_CENT)
    sleutel: str = "inwoners"


def mag_lezen(request: Request, d: Diensten, cbs: str) -> None:
    authenticate_for_gemeente(request, d.regio, cbs, "ledger")


def samenvatting(run: Betaalrun) -> dict[str, Any]:
    return {"id": run.id, "gemeente": run.gemeente, "peildatum": run.peildatum.isoformat(),
            "uitvoeringsdatum": run.uitvoeringsdatum.isoformat(), "aantal": run.aantal,
            "totaal_cent": run.totaal_cent, "bestand_sha256": run.bestand_sha256,
            "aangemaakt_at": run.aangemaakt_at.isoformat(),
            "bestand": f"/v1/gemeenten/{run.gemeente}/betaalruns/{run.id}/pain001"}


def geen_betaalrun(cbs: str, run_id: int) -> HTTPException:
    return HTTPException(404, {"error": f"no payment run {run_id} for municipality {cbs}"})


@router.get("/gemeenten/{cbs}/saldi", summary="Account balances of a municipality (cents, debit positive)")
async def saldi(request: Request, d: DienstenDep, cbs: str, domein: Literal["jw", "wmo"] | None = None) -> dict:
    mag_lezen(request, d, cbs)
    rekeningen = await overzichten.saldi(d.uow(readonly=True), cbs, domein)
    return {"gemeente": cbs, "rekeningen": [x.als_dict() for x in rekeningen]}


@router.get("/gemeenten/{cbs}/journaal", summary="Journal entries with their lines, oldest first, paged by id")
async def journaal(request: Request, d: DienstenDep, cbs: str, bericht_id: str | None = None,
                   domein: Literal["jw", "wmo"] | None = None,
                   soort: Literal["prestatie", "betaling", "kostenverdeling"] | None = None,
                   rekening: str | None = Query(None, max_length=40, description="e.g. kosten:45, crediteur:<AGB>"),
                   van: dt.date | None = None, tot: dt.date | None = None,
                   limit: int = Query(100, ge=1, le=1000), na_id: int = Query(0, ge=0, le=MAX_BIGINT)) -> dict:
    mag_lezen(request, d, cbs)
    posten = await overzichten.journaal(d.uow(readonly=True), cbs, bericht_id=bericht_id, limit=limit, na_id=na_id,
                                        domein=domein, soort=soort, rekening=rekening, van=van, tot=tot)
    return {"gemeente": cbs, "journaalposten": [p.als_dict() for p in posten],
            "volgende_na_id": posten[-1].id if len(posten) == limit else None}


@router.get("/gemeenten/{cbs}/regels/{aanbieder}/{domein}/{referentienummer}",
            summary="A declaration line's history: its posting, any reversal, and the payment run that paid it")
async def regelhistorie(request: Request, d: DienstenDep, cbs: str, aanbieder: str, domein: Literal["jw", "wmo"],
                        referentienummer: str) -> dict:
    mag_lezen(request, d, cbs)
    sleutel = idempotentie_sleutel(aanbieder, domein, referentienummer)
    historie = await overzichten.regelhistorie(d.uow(readonly=True), cbs, sleutel)
    if historie is None:
        raise HTTPException(404, {"error": f"no posting for line {referentienummer} of provider {aanbieder} "
                                           f"({domein}) in the ledger of {cbs}",
                                  "hint": "only approved lines are booked; see the 325 for rejected ones"})
    return {"idempotentie_sleutel": sleutel, "bericht_id": historie.bericht_id,
            "bericht": f"/v1/berichten/{historie.bericht_id}/tijdlijn (berichtenverkeer)",
            "boekingen": [p.als_dict() for p in historie.boekingen],
            "betaald": None if historie.betaald is None else historie.betaald.als_dict()}


@router.get("/gemeenten/{cbs}/budgetten", summary="Budgets with usage so far and a linear forecast to year end")
async def budgetten(request: Request, d: DienstenDep, cbs: str,
                    jaar: int | None = Query(None, ge=2015, le=2100)) -> dict:
    mag_lezen(request, d, cbs)
    return (await overzichten.budgetten(d.uow(readonly=True), d.regio, cbs, jaar, d.klok)).als_dict()


@router.get("/gemeenten/{cbs}/bestedingsruimte",
            summary="Spending ceilings per provider: payable so far, withheld beyond the ceiling, room left")
async def bestedingsruimte(request: Request, d: DienstenDep, cbs: str,
                           jaar: int | None = Query(None, ge=2015, le=2100)) -> dict:
    mag_lezen(request, d, cbs)
    return (await overzichten.bestedingsruimte(d.uow(readonly=True), d.regio, cbs, jaar, d.klok)).als_dict()


@router.post("/kostenverdeling", status_code=201, summary="Share a regional cost over the municipalities (controller)",
             responses={200: {"description": "this reference was shared before: nothing new"},
                        403: {"description": "only the region's controller shares costs"},
                        409: {"description": "this reference was shared before with other amounts; nothing changed"},
                        422: {"description": "unknown sharing key"}})
async def kostenverdeling(request: Request, d: DienstenDep, verzoek: KostenverdelingVerzoek) -> JSONResponse:
    party = authenticate(request, d.regio)
    if party.soort != "regio":
        raise HTTPException(403, {"error": "only the region's controller shares costs over the municipalities"})
    try:
        uitkomst = await verdeel_kosten(d.uow(), d.regio, verzoek.referentie, verzoek.omschrijving, verzoek.domein,
                                        verzoek.bedrag_cent, verzoek.sleutel)
    except VerdeelsleutelOnbekend as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    if uitkomst.geweigerd:
        return JSONResponse({"error": f"reference {verzoek.referentie} was shared before with other amounts",
                             "hint": "use a new reference for a new cost", **uitkomst.als_dict()}, status_code=409)
    return JSONResponse(uitkomst.als_dict(), status_code=201 if uitkomst.geboekt else 200)


@router.post("/gemeenten/{cbs}/betaalruns", status_code=201,
             summary="Pay every provider what is payable up to a cut-off date (once per cut-off)",
             responses={200: {"description": "a run for this cut-off exists (returned) or nothing is payable"},
                        409: {"description": "a later cut-off was paid already"},
                        422: {"description": "cut-off in the future, execution date in the past, or no IBAN"}})
async def nieuwe_betaalrun(request: Request, d: DienstenDep, cbs: str, verzoek: BetaalrunVerzoek) -> JSONResponse:
    mag_lezen(request, d, cbs)
    try:
        run, nieuw = await maak_betaalrun(d.uow(), d.regio, d.betaalbestand, cbs, verzoek.peildatum,
                                          verzoek.uitvoeringsdatum, d.klok)
    except BetaalrunGeweigerd as exc:
        return JSONResponse({"error": exc.fout, "hint": exc.hint}, status_code=WEIGERING_STATUS.get(type(exc), 422))
    if run is None:
        return JSONResponse({"betaalrun": None, "reden": f"nothing payable up to {verzoek.peildatum}"})
    return JSONResponse({"betaalrun": samenvatting(run), "herhaald": not nieuw}, status_code=201 if nieuw else 200)


@router.get("/gemeenten/{cbs}/betaalruns", summary="Payment runs of a municipality, newest first")
async def betaalruns(request: Request, d: DienstenDep, cbs: str) -> dict:
    mag_lezen(request, d, cbs)
    runs = await overzichten.betaalruns(d.uow(readonly=True), cbs)
    return {"gemeente": cbs, "betaalruns": [samenvatting(x) for x in runs]}


@router.get("/gemeenten/{cbs}/betaalruns/{run_id}", summary="A payment run with its transfers")
async def betaalrun(request: Request, d: DienstenDep, cbs: str, run_id: RunId) -> dict:
    mag_lezen(request, d, cbs)
    gevonden = await overzichten.betaalrun(d.uow(readonly=True), cbs, run_id)
    if gevonden is None:
        raise geen_betaalrun(cbs, run_id)
    run, overboekingen = gevonden
    return {**samenvatting(run), "overboekingen": [x.als_dict() for x in overboekingen]}


@router.get("/gemeenten/{cbs}/betaalruns/{run_id}/pain001", summary="The SEPA file of a run, as made",
            responses={200: {"content": {"application/xml": {}}}})
async def betaalbestand(request: Request, d: DienstenDep, cbs: str, run_id: RunId) -> Response:
    mag_lezen(request, d, cbs)
    bestand = await overzichten.betaalbestand(d.uow(readonly=True), cbs, run_id)
    if bestand is None:
        raise geen_betaalrun(cbs, run_id)
    return Response(bestand.inhoud, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="pain001-{cbs}-{bestand.peildatum}.xml"'})
