"""What judging a 323 needs from earlier messages (level 3), as plain values: the adapter loads it, the rules
read it, and `Stand` keeps it up to date while the lines of one message are judged in order (credits first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from shared.models import Omvang, Toewijzing

from .volume import in_toegewezen_eenheid


@dataclass(frozen=True)
class ToewijzingStand:
    """The current version of an allocation (latest Toewijzingsdatum + Toewijzingstijd, IV013)."""

    nummer: int
    aanbieder: str
    client_sleutel: str  # keyed pseudonym of the client's BSN, never the BSN itself
    categorie: str | None
    code: str | None
    ingangsdatum: dt.date
    einddatum: dt.date | None
    reden_wijziging: str | None
    omvang: Omvang | None
    budget: int | None

    @property
    def verwijderd(self) -> bool:
        return self.reden_wijziging == "13"

    @property
    def soort(self) -> str:
        return "specifiek" if self.code else ("aspecifiek" if self.categorie else "generiek")

    @classmethod
    def uit(cls, t: Toewijzing, aanbieder: str, client_sleutel: str) -> ToewijzingStand:
        return cls(t.toewijzingnummer, aanbieder, client_sleutel, t.productcategorie, t.productcode, t.ingangsdatum,
                   t.einddatum, t.reden_wijziging, t.omvang, t.budget)


@dataclass(frozen=True)
class EerdereRegel:
    """A line of an earlier, processed 323 of the same provider and domain, with its verdict."""

    referentienummer: str
    debet_credit: str
    goedgekeurd: bool
    toewijzingnummer: int
    categorie: str
    code: str
    periode_begin: dt.date
    periode_eind: dt.date
    geleverd_volume: int
    eenheid: str
    bedrag: int
    vorig_referentienummer: str | None = None

    @property
    def sleutel_tr389(self) -> tuple:
        return (self.toewijzingnummer, self.periode_begin, self.periode_eind, self.categorie, self.code)


@dataclass(frozen=True)
class Beoordelingscontext:
    systeemdatum: dt.date  # the receiver's date on receipt (TR135, level 4)
    identificatie_gebruikt: bool = False  # TR056
    declaratienummer_gebruikt: bool = False  # TR333
    laatste_declaratieperiode: dt.date | None = None  # begin of the latest period declared before (TR318)
    toewijzingen: dict[int, ToewijzingStand] = field(default_factory=dict)  # by ToewijzingNummer
    gebruikte_referenties: frozenset[str] = frozenset()  # of this message's numbers, those used before (TR314)
    # Approved earlier lines: those the message's credits refer to and all lines on its allocations.
    eerdere: dict[str, EerdereRegel] = field(default_factory=dict)
    gecrediteerd: frozenset[str] = frozenset()  # debits among `eerdere` that an approved credit reverses


@dataclass
class Stand:
    """Running state while one message is judged: earlier lines plus the lines approved so far."""

    gebruikte_referenties: set[str]
    regels: dict[str, EerdereRegel]
    gecrediteerd: set[str]
    # Approved debits per allocation: the limit rules ask per line, so a 500-line message must not rescan
    # every earlier line each time.
    _debets: dict[int, list[EerdereRegel]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for r in self.regels.values():
            self._index(r)

    def _index(self, r: EerdereRegel) -> None:
        if r.debet_credit == "D" and r.goedgekeurd:
            self._debets.setdefault(r.toewijzingnummer, []).append(r)

    @classmethod
    def van(cls, ctx: Beoordelingscontext) -> Stand:
        return cls(set(ctx.gebruikte_referenties), dict(ctx.eerdere), set(ctx.gecrediteerd))

    def actieve_debets(self, toewijzingnummer: int):
        """Approved debits on an allocation that were not credited: what counts against its limits."""
        return (r for r in self._debets.get(toewijzingnummer, ()) if r.referentienummer not in self.gecrediteerd)

    def verbruikt_volume(self, toewijzingnummer: int, eenheid: str) -> int | Fraction:
        return sum(in_toegewezen_eenheid(r.geleverd_volume, r.eenheid, eenheid)
                   for r in self.actieve_debets(toewijzingnummer))

    def verbruikt_bedrag(self, toewijzingnummer: int) -> int:
        return sum(r.bedrag for r in self.actieve_debets(toewijzingnummer))

    def goedgekeurd(self, regel: EerdereRegel) -> None:
        self.regels[regel.referentienummer] = regel
        self._index(regel)
        if regel.debet_credit == "C" and regel.vorig_referentienummer:
            self.gecrediteerd.add(regel.vorig_referentienummer)
