"""Figures of the finance and control dashboard that are rules, not lookups (pure: no I/O).

- 325 turnaround: per answered 323 the working days from the day of receipt to the day its 325 was made, against
  the norm of 10 working days (§7.7); on time = answered on or before the deadline the gateway set. Percentages
  and medians are exact fractions; the page rounds them.
- Policy targets (`beleidsdoelen` in the region file): a value this year and last year, and whether it meets the
  target. See `shared.platform.regio.Beleidsdoel` for what each kind measures and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .beoordelingsstatistiek import Afkeuring, Afkeurtelling, Beoordelingsstatistiek
from .betaalrun import Betaalrun
from .budget import (
    Budgetoverzicht,
    Budgetstand,
    IngehoudenZonderPlafond,
    Plafondoverzicht,
    Plafondstand,
    ZonderBudget,
)
from .overzichten import GeboektePost, Saldo

NORM_325_WERKDAGEN = 10


@dataclass(frozen=True)
class Termijn325:
    ontvangen_op: dt.date  # Dutch date of receipt of the 323
    uiterlijk: dt.date  # the last day the 325 is in time
    beantwoord_op: dt.date | None  # Dutch date the 325 was made; None while open


@dataclass(frozen=True)
class Doorlooptijd:
    beantwoord: int
    op_tijd: int
    open: int
    open_verlopen: int  # open and past the deadline
    mediaan_werkdagen: Fraction | None
    max_werkdagen: int | None

    @property
    def aandeel_op_tijd(self) -> Fraction | None:
        """Percentage of answered 323s answered in time (None when none was answered)."""
        return Fraction(100 * self.op_tijd, self.beantwoord) if self.beantwoord else None


def mediaan(waarden: Iterable[int]) -> Fraction | None:
    rij = sorted(waarden)
    if not rij:
        return None
    midden = len(rij) // 2
    return Fraction(rij[midden]) if len(rij) % 2 else Fraction(rij[midden - 1] + rij[midden], 2)


def doorlooptijd(termijnen: Iterable[Termijn325], vandaag: dt.date,
                 werkdagen_tussen: Callable[[dt.date, dt.date], int]) -> Doorlooptijd:
    """`werkdagen_tussen(a, b)`: working days after a up to and including b (the gateway's calendar)."""
    dagen, op_tijd, open_, verlopen = [], 0, 0, 0
    for t in termijnen:
        if t.beantwoord_op is None:
            open_ += 1
            verlopen += vandaag > t.uiterlijk
            continue
        dagen.append(max(werkdagen_tussen(t.ontvangen_op, t.beantwoord_op), 0))
        op_tijd += t.beantwoord_op <= t.uiterlijk
    return Doorlooptijd(beantwoord=len(dagen), op_tijd=op_tijd, open=open_, open_verlopen=verlopen,
                        mediaan_werkdagen=mediaan(dagen), max_werkdagen=max(dagen) if dagen else None)


def percentage(teller: int, noemer: int) -> Fraction | None:
    """100 × teller / noemer, exact; None when there is nothing to divide by (no spend, no budget)."""
    return Fraction(100 * teller, noemer) if noemer > 0 else None


# Which way a kind of target points: at least (a share to reach) or at most (a ceiling to stay under).
RICHTING = {"aandeel_regionaal": "minimaal", "prognose_binnen_budget": "maximaal"}


@dataclass(frozen=True)
class Doelstand:
    omschrijving: str
    soort: str
    domein: str | None
    doel_procent: Fraction
    waarde: Fraction | None  # this year
    vorig_jaar: Fraction | None

    @property
    def richting(self) -> str:
        return RICHTING[self.soort]

    @property
    def gehaald(self) -> bool | None:
        """None when there is no value (nothing booked, no budget): unknown is not failed."""
        if self.waarde is None:
            return None
        return self.waarde >= self.doel_procent if self.richting == "minimaal" else self.waarde <= self.doel_procent

    @property
    def verschil_vorig_jaar(self) -> Fraction | None:
        """Percentage points against last year."""
        return None if self.waarde is None or self.vorig_jaar is None else self.waarde - self.vorig_jaar


def doelstand(omschrijving: str, soort: str, domein: str | None, doel_procent: float,
              dit_jaar: tuple[int, int], vorig_jaar: tuple[int, int]) -> Doelstand:
    """`dit_jaar` / `vorig_jaar`: (teller, noemer) in cents — regional spend and all approved spend for
    `aandeel_regionaal`, forecast and budget for `prognose_binnen_budget`."""
    if soort not in RICHTING:
        raise ValueError(f"unknown kind of policy target {soort!r}")
    return Doelstand(omschrijving, soort, domein, Fraction(str(doel_procent)), percentage(*dit_jaar),
                     percentage(*vorig_jaar))


# ------------------------------------------------------------------ what a page shows (read models)

@dataclass(frozen=True)
class Termijnoverzicht:
    """The 325 turnaround of a year and the open obligations, from berichtenverkeer's deadlines; or why not."""

    fout: str | None  # Dutch: berichtenverkeer did not answer (the rest is then empty)
    doorlooptijd: Doorlooptijd | None = None
    open: tuple[dict[str, Any], ...] = ()  # the gateway's own obligation records, earliest deadline first
    open_totaal: int = 0
    afgekapt: bool = False  # the gateway lists at most 1000 obligations: the figures may miss some


@dataclass(frozen=True)
class Maandstand:
    """A municipality's current month up to today: money by booking day, counts by verdict month."""

    begin: dt.date
    tot: dt.date
    goedgekeurd_cent: int
    ingehouden_cent: int
    berichten: int
    geheel_afgewezen: int
    regels_goedgekeurd: int
    regels_afgekeurd: int


@dataclass(frozen=True)
class Gemeenteoverzicht:
    cbs: str
    naam: str
    jaar: int
    peildatum: dt.date
    budget: Budgetoverzicht
    plafond: Plafondoverzicht
    saldi: tuple[Saldo, ...]
    betaalruns: tuple[Betaalrun, ...]
    maand: Maandstand
    redenen_maand: tuple[Afkeurtelling, ...]
    redenen_jaar: tuple[Afkeurtelling, ...]
    recent: tuple[Beoordelingsstatistiek, ...]
    termijnen: Termijnoverzicht

    # The names the page uses for the budget and ceiling views.
    @property
    def budgetten(self) -> tuple[Budgetstand, ...]:
        return self.budget.budgetten

    @property
    def zonder_budget(self) -> tuple[ZonderBudget, ...]:
        return self.budget.zonder_budget

    @property
    def plafonds(self) -> tuple[Plafondstand, ...]:
        return self.plafond.plafonds

    @property
    def ingehouden_zonder_plafond(self) -> tuple[IngehoudenZonderPlafond, ...]:
        return self.plafond.ingehouden_zonder_plafond


@dataclass(frozen=True)
class Gemeenterij:
    """One municipality on the region's page: budgeted categories of the year, this month, deadlines."""

    cbs: str
    naam: str
    budget_cent: int
    verbruikt_cent: int
    prognose_cent: int
    zonder_budget_cent: int
    goedgekeurd_maand_cent: int
    ingehouden_maand_cent: int
    regels_afgekeurd_maand: int
    geheel_afgewezen_maand: int
    termijnen: Termijnoverzicht


TOTALEN = ("budget_cent", "verbruikt_cent", "prognose_cent", "zonder_budget_cent", "goedgekeurd_maand_cent",
           "ingehouden_maand_cent", "regels_afgekeurd_maand", "geheel_afgewezen_maand")


@dataclass(frozen=True)
class Regiooverzicht:
    naam: str
    jaar: int
    peildatum: dt.date
    maand_begin: dt.date
    gemeenten: tuple[Gemeenterij, ...]
    redenen_maand: tuple[Afkeurtelling, ...]
    doelen: tuple[Doelstand, ...]

    @property
    def maand(self) -> dict[str, dt.date]:
        return {"begin": self.maand_begin, "tot": self.peildatum}

    @property
    def totaal(self) -> dict[str, int]:
        """The region's row: every municipality's figures added up."""
        return {k: sum(getattr(g, k) for g in self.gemeenten) for k in TOTALEN}


@dataclass(frozen=True)
class Declaratieoverzicht:
    """A declaration message's verdict and the entries booked for it (the first 200)."""

    kop: Beoordelingsstatistiek
    posten: tuple[GeboektePost, ...]
    meer_posten: bool

    @property
    def afkeuringen(self) -> tuple[Afkeuring, ...]:
        return self.kop.afkeuringen
