"""Use case: a municipality's payment run up to a cut-off date, made once and never changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.platform.regio import Regio

from ..adapters import betaalrun_repo
from ..adapters.grootboek_repo import boek
from ..adapters.sepa import BetaalbestandFout, pain001
from ..domain.betaalrun import betaalposten, te_betalen


@dataclass
class BetaalrunGeweigerd(Exception):
    status: int
    body: dict[str, Any]


def samenvatting(run: asyncpg.Record) -> dict[str, Any]:
    return {"id": run["id"], "gemeente": run["gemeente"], "peildatum": run["peildatum"].isoformat(),
            "uitvoeringsdatum": run["uitvoeringsdatum"].isoformat(), "aantal": run["aantal"],
            "totaal_cent": run["totaal_cent"], "bestand_sha256": run["bestand_sha256"],
            "aangemaakt_at": run["aangemaakt_at"].isoformat(),
            "bestand": f"/v1/gemeenten/{run['gemeente']}/betaalruns/{run['id']}/pain001"}


async def maak_betaalrun(pool: asyncpg.Pool, regio: Regio, cbs: str, peildatum: dt.date,
                         uitvoeringsdatum: dt.date, vandaag: dt.date) -> tuple[dict[str, Any] | None, bool]:
    """Returns (run, made now). The same cut-off again returns the run made before; a cut-off before the latest
    run's is refused (that money is settled); nothing payable makes no run."""
    if peildatum > vandaag:
        raise BetaalrunGeweigerd(422, {"error": f"cut-off {peildatum} is in the future",
                                       "hint": "pay what was booked up to today or an earlier day"})
    if uitvoeringsdatum < vandaag:
        raise BetaalrunGeweigerd(422, {"error": f"execution date {uitvoeringsdatum} is in the past",
                                       "hint": "a bank executes transfers from today on"})
    gemeente = regio.gemeente(cbs)
    async with pool.acquire() as conn, conn.transaction():
        await betaalrun_repo.vergrendel(conn, cbs)
        bestaand = await betaalrun_repo.run_op(conn, cbs, peildatum)
        if bestaand is not None:
            return samenvatting(bestaand), False
        laatste = await betaalrun_repo.laatste_peildatum(conn, cbs)
        if laatste is not None and laatste > peildatum:
            raise BetaalrunGeweigerd(409, {"error": f"a payment run up to {laatste} exists; {peildatum} is settled",
                                           "hint": f"choose a cut-off on or after {laatste}"})
        betalingen = te_betalen(await betaalrun_repo.openstaand(conn, cbs, peildatum))
        if not betalingen:
            return None, False
        nummer = await betaalrun_repo.volgend_nummer(conn)
        try:
            bestand = pain001(gemeente, {a.agb: a for a in regio.aanbieders}, betalingen, nummer, peildatum,
                              uitvoeringsdatum)
        except BetaalbestandFout as exc:
            raise BetaalrunGeweigerd(422, {"error": str(exc),
                                           "hint": "correct the region file and try again"}) from None
        posten = betaalposten(cbs, peildatum, nummer, betalingen)
        resultaat = await boek(conn, posten)
        if len(resultaat.geboekt) != len(posten):  # keys are per run: anything else is a bug, so undo everything
            raise RuntimeError(f"payment run {nummer}: entries already booked, nothing made")
        await betaalrun_repo.leg_vast(
            conn, nummer, cbs, peildatum, uitvoeringsdatum,
            [(b.domein, b.aanbieder, b.bedrag, b.sleutel(cbs, peildatum), b.end_to_end_id(cbs, peildatum))
             for b in betalingen], bestand, hashlib.sha256(bestand).hexdigest())
        return samenvatting(await betaalrun_repo.run_op(conn, cbs, peildatum)), True
