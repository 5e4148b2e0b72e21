"""What finance and control count per verdict (pure: no I/O): recorded with the booking, shown on the dashboard.

Per verdict (one per declaration message): municipality, domain, provider, when it was judged, whether the
declaration was rejected as a whole (a header or declaration RetourCode), lines approved and rejected, the net
expense actually booked for it and how much of that falls under a regional or a local contract, and the rejected
lines per RetourCode with the rule and its Dutch reason.

Decisions:
- Money comes from the entries really booked (a reversal mirrors its original, a refused key books nothing), so
  these figures agree with the ledger, not with what the verdict's lines say.
- The verdict carries no amounts for rejected lines (`PrestatieOordeel` has codes and reasons only), so rejections
  are counted in lines, not in euros.
- A line with two RetourCodes counts under both; a message rejected at header or declaration level counts once
  under each of its codes (its lines are not assessed, the verdict lists none).
- Only a rule's fixed Dutch text is kept as the reason, never the values found in the declaration, and a text with
  a nine-digit number is dropped altogether: a BSN must not reach the dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from shared.kalender import NL
from shared.platform.events import DeclaratieBeoordeeld

from .grootboek import Journaalpost

# "TR418 (0611) ProductTarief: Tarief wijkt af van het contracttarief; gevonden …" (declaratie's Reden.tekst()).
# Level-2 texts (CS002 /path: message …) do not match and are not kept: they may quote what was found.
_REDEN = re.compile(r"^(?P<regel>[A-Z]{2}\d{3}) \((?P<code>[0-9A-Z]{4})\) [A-Za-z/]+: (?P<nl>[^;]{1,200}); gevonden")
_NEGEN_CIJFERS = re.compile(r"\d{9}")

Niveau = Literal["header", "declaratie", "regel"]
# (provider AGB, domain, municipality, product code, first day of the product period) -> "regionaal" / "lokaal"
Contractsoort = Callable[[str, str, str, str, dt.date], str | None]


@dataclass(frozen=True)
class Afkeuring:
    niveau: Niveau
    retourcode: str
    regel: str | None  # the rule id (TR418) when the verdict names it
    reden: str | None  # the rule's fixed Dutch text
    aantal: int  # lines (niveau regel) or 1 (the message)


@dataclass(frozen=True)
class Beoordelingsstatistiek:
    bericht_id: str
    gemeente: str
    domein: str
    aanbieder: str
    declaratienummer: str
    beoordeeld_at: dt.datetime
    geheel_afgewezen: bool
    regels_goedgekeurd: int
    regels_afgekeurd: int
    goedgekeurd_cent: int  # net expense booked for this message, debit positive
    regionaal_cent: int  # … of which for products under a regional contract
    lokaal_cent: int  # … under a local one (the rest: no contract found for the line)
    afkeuringen: tuple[Afkeuring, ...]

    @property
    def maand(self) -> dt.date:
        """First day of the Dutch month the verdict was made in."""
        return self.beoordeeld_at.astimezone(NL).date().replace(day=1)


def reden_van(tekst: str, code: str) -> tuple[str | None, str | None]:
    """(rule id, Dutch reason) from a reason text for this code, or (None, None) when it is not one we trust."""
    m = _REDEN.match(tekst)
    if m is None or m["code"] != code or _NEGEN_CIJFERS.search(m["nl"]):
        return None, None
    return m["regel"], m["nl"].strip()


def _eerste_reden(redenen: Iterable[str], code: str) -> tuple[str | None, str | None]:
    for tekst in redenen:
        gevonden = reden_van(tekst, code)
        if gevonden[0] is not None:
            return gevonden
    return None, None


def afkeuringen(event: DeclaratieBeoordeeld) -> tuple[Afkeuring, ...]:
    """Rejections per level, code, rule and reason, in a stable order."""
    teller: Counter[tuple[Niveau, str, str | None, str | None]] = Counter()
    for code in event.header_retourcodes:
        if code != "0200":  # 0200: the header is fine
            teller[("header", code, *_eerste_reden(event.header_redenen, code))] += 1
    for code in event.declaratie_retourcodes:
        teller[("declaratie", code, *_eerste_reden(event.declaratie_redenen, code))] += 1
    for oordeel in event.oordelen:
        for code in dict.fromkeys(oordeel.retourcodes):  # a code twice on one line is one rejected line
            teller[("regel", code, *_eerste_reden(oordeel.redenen, code))] += 1
    return tuple(Afkeuring(n, c, r, t, aantal) for (n, c, r, t), aantal in
                 sorted(teller.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "", kv[0][3] or "")))


def netto_kosten(post: Journaalpost) -> int:
    return sum(r.debet - r.credit for r in post.regels if r.rekening.startswith("kosten:"))


def statistiek(event: DeclaratieBeoordeeld, geboekt: Iterable[Journaalpost],
               contractsoort: Contractsoort | None = None) -> Beoordelingsstatistiek:
    """The statistics of one verdict; `geboekt`: the entries booked for its message in this transaction."""
    lijnen = {p.idempotentie_sleutel: p for p in event.goedgekeurd}
    totaal = regionaal = lokaal = 0
    for post in geboekt:
        netto = netto_kosten(post)
        totaal += netto
        lijn = lijnen.get(post.idempotentie_sleutel)
        soort = (contractsoort(event.aanbieder, event.domein, event.gemeente, lijn.productcode, lijn.periode_begin)
                 if contractsoort is not None and lijn is not None else None)
        if soort == "regionaal":
            regionaal += netto
        elif soort == "lokaal":
            lokaal += netto
    afgekeurd = sum(1 for o in event.oordelen if o.retourcodes)
    return Beoordelingsstatistiek(
        bericht_id=event.bericht_id, gemeente=event.gemeente, domein=event.domein, aanbieder=event.aanbieder,
        declaratienummer=event.declaratienummer, beoordeeld_at=event.occurred_at,
        geheel_afgewezen=event.header_retourcodes != ["0200"] or bool(event.declaratie_retourcodes),
        regels_goedgekeurd=len(event.oordelen) - afgekeurd, regels_afgekeurd=afgekeurd,
        goedgekeurd_cent=totaal, regionaal_cent=regionaal, lokaal_cent=lokaal, afkeuringen=afkeuringen(event))


def contractsoort_uit(regio) -> Contractsoort:
    """The kind of contract a line was approved under, from the region file (a local contract wins, as in
    judging); None when no contract covers it now (e.g. a credit for a product whose contract ended)."""

    def soort(agb: str, domein: str, cbs: str, code: str, datum: dt.date) -> str | None:
        gevonden = regio.contractproduct(agb, domein, cbs, code, datum)
        return gevonden[0].soort if gevonden else None

    return soort


# ------------------------------------------------------------------ read back, for the dashboard

@dataclass(frozen=True)
class Beoordelingstelling:
    """A municipality's verdicts in a span of months."""

    gemeente: str
    berichten: int
    geheel_afgewezen: int
    regels_goedgekeurd: int
    regels_afgekeurd: int


@dataclass(frozen=True)
class Afkeurtelling:
    """One rejection reason in a span of months: lines (or messages, above line level) and messages it hit."""

    niveau: Niveau
    retourcode: str
    regel: str | None
    reden: str | None
    aantal: int
    berichten: int


@dataclass(frozen=True)
class Contractaandeel:
    """A municipality's approved net expense in a domain and year, and the part under a regional contract."""

    gemeente: str
    domein: str
    goedgekeurd: int
    regionaal: int


@dataclass(frozen=True)
class Maandcijfer:
    """From the ledger, per municipality and domain, in a span of Dutch days: net expense of declaration entries
    (approved) and net withheld beyond spending ceilings."""

    gemeente: str
    domein: str
    goedgekeurd: int
    ingehouden: int
