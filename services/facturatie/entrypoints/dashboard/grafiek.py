"""Geometry of the dashboard's bar charts (pure), drawn as inline SVG by the templates: no script, no library.

One horizontal row per item: a pale bar for the budget, a solid bar for what was spent, a tick for the year-end
forecast. All rows share one scale (the largest budget, spending or forecast), so lengths compare across rows.
Spending below zero (more credited than spent) draws no bar; the label still says the amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Staaf:
    label: str
    y: float  # top of the row's bars
    budget_breedte: float
    verbruikt_breedte: float
    prognose_x: float | None  # None: no forecast to mark
    verbruikt_cent: int
    budget_cent: int
    prognose_cent: int | None
    over_budget: bool  # spent, or forecast to spend, more than the budget


@dataclass(frozen=True)
class Staafdiagram:
    breedte: int
    hoogte: int
    links: int  # x where the bars start (room for labels)
    plot_breedte: int
    schaal_cent: int  # amount at the full plot width
    staven: tuple[Staaf, ...]
    staafhoogte: float


def _lengte(cent: int, schaal: int, plot: int) -> float:
    return round(plot * max(cent, 0) / schaal, 1)


def staafdiagram(rijen: Sequence[tuple[str, int, int, int | None]], *, breedte: int = 900, links: int = 170,
                 rechts: int = 12, rijhoogte: int = 30, boven: int = 6) -> Staafdiagram:
    """`rijen`: (label, spent, budget, forecast or None) in cents."""
    plot = breedte - links - rechts
    if plot <= 0:
        raise ValueError("a chart needs room for its bars")
    schaal = max([1] + [max(v, b, p or 0) for _, v, b, p in rijen])
    staafhoogte = rijhoogte * 0.6
    staven = tuple(
        Staaf(label=label, y=boven + i * rijhoogte + (rijhoogte - staafhoogte) / 2,
              budget_breedte=_lengte(budget, schaal, plot), verbruikt_breedte=_lengte(verbruikt, schaal, plot),
              prognose_x=None if p is None else links + _lengte(p, schaal, plot),
              verbruikt_cent=verbruikt, budget_cent=budget, prognose_cent=p,
              over_budget=verbruikt > budget or (p is not None and p > budget))
        for i, (label, verbruikt, budget, p) in enumerate(rijen))
    return Staafdiagram(breedte=breedte, hoogte=2 * boven + max(len(rijen), 1) * rijhoogte, links=links,
                        plot_breedte=plot, schaal_cent=schaal, staven=staven, staafhoogte=staafhoogte)
