"""Typed models of the iJw/iWmo messages the back office handles (pure data, no I/O).

Amounts are integer euro cents with a separate DebetCredit, exactly as in the standard. A BSN is personal
data: it is excluded from repr() so that an accidentally logged model never shows it.

A declaration's periods, lines and clients are slotted dataclasses, not pydantic models: a 323 can hold tens of
thousands of lines, and building a pydantic model costs about 10 µs where a dataclass costs well under one. Pydantic
still validates and serialises them inside the message models (events carry them as JSON objects, as before).
Treat them as immutable; a changed copy is `dataclasses.replace(line, ...)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Domein = Literal["jw", "wmo"]
DebetCredit = Literal["D", "C"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class Periode:
    begindatum: dt.date
    einddatum: dt.date


class Header(_Model):
    berichtcode: str
    berichtversie: int
    berichtsubversie: int
    afzender: str
    ontvanger: str
    identificatie: str
    dagtekening: dt.date
    basisschema_xsd_versie: str
    bericht_xsd_versie: str


@dataclass(slots=True)
class Prestatie:
    # The optional fields come last so that the reader can construct a line positionally (about three times as
    # fast as by keyword); everywhere else, construct by keyword.
    referentienummer: str
    toewijzingnummer: int
    productcategorie: str
    productcode: str
    productperiode: Periode
    geleverd_volume: int
    eenheid: str
    ingediend_bedrag: int
    debet_credit: DebetCredit
    vorig_referentienummer: str | None = None
    producttarief: int | None = None

    @property
    def signed_bedrag(self) -> int:
        return self.ingediend_bedrag if self.debet_credit == "D" else -self.ingediend_bedrag


@dataclass(slots=True)
class Client:
    bsn: str = field(repr=False)
    prestaties: list[Prestatie]


class Declaratie(_Model):
    declaratienummer: str
    declaratieperiode: Periode
    declaratiedagtekening: dt.date
    totaal_ingediend_bedrag: int
    totaal_debet_credit: DebetCredit
    clienten: list[Client]

    @property
    def aantal_regels(self) -> int:
        """The declaration lines (Prestaties) of all clients."""
        return sum(len(c.prestaties) for c in self.clienten)


class Declaratiebericht(_Model):
    """A 323: one provider, one municipality, one declaration period."""

    domein: Domein
    header: Header
    declaratie: Declaratie

    def prestaties(self):
        for client in self.declaratie.clienten:
            for p in client.prestaties:
                yield client, p


class PrestatieOordeel(_Model):
    """Verdict on one line: approved (no codes) or rejected with one or more RetourCodes."""

    referentienummer: str
    retourcodes: list[str] = Field(default_factory=list)
    redenen: list[str] = Field(default_factory=list)  # readable reasons, same order as retourcodes

    @property
    def goedgekeurd(self) -> bool:
        return not self.retourcodes


class Declaratieantwoord(_Model):
    """Everything that decides the content of a 325, independent of XML."""

    domein: Domein
    header: Header  # of this 325 (Afzender = municipality, Ontvanger = provider)
    declaratie_header: Header  # of the 323 being answered
    header_retourcodes: list[str]
    declaratie: Declaratie | None  # the 323's declaration; None when the header is rejected
    declaratie_retourcodes: list[str] = Field(default_factory=list)
    client_retourcodes: dict[str, list[str]] = Field(default_factory=dict, repr=False)  # by BSN
    # Codes per line in message order (empty = approved): by position, because a number used twice in one
    # message (TR314) must not lend one line's codes to the other.
    regel_retourcodes: list[list[str]] = Field(default_factory=list)

    def codes_per_regel(self) -> list[list[str]]:
        n = self.declaratie.aantal_regels if self.declaratie else 0
        return self.regel_retourcodes + [[]] * (n - len(self.regel_retourcodes))
    totaal_toegekend_bedrag: int = 0
    totaal_toegekend_debet_credit: DebetCredit = "D"


class Omvang(_Model):
    volume: int
    eenheid: str
    frequentie: str


class Toewijzing(_Model):
    """One ToegewezenProduct of a 301. Only what assessment and payment need: names, addresses and relations
    stay in the archived message (data minimisation)."""

    toewijzingnummer: int
    referentie_aanbieder: str | None = None
    productcategorie: str | None = None
    productcode: str | None = None
    toewijzingsdatum: dt.date
    toewijzingstijd: dt.time
    ingangsdatum: dt.date
    einddatum: dt.date | None = None
    reden_wijziging: str | None = None
    omvang: Omvang | None = None
    budget: int | None = None

    @property
    def soort(self) -> Literal["specifiek", "aspecifiek", "generiek"]:
        if self.productcategorie is None:
            return "generiek"
        return "specifiek" if self.productcode is not None else "aspecifiek"


class Toewijzingsbericht(_Model):
    """A 301: the full current picture of a client's allocations at one provider (OP087)."""

    domein: Domein
    header: Header
    bsn: str = Field(repr=False)
    toewijzingen: list[Toewijzing]
