"""Deadlines in Dutch working days (§7.7), around weekends, public holidays and midnight. Expected dates are read
off the 2026 calendar by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from berichtenverkeer.domain.termijnen import Soort, Stand, Verplichting, uiterlijk
from shared.kalender import NL, feestdagen, is_werkdag, werkdagen_na, werkdagen_tussen

d = dt.date.fromisoformat


def at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=NL)


def test_the_holidays_are_those_of_the_algemene_termijnenwet():
    assert feestdagen(2026) == {d("2026-01-01"), d("2026-04-05"), d("2026-04-06"), d("2026-04-27"), d("2026-05-05"),
                                d("2026-05-14"), d("2026-05-24"), d("2026-05-25"), d("2026-12-25"), d("2026-12-26")}
    assert is_werkdag(d("2026-04-03"))  # Good Friday is not in the Act
    assert not is_werkdag(d("2027-05-05"))  # Liberation Day counts every year, not only in lustrum years
    assert not is_werkdag(d("2026-11-21")) and is_werkdag(d("2026-11-23"))  # Saturday, Monday


@pytest.mark.parametrize("ontvangen, soort, expected", [
    ("2026-11-20 10:00", Soort.ANTWOORD_325, "2026-12-04"),  # Friday: ten working days run to Friday two weeks on
    ("2026-11-21 10:00", Soort.ANTWOORD_325, "2026-12-04"),  # Saturday: counting starts on Monday, same deadline
    ("2026-11-23 00:00", Soort.ANTWOORD_325, "2026-12-07"),  # Monday at midnight: the day itself never counts
    ("2026-12-23 16:00", Soort.RETOUR, "2026-12-29"),        # Christmas and Boxing Day are skipped
    ("2026-04-02 09:00", Soort.RETOUR, "2026-04-08"),        # Good Friday counts, Easter Monday does not
    ("2026-05-04 09:00", Soort.RETOUR, "2026-05-08"),        # 5 May 2026 (a Tuesday) is skipped
    ("2026-05-13 09:00", Soort.TOEWIJZING_OF_319, "2026-05-21"),  # Ascension Day skipped
    ("2026-12-31 12:00", Soort.RETOUR, "2027-01-06"),        # over New Year into the next year
])
def test_the_last_day_in_time(ontvangen, soort, expected):
    assert uiterlijk(soort, at(ontvangen)) == d(expected)


def test_receipt_is_dated_in_dutch_time_not_utc():
    # 23:30 UTC on Wednesday 18 November is Thursday 00:30 in the Netherlands: ten working days from Thursday.
    utc = dt.datetime(2026, 11, 18, 23, 30, tzinfo=dt.UTC)
    assert uiterlijk(Soort.ANTWOORD_325, utc) == d("2026-12-03")


def test_working_days_between_count_forward_and_backward():
    assert werkdagen_tussen(d("2026-12-04"), d("2026-12-07")) == 1  # Friday → Monday
    assert werkdagen_tussen(d("2026-12-07"), d("2026-12-04")) == -1
    assert werkdagen_tussen(d("2026-12-04"), d("2026-12-04")) == 0
    with pytest.raises(ValueError):
        werkdagen_na(d("2026-12-04"), 0)


@pytest.mark.parametrize("vandaag, vervuld, stand", [
    ("2026-12-02", None, Stand.OP_TIJD),          # two working days left
    ("2026-12-03", None, Stand.BIJNA_VERLOPEN),   # due on the next working day
    ("2026-12-04", None, Stand.BIJNA_VERLOPEN),   # due today
    ("2026-12-05", None, Stand.VERLOPEN),         # the day after the last day
    ("2026-12-09", "2026-12-04", Stand.VERVULD),  # met on the last day
    ("2026-12-09", "2026-12-07", Stand.TE_LAAT_VERVULD),
])
def test_standing_of_an_obligation_at_its_boundaries(vandaag, vervuld, stand):
    v = Verplichting(Soort.ANTWOORD_325, d("2026-12-04"), d(vervuld) if vervuld else None)
    assert v.stand(d(vandaag)) == stand


def test_a_friday_before_a_monday_deadline_is_nearly_due():
    assert Verplichting(Soort.RETOUR, d("2026-12-07")).stand(d("2026-12-04")) == Stand.BIJNA_VERLOPEN
