"""Use cases of the finance and control dashboard: gather what one page shows, read-only.

Ledger figures are computed exactly as the JSON API computes them (the same repositories and domain functions),
so a page and `/v1/gemeenten/{cbs}/…` always agree. Deadlines and timelines are asked of berichtenverkeer with
the viewer's own token, at the same time as the database is read; when that fails the page says so in a panel.

Periods: "deze maand" is the current Dutch calendar month up to today (by booking day for money, by verdict day for
counts); budgets, ceilings, rejection reasons of the year and the 325 turnaround follow the year asked for (the
turnaround counts 323s received in that year).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg

from shared.kalender import SYSTEEMKLOK, nederlandse_datum, werkdagen_tussen
from shared.platform.regio import Regio

from ..adapters import betaalrun_repo, grootboek_repo, statistiek_repo
from ..adapters.berichtenverkeer import Antwoord, Berichtenverkeer
from ..domain.budget import Budgetstand, Plafondstand, prognose
from ..domain.dashboard import Doelstand, Termijn325, doelstand, doorlooptijd
from .betaalruns import samenvatting

MAX_OPEN_TERMIJNEN = 50  # on the page; the count says how many there are in all


def vandaag() -> dt.date:
    return SYSTEEMKLOK.vandaag()


def _nl_datum(iso: str) -> dt.date:
    return nederlandse_datum(dt.datetime.fromisoformat(iso))


def budgetstanden(regio: Regio, cbs: str, jaar: int, kosten: dict[tuple[str, str], int],
                  dag: dt.date) -> tuple[list[Budgetstand], list[dict]]:
    """As `GET /v1/gemeenten/{cbs}/budgetten`: budgets with usage and forecast, and spending without a budget."""
    eigen = [b for b in regio.budgetten if b.gemeente == cbs and b.jaar == jaar]
    standen = [Budgetstand(b.domein, b.categorie, jaar, b.cent, kosten.get((b.domein, b.categorie), 0),
                           prognose(kosten.get((b.domein, b.categorie), 0), jaar, dag)) for b in eigen]
    zonder = [{"domein": d, "categorie": c, "verbruikt_cent": kosten[(d, c)]}
              for d, c in sorted(set(kosten) - {(b.domein, b.categorie) for b in eigen})]
    return standen, zonder


def plafondstanden(regio: Regio, cbs: str, jaar: int,
                   gebruik: dict[tuple[str, str], tuple[int, int]]) -> tuple[list[Plafondstand], list[dict]]:
    """As `GET /v1/gemeenten/{cbs}/bestedingsruimte`."""
    plafonds = {(d, a): c for (g, d, a, j), c in regio.plafonds().items() if g == cbs and j == jaar}
    standen = [Plafondstand(d, a, jaar, c, *gebruik.get((d, a), (0, 0))) for (d, a), c in sorted(plafonds.items())]
    zonder = [{"domein": d, "aanbieder": a, "ingehouden_cent": i} for (d, a), (_, i) in sorted(gebruik.items())
              if i and (d, a) not in plafonds]
    return standen, zonder


def termijnen_overzicht(antwoord: Antwoord, jaar: int, dag: dt.date) -> dict[str, Any]:
    """The 325 turnaround of the year and the open obligations, from berichtenverkeer's deadlines."""
    if antwoord.data is None:
        return {"fout": antwoord.fout}
    items = antwoord.data.get("verplichtingen", [])
    t325 = [Termijn325(_nl_datum(v["ontvangen_at"]), dt.date.fromisoformat(v["uiterlijk"]),
                       _nl_datum(v["vervuld_at"]) if v.get("vervuld_at") else None)
            for v in items if v.get("verplichting") == "325"]
    t325 = [t for t in t325 if t.ontvangen_op.year == jaar]
    open_ = [v for v in items if not v.get("vervuld_at")]
    return {"fout": None, "doorlooptijd": doorlooptijd(t325, dag, werkdagen_tussen),
            "open": open_[:MAX_OPEN_TERMIJNEN], "open_totaal": len(open_),
            "afgekapt": len(items) >= 1000}  # the gateway lists at most 1000 obligations


async def gemeente(pool: asyncpg.Pool, regio: Regio, cbs: str, jaar: int, dag: dt.date,
                   bv: Berichtenverkeer | None) -> dict[str, Any]:
    maand_begin = dag.replace(day=1)

    async def uit_database() -> dict[str, Any]:
        async with pool.acquire() as conn:
            kosten = await grootboek_repo.kosten_per_categorie(conn, cbs, jaar)
            gebruik = await grootboek_repo.plafondgebruik(conn, cbs, jaar)
            saldi = await grootboek_repo.saldi(conn, cbs, None)
            runs = await betaalrun_repo.runs(conn, cbs)
            maand = await statistiek_repo.maandcijfers(conn, cbs, maand_begin, dag)
            tellingen = await statistiek_repo.totalen(conn, cbs, maand_begin, dag)
            redenen_maand = await statistiek_repo.afkeurredenen(conn, cbs, maand_begin, dag)
            redenen_jaar = await statistiek_repo.afkeurredenen(conn, cbs, dt.date(jaar, 1, 1), dt.date(jaar, 12, 31))
            recent = await statistiek_repo.recente(conn, cbs)
        budgetten, zonder_budget = budgetstanden(regio, cbs, jaar, kosten, dag)
        plafonds, ingehouden_zonder_plafond = plafondstanden(regio, cbs, jaar, gebruik)
        telling = tellingen[0] if tellingen else None
        return {
            "budgetten": budgetten, "zonder_budget": zonder_budget, "plafonds": plafonds,
            "ingehouden_zonder_plafond": ingehouden_zonder_plafond,
            "saldi": [dict(r) for r in saldi], "betaalruns": [samenvatting(r) for r in runs],
            "maand": {"begin": maand_begin, "tot": dag,
                      "goedgekeurd_cent": sum(r["goedgekeurd"] for r in maand),
                      "ingehouden_cent": sum(r["ingehouden"] for r in maand),
                      "berichten": telling["berichten"] if telling else 0,
                      "geheel_afgewezen": telling["geheel_afgewezen"] if telling else 0,
                      "regels_goedgekeurd": telling["regels_goedgekeurd"] if telling else 0,
                      "regels_afgekeurd": telling["regels_afgekeurd"] if telling else 0},
            "redenen_maand": [dict(r) for r in redenen_maand], "redenen_jaar": [dict(r) for r in redenen_jaar],
            "recent": [dict(r) for r in recent]}

    async def uit_berichtenverkeer() -> dict[str, Any]:
        if bv is None:
            return {"fout": "berichtenverkeer is niet ingesteld"}
        return termijnen_overzicht(await bv.termijnen(cbs), jaar, dag)

    db, termijnen = await asyncio.gather(uit_database(), uit_berichtenverkeer())
    g = regio.gemeente(cbs)
    return {"cbs": cbs, "naam": g.naam if g else cbs, "jaar": jaar, "peildatum": dag, **db, "termijnen": termijnen}


def _aandeel_regionaal(rijen: list[asyncpg.Record], domein: str | None) -> tuple[int, int]:
    rijen = [r for r in rijen if domein is None or r["domein"] == domein]
    return sum(r["regionaal"] for r in rijen), sum(r["goedgekeurd"] for r in rijen)


def _prognose_budget(regio: Regio, kosten: dict[str, dict[tuple[str, str], int]], jaar: int, dag: dt.date,
                     domein: str | None) -> tuple[int, int]:
    """(forecast, budget) over every municipality's budgeted categories of the domain in a year."""
    totaal_prognose = totaal_budget = 0
    for cbs, per_categorie in kosten.items():
        for s in budgetstanden(regio, cbs, jaar, per_categorie, dag)[0]:
            if domein is None or s.domein == domein:
                totaal_prognose += s.prognose
                totaal_budget += s.budget
    return totaal_prognose, totaal_budget


def beleidsdoelen(regio: Regio, jaar: int, dag: dt.date, aandeel: dict[int, list[asyncpg.Record]],
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


async def regio_overzicht(pool: asyncpg.Pool, regio: Regio, jaar: int, dag: dt.date,
                          bv: Berichtenverkeer | None) -> dict[str, Any]:
    maand_begin = dag.replace(day=1)
    gemeenten = [g.cbs for g in regio.gemeenten]

    async def uit_database() -> dict[str, Any]:
        async with pool.acquire() as conn:
            kosten = {j: {cbs: await grootboek_repo.kosten_per_categorie(conn, cbs, j) for cbs in gemeenten}
                      for j in (jaar, jaar - 1)}
            maand = await statistiek_repo.maandcijfers(conn, None, maand_begin, dag)
            tellingen = {r["gemeente"]: r for r in await statistiek_repo.totalen(conn, None, maand_begin, dag)}
            redenen = await statistiek_repo.afkeurredenen(conn, None, maand_begin, dag)
            aandeel = {j: await statistiek_repo.contractaandeel(conn, j) for j in (jaar, jaar - 1)}
        rijen = []
        for g in regio.gemeenten:
            standen, zonder = budgetstanden(regio, g.cbs, jaar, kosten[jaar][g.cbs], dag)
            t = tellingen.get(g.cbs)
            rijen.append({
                "cbs": g.cbs, "naam": g.naam,
                "budget_cent": sum(s.budget for s in standen), "verbruikt_cent": sum(s.verbruikt for s in standen),
                "prognose_cent": sum(s.prognose for s in standen),
                "zonder_budget_cent": sum(z["verbruikt_cent"] for z in zonder),
                "goedgekeurd_maand_cent": sum(r["goedgekeurd"] for r in maand if r["gemeente"] == g.cbs),
                "ingehouden_maand_cent": sum(r["ingehouden"] for r in maand if r["gemeente"] == g.cbs),
                "regels_afgekeurd_maand": t["regels_afgekeurd"] if t else 0,
                "geheel_afgewezen_maand": t["geheel_afgewezen"] if t else 0})
        return {"gemeenten": rijen, "redenen_maand": [dict(r) for r in redenen],
                "doelen": beleidsdoelen(regio, jaar, dag, aandeel, kosten)}

    async def uit_berichtenverkeer() -> dict[str, dict[str, Any]]:
        if bv is None:
            return {cbs: {"fout": "berichtenverkeer is niet ingesteld"} for cbs in gemeenten}
        antwoorden = await asyncio.gather(*(bv.termijnen(cbs) for cbs in gemeenten))
        return {cbs: termijnen_overzicht(a, jaar, dag) for cbs, a in zip(gemeenten, antwoorden)}

    db, termijnen = await asyncio.gather(uit_database(), uit_berichtenverkeer())
    for rij in db["gemeenten"]:
        rij["termijnen"] = termijnen[rij["cbs"]]
    return {"naam": regio.naam, "jaar": jaar, "peildatum": dag, "maand": {"begin": maand_begin, "tot": dag}, **db}


async def declaratie(pool: asyncpg.Pool, bericht_id: str) -> dict[str, Any] | None:
    """A declaration message's verdict and its bookings; None when facturatie recorded no verdict for it (also
    for verdicts booked before migration 005). The caller checks the verdict's municipality against the viewer."""
    async with pool.acquire() as conn:
        kop, afkeuringen = await statistiek_repo.beoordeling(conn, bericht_id)
        if kop is None:
            return None
        posten = await grootboek_repo.journaal(conn, kop["gemeente"], bericht_id=bericht_id, limit=201, na_id=0)
    return {"kop": dict(kop), "afkeuringen": [dict(a) for a in afkeuringen], "posten": posten[:200],
            "meer_posten": len(posten) > 200}
