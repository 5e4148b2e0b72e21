"""Volume and amount arithmetic for TR321/TR322/TR341 (pure: no I/O, stdlib only, no floats).

Calendar counting (ISO weeks, Sundays, months), the per-product-period and whole-allocation volume maxima
(IV042, IV076–IV078, TR321, TR322) and the minutes-against-hours conversions (IV079, IV081, TR341).
All maxima are expressed in the allocation's unit (Omvang.Eenheid); euro cents when that unit is 83 (IV042).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: the module itself needs nothing outside the stdlib
    from shared.models import Omvang

EENHEID_MINUUT = "01"
EENHEID_UUR = "04"
EENHEID_EURO = "83"

FREQUENTIE_DAG = "1"
FREQUENTIE_WEEK = "2"
FREQUENTIE_MAAND = "4"
FREQUENTIE_TOTAAL = "6"

_ZONDAG = 6  # date.weekday()


class Uitvoeringsvariant(StrEnum):
    INSPANNING = "inspanningsgericht"
    OUTPUT = "outputgericht"


def deel_half_omhoog(teller: int, noemer: int) -> int:
    """Integer division rounded half up (IV079/IV081), exact; non-negative operands only."""
    if teller < 0 or noemer <= 0:
        raise ValueError(f"half-up division needs teller >= 0 and noemer > 0, got {teller}/{noemer}")
    return (2 * teller + noemer) // (2 * noemer)


# --- calendar counting -------------------------------------------------------------------------------------------

def iso_weken(begin: dt.date, eind: dt.date) -> int:
    """IV077/TR321: number of distinct ISO-8601 weeks (Monday–Sunday) overlapping [begin, eind]; 0 if eind < begin."""
    if eind < begin:
        return 0
    maandag_begin = begin.toordinal() - begin.weekday()
    maandag_eind = eind.toordinal() - eind.weekday()
    return (maandag_eind - maandag_begin) // 7 + 1


def zondagen(begin: dt.date, eind: dt.date) -> int:
    """IV076: number of Sundays in [begin, eind]; 0 if eind < begin."""
    if eind < begin:
        return 0
    # Ordinal 1 (1 Jan of year 1) is a Monday, so ordinal n is a Sunday exactly when n % 7 == 0 and
    # the number of Sundays with ordinal <= n is n // 7.
    return eind.toordinal() // 7 - (begin.toordinal() - 1) // 7


def maanden(begin: dt.date, eind: dt.date) -> int:
    """IV078/TR322: number of calendar months overlapping [begin, eind]; 0 if eind < begin."""
    if eind < begin:
        return 0
    return (eind.year * 12 + eind.month) - (begin.year * 12 + begin.month) + 1


def _laatste_zondag_op_of_voor(datum: dt.date) -> dt.date:
    return datum - dt.timedelta(days=(datum.weekday() - _ZONDAG) % 7)


# --- volume maxima -----------------------------------------------------------------------------------------------

def max_volume_periode(omvang: Omvang, toewijzing_begin: dt.date, toewijzing_eind: dt.date | None,
                       periode_begin: dt.date, periode_eind: dt.date, variant: Uitvoeringsvariant) -> int | None:
    """TR321 (IV076–IV078): maximum GeleverdVolume for one product period, in the allocation's unit.

    The product period is first intersected with the allocation; no overlap → 0 (whatever the frequency).
    Frequentie 6 → None (no per-period maximum, only the cumulative TR322 check).
    Frequentie 2 inspanningsgericht: Volume × ISO weeks overlapping the intersection.
    Frequentie 2 outputgericht: Volume × Sundays in the intersection, + Volume when the intersection contains
    the allocation's last Sunday and the allocation does not end on a Sunday; an open-ended allocation has no
    last Sunday. Decision: an allocation without any Sunday anchors that extra week on its Einddatum, so the
    per-period maxima always add up to max_volume_totaal.
    Frequentie 4: Volume per product period, also for a partial first/last month.
    Frequentie 1: Volume × days of the intersection [inferred in the domain brief, not spelled out in the sources].
    """
    begin = max(periode_begin, toewijzing_begin)
    eind = periode_eind if toewijzing_eind is None else min(periode_eind, toewijzing_eind)
    if eind < begin:
        return 0
    volume, frequentie = omvang.volume, omvang.frequentie
    if frequentie == FREQUENTIE_TOTAAL:
        return None
    if frequentie == FREQUENTIE_MAAND:
        return volume
    if frequentie == FREQUENTIE_DAG:
        return volume * ((eind - begin).days + 1)
    if frequentie == FREQUENTIE_WEEK:
        if variant is Uitvoeringsvariant.INSPANNING:
            return volume * iso_weken(begin, eind)
        weken = zondagen(begin, eind)
        if toewijzing_eind is not None and toewijzing_eind.weekday() != _ZONDAG:
            laatste_zondag = _laatste_zondag_op_of_voor(toewijzing_eind)
            anker = laatste_zondag if laatste_zondag >= toewijzing_begin else toewijzing_eind
            if begin <= anker <= eind:
                weken += 1
        return volume * weken
    raise ValueError(f"unknown Frequentie {frequentie!r} (WMO757: 1, 2, 4, 6)")


def max_volume_totaal(omvang: Omvang, toewijzing_begin: dt.date, toewijzing_eind: dt.date | None,
                      variant: Uitvoeringsvariant) -> int | None:
    """TR322: maximum Σ GeleverdVolume over the whole allocation period, in the allocation's unit.

    Frequentie 6 → Volume (also when open-ended). Otherwise an allocation without Einddatum → None.
    Frequentie 2 inspanningsgericht: Volume × ISO weeks overlapping the allocation (IV077).
    Frequentie 2 outputgericht: Volume × (Sundays in the allocation + 1 when it does not end on a Sunday) – our
    choice: the incomplete last week counts as a whole week, consistent with max_volume_periode (IV076/IV077).
    Frequentie 4: Volume × calendar months overlapped (IV078). Frequentie 1: Volume × days [inferred].
    """
    volume, frequentie = omvang.volume, omvang.frequentie
    if frequentie == FREQUENTIE_TOTAAL:
        return volume
    if frequentie not in (FREQUENTIE_DAG, FREQUENTIE_WEEK, FREQUENTIE_MAAND):
        raise ValueError(f"unknown Frequentie {frequentie!r} (WMO757: 1, 2, 4, 6)")
    if toewijzing_eind is None:
        return None
    if frequentie == FREQUENTIE_MAAND:
        return volume * maanden(toewijzing_begin, toewijzing_eind)
    if frequentie == FREQUENTIE_DAG:
        return volume * max(0, (toewijzing_eind - toewijzing_begin).days + 1)
    if variant is Uitvoeringsvariant.INSPANNING:
        return volume * iso_weken(toewijzing_begin, toewijzing_eind)
    if toewijzing_eind < toewijzing_begin:
        return 0
    extra = 0 if toewijzing_eind.weekday() == _ZONDAG else 1
    return volume * (zondagen(toewijzing_begin, toewijzing_eind) + extra)


# --- units and amounts -------------------------------------------------------------------------------------------

def eenheid_past(toegewezen: str, gedeclareerd: str) -> bool:
    """TR341: the declared unit equals the allocated/contracted unit, or minutes (01) declared against hours (04)."""
    return gedeclareerd == toegewezen or (toegewezen == EENHEID_UUR and gedeclareerd == EENHEID_MINUUT)


def in_toegewezen_eenheid(volume: int, gedeclareerd: str, toegewezen: str) -> int | Fraction:
    """TR341/TR321: the declared volume expressed exactly in the allocated unit (minutes against hours → /60).
    Same unit: the int itself (exact, and the common case stays out of Fraction arithmetic)."""
    if gedeclareerd == toegewezen:
        return volume
    if not eenheid_past(toegewezen, gedeclareerd):
        raise ValueError(f"declared unit {gedeclareerd!r} does not fit allocated unit {toegewezen!r} (TR341)")
    return Fraction(volume, 60)


def uren_uit_minuten(minuten: int) -> int:
    """IV079: a month's summed minutes rounded half up to whole hours, minimum 1 hour; decision: 0 minutes → 0."""
    if minuten < 0:
        raise ValueError(f"minutes must be >= 0, got {minuten}")
    if minuten == 0:
        return 0
    return max(1, deel_half_omhoog(minuten, 60))


def bedrag_minuten_op_uurtarief(uurtarief_cent: int, minuten: int) -> int:
    """IV081/TR346: IngediendBedrag for minutes against an hour tariff = round half up (uurtarief × minuten / 60)."""
    return deel_half_omhoog(uurtarief_cent * minuten, 60)


def tarief_per_minuut(uurtarief_cent: int) -> int:
    """IV081/TR418: ProductTarief for minutes against an hour tariff = round half up (uurtarief / 60), whole cents."""
    return deel_half_omhoog(uurtarief_cent, 60)
