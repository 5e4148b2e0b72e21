"""Use cases of the finance and control dashboard: gather what one page shows, read-only.

Ledger figures are the JSON API's own views (`overzichten.begroot`, `overzichten.begrensd`: the same repositories
and domain functions), so a page and `/v1/gemeenten/{cbs}/…` always agree. Deadlines and timelines are asked of
berichtenverkeer with the viewer's own token, at the same time as the database is read; when that fails the page
says so in a panel.

Periods: "deze maand" is the current Dutch calendar month up to today (by booking day for money, by verdict day for
counts); budgets, ceilings, rejection reasons of the year and the 325 turnaround follow the year asked for (the
turnaround counts 323s received in that year).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from shared.kalender import nederlandse_datum, werkdagen_tussen
from shared.platform.regio import Regio

from ..domain.beoordelingsstatistiek import Beoordelingstelling, Contractaandeel, Maandcijfer
from ..domain.dashboard import (
    Declaratieoverzicht,
    Doelstand,
    Gemeenteoverzicht,
    Gemeenterij,
    Maandstand,
    Regiooverzicht,
    Termijn325,
    Termijnoverzicht,
    doelstand,
    doorlooptijd,
)
from .overzichten import begrensd, begroot
from .ports import Antwoord, Berichtenverkeer
from .unit_of_work import FacturatieUnitOfWork

MAX_OPEN_TERMIJNEN = 50  # on the page; the count says how many there are in all
MAX_POSTEN = 200  # of a declaration, on its page; the journal API has them all
GATEWAY_MAX = 1000  # obligations the gateway lists at most
NIET_INGESTELD = "berichtenverkeer is niet ingesteld"
NOG_NIET = Termijnoverzicht("nog niet gevraagd")  # until berichtenverkeer's answer is in


def _nl_datum(iso: str) -> dt.date:
    return nederlandse_datum(dt.datetime.fromisoformat(iso))


def termijnen_overzicht(antwoord: Antwoord, jaar: int, dag: dt.date) -> Termijnoverzicht:
    """The 325 turnaround of the year and the open obligations, from berichtenverkeer's deadlines."""
    if antwoord.data is None:
        return Termijnoverzicht(antwoord.fout)
    items = antwoord.data.get("verplichtingen", [])
    t325 = [Termijn325(_nl_datum(v["ontvangen_at"]), dt.date.fromisoformat(v["uiterlijk"]),
                       _nl_datum(v["vervuld_at"]) if v.get("vervuld_at") else None)
            for v in items if v.get("verplichting") == "325"]
    t325 = [t for t in t325 if t.ontvangen_op.year == jaar]
    open_ = [v for v in items if not v.get("vervuld_at")]
    return Termijnoverzicht(None, doorlooptijd(t325, dag, werkdagen_tussen), tuple(open_[:MAX_OPEN_TERMIJNEN]),
                            len(open_), len(items) >= GATEWAY_MAX)


def _maandstand(begin: dt.date, dag: dt.date, cijfers: Sequence[Maandcijfer],
                tellingen: Sequence[Beoordelingstelling]) -> Maandstand:
    telling = tellingen[0] if tellingen else None
    return Maandstand(begin, dag, sum(c.goedgekeurd for c in cijfers), sum(c.ingehouden for c in cijfers),
                      telling.berichten if telling else 0, telling.geheel_afgewezen if telling else 0,
                      telling.regels_goedgekeurd if telling else 0, telling.regels_afgekeurd if telling else 0)


async def _gemeente_uit_database(uow: FacturatieUnitOfWork, regio: Regio, cbs: str, jaar: int,
                                 dag: dt.date) -> Gemeenteoverzicht:
    begin = dag.replace(day=1)
    async with uow:
        kosten = await uow.grootboek.costs_per_category(cbs, jaar)
        gebruik = await uow.grootboek.ceiling_usage(cbs, jaar)
        saldi = await uow.grootboek.list_balances(cbs, None)
        runs = await uow.betaalruns.list_runs(cbs)
        maand = await uow.statistiek.list_month_figures(cbs, begin, dag)
        tellingen = await uow.statistiek.count_verdicts(cbs, begin, dag)
        redenen_maand = await uow.statistiek.list_rejection_reasons(cbs, begin, dag)
        redenen_jaar = await uow.statistiek.list_rejection_reasons(cbs, dt.date(jaar, 1, 1), dt.date(jaar, 12, 31))
        recent = await uow.statistiek.list_recent(cbs)
    g = regio.gemeente(cbs)
    return Gemeenteoverzicht(
        cbs=cbs, naam=g.naam if g else cbs, jaar=jaar, peildatum=dag, budget=begroot(regio, cbs, jaar, kosten, dag),
        plafond=begrensd(regio, cbs, jaar, gebruik), saldi=tuple(saldi), betaalruns=tuple(runs),
        maand=_maandstand(begin, dag, maand, tellingen), redenen_maand=tuple(redenen_maand),
        redenen_jaar=tuple(redenen_jaar), recent=tuple(recent), termijnen=NOG_NIET)


async def _termijnen(bv: Berichtenverkeer | None, cbs: str, jaar: int, dag: dt.date) -> Termijnoverzicht:
    if bv is None:
        return Termijnoverzicht(NIET_INGESTELD)
    return termijnen_overzicht(await bv.termijnen(cbs), jaar, dag)


async def gemeente(uow: FacturatieUnitOfWork, regio: Regio, cbs: str, jaar: int, dag: dt.date,
                   bv: Berichtenverkeer | None) -> Gemeenteoverzicht:
    """A municipality's page as of `dag` (today, Dutch)."""
    overzicht, termijnen = await asyncio.gather(_gemeente_uit_database(uow, regio, cbs, jaar, dag),
                                                _termijnen(bv, cbs, jaar, dag))
    return replace(overzicht, termijnen=termijnen)


def _aandeel_regionaal(rijen: Sequence[Contractaandeel], domein: str | None) -> tuple[int, int]:
    rijen = [r for r in rijen if domein is None or r.domein == domein]
    return sum(r.regionaal for r in rijen), sum(r.goedgekeurd for r in rijen)


def _prognose_budget(regio: Regio, kosten: dict[str, dict[tuple[str, str], int]], jaar: int, dag: dt.date,
                     domein: str | None) -> tuple[int, int]:
    """(forecast, budget) over every municipality's budgeted categories of the domain in a year."""
    totaal_prognose = totaal_budget = 0
    for cbs, per_categorie in kosten.items():
        for s in begroot(regio, cbs, jaar, per_categorie, dag).budgetten:
            if domein is None or s.domein == domein:
                totaal_prognose += s.prognose
                totaal_budget += s.budget
    return totaal_prognose, totaal_budget


def beleidsdoelen(regio: Regio, jaar: int, dag: dt.date, aandeel: dict[int, list[Contractaandeel]],
                  kosten: dict[int, dict[str, dict[tuple[str, str], int]]]) -> list[Doelstand]:
    """The region file's targets with this year's and last year's value. `aandeel` and `kosten` per year."""
    uit = []
    for doel in regio.beleidsdoelen:
        if doel.soort == "aandeel_regionaal":
            waarden = [_aandeel_regionaal(aandeel[j], doel.domein) for j in (jaar, jaar - 1)]
        else:
            waarden = [_prognose_budget(regio, kosten[j], j, dag, doel.domein) for j in (jaar, jaar - 1)]
        uit.append(doelstand(doel.omschrijving, doel.soort, doel.domein, doel.doel_procent, *waarden))
    return uit


async def _regio_uit_database(uow: FacturatieUnitOfWork, regio: Regio, jaar: int, dag: dt.date) -> Regiooverzicht:
    begin = dag.replace(day=1)
    gemeenten = [g.cbs for g in regio.gemeenten]
    async with uow:
        kosten = {j: {cbs: await uow.grootboek.costs_per_category(cbs, j) for cbs in gemeenten}
                  for j in (jaar, jaar - 1)}
        maand = await uow.statistiek.list_month_figures(None, begin, dag)
        tellingen = {t.gemeente: t for t in await uow.statistiek.count_verdicts(None, begin, dag)}
        redenen = await uow.statistiek.list_rejection_reasons(None, begin, dag)
        aandeel = {j: await uow.statistiek.list_contract_shares(j) for j in (jaar, jaar - 1)}
    rijen = []
    for g in regio.gemeenten:
        b = begroot(regio, g.cbs, jaar, kosten[jaar][g.cbs], dag)
        t = tellingen.get(g.cbs)
        rijen.append(Gemeenterij(
            cbs=g.cbs, naam=g.naam, budget_cent=sum(s.budget for s in b.budgetten),
            verbruikt_cent=sum(s.verbruikt for s in b.budgetten), prognose_cent=sum(s.prognose for s in b.budgetten),
            zonder_budget_cent=sum(z.verbruikt_cent for z in b.zonder_budget),
            goedgekeurd_maand_cent=sum(m.goedgekeurd for m in maand if m.gemeente == g.cbs),
            ingehouden_maand_cent=sum(m.ingehouden for m in maand if m.gemeente == g.cbs),
            regels_afgekeurd_maand=t.regels_afgekeurd if t else 0,
            geheel_afgewezen_maand=t.geheel_afgewezen if t else 0, termijnen=NOG_NIET))
    return Regiooverzicht(regio.naam, jaar, dag, begin, tuple(rijen), tuple(redenen),
                          tuple(beleidsdoelen(regio, jaar, dag, aandeel, kosten)))


async def _alle_termijnen(bv: Berichtenverkeer | None, gemeenten: list[str], jaar: int,
                          dag: dt.date) -> dict[str, Termijnoverzicht]:
    if bv is None:
        return {cbs: Termijnoverzicht(NIET_INGESTELD) for cbs in gemeenten}
    antwoorden = await asyncio.gather(*(bv.termijnen(cbs) for cbs in gemeenten))
    return {cbs: termijnen_overzicht(a, jaar, dag) for cbs, a in zip(gemeenten, antwoorden)}


async def regio_overzicht(uow: FacturatieUnitOfWork, regio: Regio, jaar: int, dag: dt.date,
                          bv: Berichtenverkeer | None) -> Regiooverzicht:
    """The region's page for its controller: every municipality side by side and the policy targets."""
    gemeenten = [g.cbs for g in regio.gemeenten]
    overzicht, termijnen = await asyncio.gather(_regio_uit_database(uow, regio, jaar, dag),
                                                _alle_termijnen(bv, gemeenten, jaar, dag))
    return replace(overzicht, gemeenten=tuple(replace(g, termijnen=termijnen[g.cbs]) for g in overzicht.gemeenten))


async def declaratie(uow: FacturatieUnitOfWork, bericht_id: str) -> Declaratieoverzicht | None:
    """A declaration message's verdict and its bookings; None when facturatie recorded no verdict for it (also
    for verdicts booked before migration 005). The caller checks the verdict's municipality against the viewer."""
    async with uow:
        kop = await uow.statistiek.get(bericht_id)
        if kop is None:
            return None
        posten = await uow.grootboek.list_journal(kop.gemeente, bericht_id=bericht_id, limit=MAX_POSTEN + 1, na_id=0)
    return Declaratieoverzicht(kop, tuple(posten[:MAX_POSTEN]), len(posten) > MAX_POSTEN)
