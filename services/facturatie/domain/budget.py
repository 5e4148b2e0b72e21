"""Budget control (pure): usage against budget and a linear forecast to the end of the year, in integer cents.

Decision: usage counts expense postings by the day they were booked (the ledger's own date), not by the product
period of the line; a late line for last year's December counts in the year it was approved and booked."""

from __future__ import annotations

import datetime as dt
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
