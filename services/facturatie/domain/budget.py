"""Budget control (pure): usage against budget and a linear forecast to the end of the year, in integer cents.

Decision: usage counts expense postings by the day they were booked (the ledger's own date), not by the product
period of the line; a late line for last year's December counts in the year it was approved and booked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def _dagen(jaar: int) -> int:
    return (dt.date(jaar + 1, 1, 1) - dt.date(jaar, 1, 1)).days


def prognose(verbruikt: int, jaar: int, vandaag: dt.date) -> int:
    """Usage so far extended linearly to 31 December: usage × days in the year / days passed (today included),
    rounded half up. A past year's forecast is its usage; a future year's is 0."""
    if jaar < vandaag.year:
        return verbruikt
    if jaar > vandaag.year:
        return 0
    verstreken = (vandaag - dt.date(jaar, 1, 1)).days + 1
    teller, noemer = verbruikt * _dagen(jaar), verstreken
    return (2 * teller + noemer) // (2 * noemer) if teller >= 0 else -((-2 * teller + noemer) // (2 * noemer))


@dataclass(frozen=True)
class Budgetstand:
    domein: str
    categorie: str
    jaar: int
    budget: int
    verbruikt: int
    prognose: int

    @property
    def over_budget_verwacht(self) -> bool:
        return self.prognose > self.budget

    def als_dict(self) -> dict:
        return {"domein": self.domein, "categorie": self.categorie, "jaar": self.jaar, "budget_cent": self.budget,
                "verbruikt_cent": self.verbruikt, "prognose_cent": self.prognose,
                "resterend_cent": self.budget - self.verbruikt,
                "verbruikt_procent": round(100 * self.verbruikt / self.budget, 1) if self.budget else None,
                "over_budget_verwacht": self.over_budget_verwacht}


@dataclass(frozen=True)
class Plafondstand:
    """A provider's spending ceiling in a municipality: what was made payable against it and what was withheld
    (approved beyond it: booked as expense, not paid)."""

    domein: str
    aanbieder: str
    jaar: int
    plafond: int
    betaalbaar: int
    ingehouden: int

    def als_dict(self) -> dict:
        return {"domein": self.domein, "aanbieder": self.aanbieder, "jaar": self.jaar, "plafond_cent": self.plafond,
                "betaalbaar_cent": self.betaalbaar, "ingehouden_cent": self.ingehouden,
                "resterend_cent": max(self.plafond - self.betaalbaar, 0),
                "benut_procent": round(100 * self.betaalbaar / self.plafond, 1) if self.plafond else None}


@dataclass(frozen=True)
class ZonderBudget:
    """Spending on a category without a budget: shown, not hidden."""

    domein: str
    categorie: str
    verbruikt_cent: int

    def als_dict(self) -> dict:
        return {"domein": self.domein, "categorie": self.categorie, "verbruikt_cent": self.verbruikt_cent}


@dataclass(frozen=True)
class Budgetoverzicht:
    """A municipality's budgets of a year with usage and forecast (the API's `budgetten`, the dashboard's panel)."""

    gemeente: str
    jaar: int
    budgetten: tuple[Budgetstand, ...]
    zonder_budget: tuple[ZonderBudget, ...]

    def als_dict(self) -> dict:
        return {"gemeente": self.gemeente, "jaar": self.jaar, "budgetten": [b.als_dict() for b in self.budgetten],
                "zonder_budget": [z.als_dict() for z in self.zonder_budget]}


def budgetoverzicht(gemeente: str, jaar: int, budgetten: Sequence[tuple[str, str, int]],
                    kosten: Mapping[tuple[str, str], int], vandaag: dt.date) -> Budgetoverzicht:
    """`budgetten`: (domain, category, cents) of the municipality's year, in the region file's order; `kosten`:
    net expense booked per (domain, category) in that year."""
    standen = tuple(Budgetstand(d, c, jaar, cent, kosten.get((d, c), 0), prognose(kosten.get((d, c), 0), jaar, vandaag))
                    for d, c, cent in budgetten)
    begroot = {(d, c) for d, c, _ in budgetten}
    zonder = tuple(ZonderBudget(d, c, kosten[(d, c)]) for d, c in sorted(set(kosten) - begroot))
    return Budgetoverzicht(gemeente, jaar, standen, zonder)


@dataclass(frozen=True)
class IngehoudenZonderPlafond:
    """Withheld without a ceiling now: a ceiling that was removed or raised after the booking."""

    domein: str
    aanbieder: str
    ingehouden_cent: int

    def als_dict(self) -> dict:
        return {"domein": self.domein, "aanbieder": self.aanbieder, "ingehouden_cent": self.ingehouden_cent}


PLAFOND_TOELICHTING = ("jaar = the year the care was delivered in; withheld lines are approved and booked as expense "
                       "but not paid")


@dataclass(frozen=True)
class Plafondoverzicht:
    """A municipality's spending ceilings of a year of care (the API's `bestedingsruimte`, the dashboard's panel)."""

    gemeente: str
    jaar: int
    plafonds: tuple[Plafondstand, ...]
    ingehouden_zonder_plafond: tuple[IngehoudenZonderPlafond, ...]

    def als_dict(self) -> dict:
        return {"gemeente": self.gemeente, "jaar": self.jaar, "toelichting": PLAFOND_TOELICHTING,
                "plafonds": [p.als_dict() for p in self.plafonds],
                "ingehouden_zonder_plafond": [z.als_dict() for z in self.ingehouden_zonder_plafond]}


def plafondoverzicht(gemeente: str, jaar: int, plafonds: Mapping[tuple[str, str], int],
                     gebruik: Mapping[tuple[str, str], tuple[int, int]]) -> Plafondoverzicht:
    """`plafonds`: cents per (domain, provider) for the year; `gebruik`: (payable, withheld) per (domain, provider)
    from declaration entries for care delivered in that year."""
    standen = tuple(Plafondstand(d, a, jaar, c, *gebruik.get((d, a), (0, 0))) for (d, a), c in sorted(plafonds.items()))
    zonder = tuple(IngehoudenZonderPlafond(d, a, i) for (d, a), (_, i) in sorted(gebruik.items())
                   if i and (d, a) not in plafonds)
    return Plafondoverzicht(gemeente, jaar, standen, zonder)
