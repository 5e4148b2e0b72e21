"""Read use cases of the finance API: balances, journal, a line's history, budgets, spending ceilings and payment
runs. The budget and ceiling views are the ones the dashboard shows too (`budgetoverzicht`, `plafondoverzicht`),
so a page and `/v1/gemeenten/{cbs}/…` always agree. Each takes a (read-only) unit of work and returns domain
read models; the entrypoint decides how they look."""

from __future__ import annotations

import datetime as dt

from shared.kalender import Klok
from shared.platform.regio import Regio

from ..domain.betaalrun import Betaalbestand, Betaalrun, Overboeking
from ..domain.budget import Budgetoverzicht, Plafondoverzicht, budgetoverzicht, plafondoverzicht
from ..domain.overzichten import GeboektePost, Regelhistorie, Saldo
from .unit_of_work import FacturatieUnitOfWork


def begroot(regio: Regio, cbs: str, jaar: int, kosten: dict[tuple[str, str], int], dag: dt.date) -> Budgetoverzicht:
    """The region file's budgets of a municipality's year against its net expense per (domain, category)."""
    eigen = [(b.domein, b.categorie, b.cent) for b in regio.budgetten if b.gemeente == cbs and b.jaar == jaar]
    return budgetoverzicht(cbs, jaar, eigen, kosten, dag)


def begrensd(regio: Regio, cbs: str, jaar: int,
             gebruik: dict[tuple[str, str], tuple[int, int]]) -> Plafondoverzicht:
    """The region file's spending ceilings of a municipality's year of care against what was booked under them."""
    plafonds = {(d, a): c for (g, d, a, j), c in regio.plafonds().items() if g == cbs and j == jaar}
    return plafondoverzicht(cbs, jaar, plafonds, gebruik)


async def saldi(uow: FacturatieUnitOfWork, cbs: str, domein: str | None) -> list[Saldo]:
    async with uow:
        return await uow.grootboek.list_balances(cbs, domein)


async def journaal(uow: FacturatieUnitOfWork, cbs: str, *, bericht_id: str | None, limit: int, na_id: int,
                   domein: str | None = None, soort: str | None = None, rekening: str | None = None,
                   van: dt.date | None = None, tot: dt.date | None = None) -> list[GeboektePost]:
    async with uow:
        return await uow.grootboek.list_journal(cbs, bericht_id=bericht_id, limit=limit, na_id=na_id, domein=domein,
                                                soort=soort, rekening=rekening, van=van, tot=tot)


async def regelhistorie(uow: FacturatieUnitOfWork, cbs: str, sleutel: str) -> Regelhistorie | None:
    """None when the ledger has no posting for the line (only approved lines are booked)."""
    async with uow:
        return await uow.grootboek.find_line_history(cbs, sleutel)


async def budgetten(uow: FacturatieUnitOfWork, regio: Regio, cbs: str, jaar: int | None,
                    klok: Klok) -> Budgetoverzicht:
    """Usage so far and a forecast to year end as of today (Dutch); `jaar` None: this year."""
    dag = klok.vandaag()
    jaar = jaar or dag.year
    async with uow:
        kosten = await uow.grootboek.costs_per_category(cbs, jaar)
    return begroot(regio, cbs, jaar, kosten, dag)


async def bestedingsruimte(uow: FacturatieUnitOfWork, regio: Regio, cbs: str, jaar: int | None,
                           klok: Klok) -> Plafondoverzicht:
    """`jaar`: the year the care was delivered in; None: this year."""
    jaar = jaar or klok.vandaag().year
    async with uow:
        gebruik = await uow.grootboek.ceiling_usage(cbs, jaar)
    return begrensd(regio, cbs, jaar, gebruik)


async def betaalruns(uow: FacturatieUnitOfWork, cbs: str) -> list[Betaalrun]:
    async with uow:
        return await uow.betaalruns.list_runs(cbs)


async def betaalrun(uow: FacturatieUnitOfWork, cbs: str, run_id: int) -> tuple[Betaalrun, list[Overboeking]] | None:
    async with uow:
        run = await uow.betaalruns.get(cbs, run_id)
        if run is None:
            return None
        return run, await uow.betaalruns.list_transfers(run_id)


async def betaalbestand(uow: FacturatieUnitOfWork, cbs: str, run_id: int) -> Betaalbestand | None:
    async with uow:
        return await uow.betaalruns.get_file(cbs, run_id)
