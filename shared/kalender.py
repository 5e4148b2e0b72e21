"""Dutch time, once: the time zone, working days, and the clock every service reads "now" and "today" from.

Dates the standard and the region talk about (a day of receipt, a deadline, "today" for a payment run, a booking
month) are Dutch calendar dates, whatever the host's time zone: between 00:00 and 02:00 Dutch time a UTC host is
still on the previous day. Instants are stored in UTC (timestamptz) and turned into Dutch dates here only.

Working days follow the Algemene termijnenwet (the standard says "werkdagen" and does not define them): not
Saturday, Sunday, New Year's Day, Easter Monday, King's Day, 5 May (every year), Ascension Day, Whit Monday,
Christmas Day and Boxing Day. The holidays come from the `holidays` library (Netherlands) without Good Friday (not
in the Act) and with 5 May every year (the library has it only in lustrum years).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

NL = ZoneInfo("Europe/Amsterdam")


class Klok:
    """The clock: the real one here; tests inject a `VasteKlok`."""

    def nu(self) -> dt.datetime:
        """Now, as an aware UTC instant."""
        return dt.datetime.now(dt.UTC)

    def vandaag(self) -> dt.date:
        """Today's Dutch calendar date."""
        return nederlandse_datum(self.nu())


@dataclass
class VasteKlok(Klok):
    """A clock that shows what it is set to (tests, replays)."""

    moment: dt.datetime

    def nu(self) -> dt.datetime:
        return self.moment


SYSTEEMKLOK = Klok()


def nederlandse_datum(moment: dt.datetime) -> dt.date:
    """The Dutch calendar date of an instant (naive instants are taken as UTC, as PostgreSQL returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(NL).date()


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
