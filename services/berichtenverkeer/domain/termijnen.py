"""Deadlines of the standard in Dutch working days (pure: no I/O). Reference: ijw-iwmo-3.2 §7.7.

Decisions (the standard says "werkdagen" and does not define them):
- Working days follow the Algemene termijnenwet: not Saturday, Sunday, New Year's Day, Easter Monday, King's Day,
  5 May (every year), Ascension Day, Whit Monday, Christmas Day and Boxing Day. The holidays come from the `holidays`
  library (Netherlands) without Good Friday (not in the Act) and with 5 May every year (the library has it only in
  lustrum years).
- "Within N working days after receipt": the day of receipt does not count (a message received on a non-working day
  counts from the next working day); the obligation is due at the end of the N-th working day after it (Dutch time).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

NL = ZoneInfo("Europe/Amsterdam")


@functools.lru_cache(maxsize=64)
def feestdagen(jaar: int) -> frozenset[dt.date]:
    """Public holidays of the Algemene termijnenwet in a year."""
    bibliotheek = holidays.NL(years=jaar, language="en_US")
    dagen = {d for d, naam in bibliotheek.items() if naam != "Good Friday"}
    return frozenset(dagen | {dt.date(jaar, 5, 5)})


def is_werkdag(dag: dt.date) -> bool:
    return dag.weekday() < 5 and dag not in feestdagen(dag.year)


def werkdagen_na(dag: dt.date, aantal: int) -> dt.date:
    """The `aantal`-th working day after `dag` (which itself never counts)."""
    if aantal < 1:
        raise ValueError("a deadline is at least one working day")
    while aantal:
        dag += dt.timedelta(days=1)
        if is_werkdag(dag):
            aantal -= 1
    return dag


def werkdagen_tussen(van: dt.date, tot: dt.date) -> int:
    """Working days after `van` up to and including `tot` (negative when `tot` lies before `van`)."""
    if tot < van:
        return -werkdagen_tussen(tot, van)
    return sum(1 for i in range(1, (tot - van).days + 1) if is_werkdag(van + dt.timedelta(days=i)))


class Soort(StrEnum):
    """What must be sent, and by whom (§7.7)."""

    ANTWOORD_325 = "325"  # municipality answers a 323: 10 working days (OP090x4)
    RETOUR = "retour"  # 302/306/308/316/318/320 to any heen message: 3 working days (OP090)
    TOEWIJZING_OF_319 = "301_of_319"  # municipality answers a 315/317: 5 working days (OP274, OP346)


WERKDAGEN = {Soort.ANTWOORD_325: 10, Soort.RETOUR: 3, Soort.TOEWIJZING_OF_319: 5}


def uiterlijk(soort: Soort, ontvangen_at: dt.datetime) -> dt.date:
    """The last day (Dutch date) on which the obligation from a message received at `ontvangen_at` is met in time."""
    return werkdagen_na(ontvangen_at.astimezone(NL).date(), WERKDAGEN[soort])


class Stand(StrEnum):
    VERVULD = "vervuld"  # met in time
    TE_LAAT_VERVULD = "te_laat_vervuld"
    OP_TIJD = "op_tijd"
    BIJNA_VERLOPEN = "bijna_verlopen"  # due today or on the next working day
    VERLOPEN = "verlopen"


@dataclass(frozen=True)
class Verplichting:
    soort: Soort
    uiterlijk: dt.date
    vervuld_op: dt.date | None = None

    def stand(self, vandaag: dt.date) -> Stand:
        if self.vervuld_op is not None:
            return Stand.VERVULD if self.vervuld_op <= self.uiterlijk else Stand.TE_LAAT_VERVULD
        if vandaag > self.uiterlijk:
            return Stand.VERLOPEN
        return Stand.BIJNA_VERLOPEN if werkdagen_tussen(vandaag, self.uiterlijk) <= 1 else Stand.OP_TIJD
