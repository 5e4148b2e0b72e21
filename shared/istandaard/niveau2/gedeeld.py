"""What the level-2 rules of every message kind share: a message's values with their paths, and the checks the
stylesheet uses in several rules (its 11-proef, date arithmetic, period overlap)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import mul
from typing import Any

from ..problemen import Problem, problem

BERICHT = "/Bericht"
EERSTE_DATUM = dt.date(2021, 1, 1)  # release 3.0 in force (CS100)
_XML_WHITESPACE = " \t\r\n"


def filled(value: Any) -> bool:
    """The stylesheet's "*": present and not only whitespace (normalize-space(text()) != '')."""
    if value is None:
        return False
    return not isinstance(value, str) or value.strip(_XML_WHITESPACE) != ""


_RUN = re.compile(r"[ \t\r\n]+")


def normalize_space(text: str) -> str:
    """XPath's normalize-space: XML whitespace (not other Unicode spaces) stripped, inner runs made one space."""
    return _RUN.sub(" ", text).strip(" ")


_GEWICHTEN = (9, 8, 7, 6, 5, 4, 3, 2)
_NUL = ord("0") * (sum(_GEWICHTEN) - 1)  # the ASCII offset of the weighted digits, taken out at once


def elfproef_ok(bsn: str) -> bool:
    """The stylesheet's 11-proef (check11proef): 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11. As there, nine zeros
    pass; a BSN that is not nine digits cannot reach level 2 (the XSD's pattern)."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return False
    digits = bsn.encode("ascii")  # bytes iterate as ints: the sum runs in C
    return (sum(map(mul, digits, _GEWICHTEN)) - digits[8] - _NUL) % 11 == 0


def datum_gebruik_klopt(datum: dt.date, gebruik: str) -> bool:
    """CS139: DatumGebruik 3 (unknown) goes with 1900-01-01, 2 (only the year) with 1 January, 1 (month and year)
    with the first of the month."""
    if gebruik == "3":
        return datum == dt.date(1900, 1, 1)
    if gebruik == "2":
        return (datum.month, datum.day) == (1, 1)
    if gebruik == "1":
        return datum.day == 1
    return True


def periodes_overlappen(b1: dt.date | None, e1: dt.date | None, b2: dt.date | None, e2: dt.date | None) -> bool:
    """The stylesheet's isPeriodOverlay: a missing end is open; two open periods always overlap."""
    if e1 is not None and e2 is not None:
        return not ((b2 is not None and e1 < b2) or (b1 is not None and e2 < b1))
    if e1 is not None:
        return b2 is None or e1 >= b2
    if e2 is not None:
        return b1 is None or e2 >= b1
    return True


def laatste_dag(d: dt.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def vijf_jaar_eerder(d: dt.date) -> dt.date:
    """The stylesheet's addMonths(d, -60) with truncation: 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year - 5)
    except ValueError:
        return d.replace(year=d.year - 5, day=28)


def dagtekening(values: dict) -> dt.date:
    return values["Header"]["BerichtIdentificatie"]["Dagtekening"]


def tr137_problemen(path: str, begin: dt.date, eind: dt.date, ref: dt.date) -> list[Problem]:
    """TR137 on one closed period: it does not end before it begins, and it has ended by the message's Dagtekening."""
    out = []
    if begin > eind:
        out.append(problem("TR137", f"{path}/Einddatum", None, str(eind), f"on or after {begin}",
                           "Einddatum ligt voor de begindatum van de periode", "The period ends before it begins"))
    if eind > ref:
        out.append(problem("TR137", f"{path}/Einddatum", None, str(eind), f"on or before {ref} (the Dagtekening)",
                           "De periode eindigt na de dagtekening van het bericht",
                           "The period ends after the message date"))
    return out


def cd060_probleem(path: str, debet_credit: str, vorig: str | None) -> Problem | None:
    """CD060: VorigReferentieNummer is filled exactly on a credit line."""
    if filled(vorig) == (debet_credit == "C"):
        return None
    return problem("CD060", f"{path}/ProductReferentie/VorigReferentieNummer", None, vorig or "(leeg/empty)",
                   "present exactly when DebetCredit is C",
                   "VorigReferentieNummer is verplicht bij credit en niet toegestaan bij debet",
                   "VorigReferentieNummer is required on credit lines and not allowed on debit lines")


@dataclass(frozen=True)
class Bericht:
    """One message's values (as shared.istandaard.lezen returns them) with the paths of its parts."""

    domein: str
    berichttype: str
    values: dict

    def each(self, *names: str) -> Iterator[tuple[str, Any]]:
        """(path, value) of every element at this path of names under Bericht; repeated elements get an index."""
        level: list[tuple[str, Any]] = [(BERICHT, self.values)]
        for name in names:
            nxt = []
            for path, v in level:
                if not isinstance(v, dict) or v.get(name) is None:
                    continue
                child = v[name]
                if isinstance(child, list):
                    nxt += [(f"{path}/{name}[{i}]", c) for i, c in enumerate(child, 1)]
                else:
                    nxt.append((f"{path}/{name}", child))
            level = nxt
        return iter(level)

    def find(self, name: str) -> Iterator[tuple[str, Any]]:
        """(path, value) of every element of this name, anywhere in the message."""
        def walk(path: str, v: Any) -> Iterator[tuple[str, Any]]:
            if not isinstance(v, dict):
                return
            for key, child in v.items():
                items = [(f"{path}/{key}[{i}]", c) for i, c in enumerate(child, 1)] if isinstance(child, list) \
                    else [(f"{path}/{key}", child)]
                for p, c in items:
                    if key == name:
                        yield p, c
                    yield from walk(p, c)
        return walk(BERICHT, self.values)

    def find_dicts_with(self, *names: str) -> Iterator[tuple[str, dict]]:
        """(path, element) of every element with all these children."""
        return ((p, v) for p, v in self._dicts() if all(n in v for n in names))

    def find_dicts_with_any(self, *names: str) -> Iterator[tuple[str, dict]]:
        return ((p, v) for p, v in self._dicts() if any(n in v for n in names))

    def _dicts(self) -> Iterator[tuple[str, dict]]:
        def walk(path: str, v: Any) -> Iterator[tuple[str, dict]]:
            if isinstance(v, dict):
                yield path, v
                for key, child in v.items():
                    if isinstance(child, list):
                        for i, c in enumerate(child, 1):
                            yield from walk(f"{path}/{key}[{i}]", c)
                    else:
                        yield from walk(f"{path}/{key}", child)
        return walk(BERICHT, self.values)
