"""Volume and amount arithmetic (TR321/TR322/TR341, IV076–IV079, IV081). Every expected value is worked out by
hand from a calendar (weekday of the 1st, month length) and written down; the property tests use
date.isocalendar()/weekday() over the individual days as an independent oracle."""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declaratie.domain.volume import (
    EENHEID_EURO,
    EENHEID_MINUUT,
    EENHEID_UUR,
    Uitvoeringsvariant,
    bedrag_minuten_op_uurtarief,
    eenheid_past,
    in_toegewezen_eenheid,
    iso_weken,
    maanden,
    max_volume_periode,
    max_volume_totaal,
    tarief_per_minuut,
    uren_uit_minuten,
    zondagen,
)
from shared.models import Omvang

D = dt.date
INSP = Uitvoeringsvariant.INSPANNING
OUTP = Uitvoeringsvariant.OUTPUT


def omvang(volume: int, frequentie: str, eenheid: str = "04") -> Omvang:
    return Omvang(volume=volume, eenheid=eenheid, frequentie=frequentie)


# --- iso_weken ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("begin", "eind", "expected"), [
    # February 2021: Mon 1 .. Sun 28 = exactly ISO weeks 5-8.
    (D(2021, 2, 1), D(2021, 2, 28), 4),
    # April 2026: Wed 1 (week 14) .. Thu 30 (week 18).
    (D(2026, 4, 1), D(2026, 4, 30), 5),
    # March 2026: Sun 1 (week 9) .. Tue 31 (week 14): a 31-day month starting on Sunday.
    (D(2026, 3, 1), D(2026, 3, 31), 6),
    # August 2021: Sun 1 (week 30) .. Tue 31 (week 35).
    (D(2021, 8, 1), D(2021, 8, 31), 6),
    # November 2020: Sun 1 (week 44) .. Mon 30 (week 49): 30 days are enough for 6 weeks.
    (D(2020, 11, 1), D(2020, 11, 30), 6),
    # IV077 example: Tue 7 Oct 2025 (week 41) .. Tue 30 Dec 2025 (week 1 of 2026) = 41..52 + 1.
    (D(2025, 10, 7), D(2025, 12, 30), 13),
    # 2026 has a week 53 (1 Jan 2026 is a Thursday): Mon 28 Dec 2026 .. Sun 3 Jan 2027 is one week.
    (D(2026, 12, 28), D(2027, 1, 3), 1),
    (D(2026, 12, 31), D(2027, 1, 1), 1),
    # Sun 3 Jan 2027 (week 53 of 2026) and Mon 4 Jan 2027 (week 1 of 2027).
    (D(2027, 1, 3), D(2027, 1, 4), 2),
    # Single days and Sunday/Monday edges.
    (D(2021, 2, 1), D(2021, 2, 1), 1),
    (D(2021, 2, 7), D(2021, 2, 8), 2),
    (D(2021, 2, 1), D(2021, 2, 7), 1),
    (D(2021, 2, 1), D(2021, 2, 8), 2),
    # Empty range.
    (D(2021, 2, 2), D(2021, 2, 1), 0),
])
def test_iso_weken(begin, eind, expected):
    assert iso_weken(begin, eind) == expected


# --- zondagen ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("begin", "eind", "expected"), [
    (D(2021, 2, 1), D(2021, 2, 28), 4),   # Sundays 7, 14, 21, 28
    (D(2026, 3, 1), D(2026, 3, 31), 5),   # Sundays 1, 8, 15, 22, 29
    (D(2026, 4, 1), D(2026, 4, 30), 4),   # Sundays 5, 12, 19, 26
    (D(2025, 10, 7), D(2025, 12, 30), 12),  # Oct 12,19,26; Nov 2,9,16,23,30; Dec 7,14,21,28
    (D(2021, 2, 7), D(2021, 2, 7), 1),    # a single Sunday
    (D(2021, 2, 1), D(2021, 2, 6), 0),    # Mon..Sat
    (D(2021, 2, 8), D(2021, 2, 7), 0),    # empty range
    (D(2026, 12, 27), D(2027, 1, 3), 2),  # both Sundays across the year boundary
])
def test_zondagen(begin, eind, expected):
    assert zondagen(begin, eind) == expected


# --- maanden -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("begin", "eind", "expected"), [
    (D(2026, 4, 15), D(2026, 4, 15), 1),
    (D(2026, 4, 1), D(2026, 4, 30), 1),
    (D(2026, 1, 31), D(2026, 2, 1), 2),
    (D(2025, 12, 15), D(2026, 1, 15), 2),
    (D(2025, 1, 1), D(2025, 12, 31), 12),
    (D(2025, 1, 1), D(2026, 12, 31), 24),
    (D(2026, 4, 29), D(2026, 6, 3), 3),
    (D(2026, 5, 1), D(2026, 4, 30), 0),
])
def test_maanden(begin, eind, expected):
    assert maanden(begin, eind) == expected


# --- max_volume_periode: frequentie 2, inspanningsgericht --------------------------------------------------------

def test_week_inspanning_full_months_of_4_5_6_weeks():
    o = omvang(3, "2")
    assert max_volume_periode(o, D(2021, 1, 1), D(2021, 12, 31), D(2021, 2, 1), D(2021, 2, 28), INSP) == 12
    assert max_volume_periode(o, D(2026, 1, 1), D(2026, 12, 31), D(2026, 4, 1), D(2026, 4, 30), INSP) == 15
    assert max_volume_periode(o, D(2026, 1, 1), D(2026, 12, 31), D(2026, 3, 1), D(2026, 3, 31), INSP) == 18


def test_week_inspanning_per_month_of_the_iv077_example():
    # Allocation Tue 7 Oct - Tue 30 Dec 2025, 3 per week.
    o, b, e = omvang(3, "2"), D(2025, 10, 7), D(2025, 12, 30)
    # October within the allocation: 7 Oct (week 41) .. Fri 31 Oct (week 44) = 4 weeks.
    assert max_volume_periode(o, b, e, D(2025, 10, 1), D(2025, 10, 31), INSP) == 12
    # November: Sat 1 (week 44) .. Sun 30 (week 48) = 5 weeks.
    assert max_volume_periode(o, b, e, D(2025, 11, 1), D(2025, 11, 30), INSP) == 15
    # December within the allocation: Mon 1 (week 49) .. Tue 30 (week 1) = 49, 50, 51, 52, 1 = 5 weeks.
    assert max_volume_periode(o, b, e, D(2025, 12, 1), D(2025, 12, 31), INSP) == 15
    # Week 44 counts in October and November: 14 weeks per month versus 13 cumulatively.
    assert max_volume_totaal(o, b, e, INSP) == 39


def test_week_inspanning_product_period_partly_outside_allocation():
    # Allocation from Wed 15 Apr 2026: 15 Apr (week 16) .. 30 Apr (week 18) = 3 weeks, not the month's 5.
    o = omvang(2, "2")
    assert max_volume_periode(o, D(2026, 4, 15), D(2026, 6, 30), D(2026, 4, 1), D(2026, 4, 30), INSP) == 6
    # Allocation ending Tue 7 Apr 2026: 1 Apr (week 14) .. 7 Apr (week 15) = 2 weeks.
    assert max_volume_periode(o, D(2026, 1, 1), D(2026, 4, 7), D(2026, 4, 1), D(2026, 4, 30), INSP) == 4


@pytest.mark.parametrize("frequentie", ["1", "2", "4", "6"])
@pytest.mark.parametrize("variant", list(Uitvoeringsvariant))
def test_product_period_outside_allocation_gives_zero(frequentie, variant):
    o = omvang(5, frequentie)
    # Entirely before, entirely after, and a period ending the day before the allocation starts.
    assert max_volume_periode(o, D(2026, 5, 1), D(2026, 6, 30), D(2026, 4, 1), D(2026, 4, 30), variant) == 0
    assert max_volume_periode(o, D(2026, 5, 1), D(2026, 6, 30), D(2026, 7, 1), D(2026, 7, 31), variant) == 0
    assert max_volume_periode(o, D(2026, 5, 1), None, D(2026, 4, 1), D(2026, 4, 30), variant) == 0


# --- max_volume_periode: frequentie 2, outputgericht -------------------------------------------------------------

def test_week_output_allocation_not_ending_on_sunday_gets_extra_week_in_last_sundays_month():
    # Allocation Tue 7 Oct - Tue 30 Dec 2025, 3 per week; last Sunday is 28 Dec.
    o, b, e = omvang(3, "2"), D(2025, 10, 7), D(2025, 12, 30)
    assert max_volume_periode(o, b, e, D(2025, 10, 1), D(2025, 10, 31), OUTP) == 9   # Sundays 12, 19, 26
    assert max_volume_periode(o, b, e, D(2025, 11, 1), D(2025, 11, 30), OUTP) == 15  # 2, 9, 16, 23, 30
    assert max_volume_periode(o, b, e, D(2025, 12, 1), D(2025, 12, 31), OUTP) == 15  # 7, 14, 21, 28 + 1
    # Total: 12 Sundays + 1 for the incomplete last week = 13 weeks.
    assert max_volume_totaal(o, b, e, OUTP) == 39


def test_week_output_allocation_ending_on_sunday_gets_no_extra_week():
    # Allocation Tue 7 Oct - Sun 28 Dec 2025.
    o, b, e = omvang(3, "2"), D(2025, 10, 7), D(2025, 12, 28)
    assert max_volume_periode(o, b, e, D(2025, 12, 1), D(2025, 12, 31), OUTP) == 12  # 7, 14, 21, 28
    assert max_volume_totaal(o, b, e, OUTP) == 36  # 12 Sundays


def test_week_output_extra_week_lands_in_month_of_last_sunday_not_of_end_date():
    # Allocation Sat 1 Nov - Tue 2 Dec 2025: last Sunday is 30 Nov.
    o, b, e = omvang(2, "2"), D(2025, 11, 1), D(2025, 12, 2)
    assert max_volume_periode(o, b, e, D(2025, 11, 1), D(2025, 11, 30), OUTP) == 12  # (5 Sundays + 1) x 2
    assert max_volume_periode(o, b, e, D(2025, 12, 1), D(2025, 12, 31), OUTP) == 0   # 1-2 Dec: no Sunday
    assert max_volume_totaal(o, b, e, OUTP) == 12


def test_week_output_allocation_without_any_sunday():
    # Tue 2 - Fri 5 Dec 2025: no Sunday at all; the one (incomplete) week is anchored on the end date.
    o, b, e = omvang(2, "2"), D(2025, 12, 2), D(2025, 12, 5)
    assert max_volume_periode(o, b, e, D(2025, 12, 1), D(2025, 12, 31), OUTP) == 2
    assert max_volume_totaal(o, b, e, OUTP) == 2


def test_week_output_open_ended_allocation_has_no_last_sunday():
    o = omvang(3, "2")
    # December 2025 has Sundays 7, 14, 21, 28 and ends on Wednesday 31: no extra week without an Einddatum.
    assert max_volume_periode(o, D(2025, 10, 7), None, D(2025, 12, 1), D(2025, 12, 31), OUTP) == 12


# --- max_volume_periode: frequenties 4, 1, 6 ---------------------------------------------------------------------

@pytest.mark.parametrize("variant", list(Uitvoeringsvariant))
def test_month_partial_first_and_last_month_get_full_volume(variant):
    # Allocation Wed 29 Apr - Wed 3 Jun 2026, 8 per month.
    o, b, e = omvang(8, "4"), D(2026, 4, 29), D(2026, 6, 3)
    assert max_volume_periode(o, b, e, D(2026, 4, 29), D(2026, 4, 30), variant) == 8
    assert max_volume_periode(o, b, e, D(2026, 5, 1), D(2026, 5, 31), variant) == 8
    assert max_volume_periode(o, b, e, D(2026, 6, 1), D(2026, 6, 3), variant) == 8
    assert max_volume_totaal(o, b, e, variant) == 24  # April, May, June


def test_day_volume_times_days_in_allocation():
    o = omvang(2, "1", eenheid="14")
    # Allocation from 10 Apr 2026: 10..30 April = 21 days.
    assert max_volume_periode(o, D(2026, 4, 10), None, D(2026, 4, 1), D(2026, 4, 30), INSP) == 42
    # February 2021 in full: 28 days.
    assert max_volume_periode(o, D(2021, 1, 1), D(2021, 12, 31), D(2021, 2, 1), D(2021, 2, 28), INSP) == 56
    # Total over 1 Jan - 31 Mar 2021 = 31 + 28 + 31 = 90 days.
    assert max_volume_totaal(o, D(2021, 1, 1), D(2021, 3, 31), INSP) == 180


@pytest.mark.parametrize("variant", list(Uitvoeringsvariant))
def test_total_frequency_has_no_per_period_maximum(variant):
    o = omvang(40, "6")
    assert max_volume_periode(o, D(2026, 1, 1), D(2026, 12, 31), D(2026, 4, 1), D(2026, 4, 30), variant) is None
    assert max_volume_periode(o, D(2026, 1, 1), None, D(2026, 4, 1), D(2026, 4, 30), variant) is None
    assert max_volume_totaal(o, D(2026, 1, 1), D(2026, 12, 31), variant) == 40
    assert max_volume_totaal(o, D(2026, 1, 1), None, variant) == 40


@pytest.mark.parametrize("frequentie", ["1", "2", "4"])
@pytest.mark.parametrize("variant", list(Uitvoeringsvariant))
def test_open_ended_allocation_has_no_cumulative_maximum(frequentie, variant):
    assert max_volume_totaal(omvang(5, frequentie), D(2026, 1, 1), None, variant) is None


def test_week_inspanning_total_over_year_boundary_with_week_53():
    # Mon 14 Dec 2026 (week 51) .. Sun 10 Jan 2027 (week 1 of 2027 ends Sun 10 Jan): 51, 52, 53, 1 = 4 weeks.
    assert max_volume_totaal(omvang(5, "2"), D(2026, 12, 14), D(2027, 1, 10), INSP) == 20


def test_unknown_frequency_is_rejected():
    with pytest.raises(ValueError):
        max_volume_periode(omvang(1, "3"), D(2026, 1, 1), None, D(2026, 4, 1), D(2026, 4, 30), INSP)
    with pytest.raises(ValueError):
        max_volume_totaal(omvang(1, "5"), D(2026, 1, 1), D(2026, 12, 31), INSP)


# --- units and amounts -------------------------------------------------------------------------------------------

def test_unit_constants():
    assert (EENHEID_MINUUT, EENHEID_UUR, EENHEID_EURO) == ("01", "04", "83")


@pytest.mark.parametrize(("toegewezen", "gedeclareerd", "expected"), [
    ("04", "04", True),
    ("04", "01", True),    # minutes against hours
    ("01", "04", False),   # hours against minutes
    ("01", "01", True),
    ("83", "83", True),
    ("83", "01", False),
    ("14", "16", False),   # etmaal vs dagdeel
    ("82", "84", False),   # output pieces vs effort pieces
])
def test_eenheid_past(toegewezen, gedeclareerd, expected):
    assert eenheid_past(toegewezen, gedeclareerd) is expected


def test_in_toegewezen_eenheid():
    assert in_toegewezen_eenheid(95, "01", "04") == Fraction(19, 12)  # 95 / 60
    assert in_toegewezen_eenheid(120, "01", "04") == Fraction(2)
    assert in_toegewezen_eenheid(7, "04", "04") == Fraction(7)
    assert in_toegewezen_eenheid(12345, "83", "83") == Fraction(12345)
    # Exact numbers only, never float: the same unit stays an int, minutes against hours a Fraction.
    assert type(in_toegewezen_eenheid(7, "04", "04")) is int
    assert type(in_toegewezen_eenheid(7, "01", "04")) is Fraction
    with pytest.raises(ValueError):
        in_toegewezen_eenheid(2, "04", "01")
    with pytest.raises(ValueError):
        in_toegewezen_eenheid(2, "83", "04")


@pytest.mark.parametrize(("minuten", "uren"), [
    (0, 0),      # nothing delivered: no minimum hour
    (1, 1),      # minimum 1 hour
    (29, 1),     # 0.48 h rounds to 0, minimum lifts it to 1
    (30, 1),     # exactly 0.5 rounds up
    (60, 1),
    (89, 1),     # 1.48 h
    (90, 2),     # exactly 1.5 rounds up
    (149, 2),    # 2.48 h
    (150, 3),    # exactly 2.5 rounds up
    (6000, 100),
])
def test_uren_uit_minuten(minuten, uren):
    assert uren_uit_minuten(minuten) == uren


def test_uren_uit_minuten_rejects_negative():
    with pytest.raises(ValueError):
        uren_uit_minuten(-1)


def test_iv081_example_minutes_on_hour_tariff():
    # € 98,50/h, 95 minutes: 9850 x 95 = 935 750; / 60 = 15 595.83 -> 15 596 (not 164 x 95 = 15 580).
    assert bedrag_minuten_op_uurtarief(9850, 95) == 15596
    # 9850 / 60 = 164.17 -> 164.
    assert tarief_per_minuut(9850) == 164


def test_amount_rounding_exactly_at_half():
    # 9850 x 3 / 60 = 492.5 -> 493; 9850 x 6 / 60 = 985 exactly.
    assert bedrag_minuten_op_uurtarief(9850, 3) == 493
    assert bedrag_minuten_op_uurtarief(9850, 6) == 985
    # 30 / 60 = 0.5 -> 1; 29 / 60 -> 0; 90 / 60 = 1.5 -> 2; 89 / 60 -> 1.
    assert tarief_per_minuut(30) == 1
    assert tarief_per_minuut(29) == 0
    assert tarief_per_minuut(90) == 2
    assert tarief_per_minuut(89) == 1
    assert bedrag_minuten_op_uurtarief(9850, 0) == 0
    assert bedrag_minuten_op_uurtarief(6000, 60) == 6000


def test_module_uses_no_floats():
    import ast
    import inspect

    from declaratie.domain import volume

    tree = ast.parse(inspect.getsource(volume))
    floats = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    divisions = [n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)]
    assert not floats and not divisions


# --- properties (independent oracle: day-by-day calendar) --------------------------------------------------------

dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
spans = st.integers(min_value=0, max_value=500)


def _days(begin: dt.date, eind: dt.date):
    return [begin + dt.timedelta(days=i) for i in range((eind - begin).days + 1)]


def _calendar_months(begin: dt.date, eind: dt.date):
    y, m = begin.year, begin.month
    while (y, m) <= (eind.year, eind.month):
        yield D(y, m, 1), D(y, m, calendar.monthrange(y, m)[1])
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@settings(max_examples=300, deadline=None)
@given(begin=dates, span=spans)
def test_calendar_counts_match_day_by_day_oracle(begin, span):
    eind = begin + dt.timedelta(days=span)
    days = _days(begin, eind)
    assert iso_weken(begin, eind) == len({d.isocalendar()[:2] for d in days})
    assert zondagen(begin, eind) == sum(1 for d in days if d.isoweekday() == 7)
    assert maanden(begin, eind) == len({(d.year, d.month) for d in days})


@settings(max_examples=300, deadline=None)
@given(begin=dates, span=spans, volume=st.integers(min_value=0, max_value=50))
def test_per_month_maxima_versus_total(begin, span, volume):
    eind = begin + dt.timedelta(days=span)
    months = list(_calendar_months(begin, eind))
    week = omvang(volume, "2")
    per_month_insp = sum(max_volume_periode(week, begin, eind, mb, me, INSP) for mb, me in months)
    # Partial weeks count whole in every month they touch, so the months together never allow less.
    assert per_month_insp >= max_volume_totaal(week, begin, eind, INSP)
    # Outputgericht, per month and per day and per month-frequency: the months add up exactly to the total.
    for o, variant in ((week, OUTP), (omvang(volume, "1"), INSP), (omvang(volume, "4"), INSP)):
        per_month = sum(max_volume_periode(o, begin, eind, mb, me, variant) for mb, me in months)
        assert per_month == max_volume_totaal(o, begin, eind, variant)
