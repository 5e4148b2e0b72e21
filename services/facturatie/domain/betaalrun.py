"""Payment runs (pure): what a municipality owes each provider up to a cut-off date, and the journal entries
that pay it. The pain.001 file is made by the SEPA adapter from the same payments."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from .grootboek import BANK, Journaalpost, Regel, crediteur


@dataclass(frozen=True)
class Betaling:
    domein: str
    aanbieder: str
    bedrag: int  # cents, > 0

    def sleutel(self, gemeente: str, peildatum: dt.date) -> str:
        """The payment's idempotency key: one payment per provider, domain and run (= municipality + cut-off)."""
        return f"betaalrun:{gemeente}:{peildatum.isoformat()}:{self.domein}:{self.aanbieder}"

    def end_to_end_id(self, gemeente: str, peildatum: dt.date) -> str:
        """What the provider sees on its bank statement to match the payment (max 35 characters)."""
        return f"{gemeente}-{peildatum:%Y%m%d}-{self.domein}-{self.aanbieder}"


def te_betalen(openstaand: dict[tuple[str, str], int]) -> list[Betaling]:
    """Payments for the payables with a credit balance, in a stable order. A provider whose credits exceed its
    debits owes the municipality: nothing is paid, the balance carries over to the next run."""
    return [Betaling(domein, agb, bedrag) for (domein, agb), bedrag in sorted(openstaand.items()) if bedrag > 0]


def betaalposten(gemeente: str, peildatum: dt.date, run: int, betalingen: list[Betaling]) -> list[Journaalpost]:
    """Debit the payable, credit the bank: the payable is settled, the money has left the municipality."""
    return [Journaalpost(b.sleutel(gemeente, peildatum), gemeente, b.domein, f"betaalrun:{run}",
                         f"Betaalrun {run} t/m {peildatum.isoformat()} aan {b.aanbieder}", None,
                         (Regel(crediteur(b.aanbieder), b.bedrag, 0), Regel(BANK, 0, b.bedrag)), soort="betaling")
            for b in betalingen]


class BetaalbestandFout(ValueError):
    """The payment file cannot be made (e.g. the municipality has no IBAN in the region file)."""


@dataclass(frozen=True)
class Overboeking:
    """One transfer of a run: a provider's payable in one domain, paid by the entry under `idempotentie_sleutel`."""

    domein: str
    aanbieder: str
    bedrag_cent: int
    end_to_end_id: str
    idempotentie_sleutel: str

    def als_dict(self) -> dict[str, Any]:
        return {"domein": self.domein, "aanbieder": self.aanbieder, "bedrag_cent": self.bedrag_cent,
                "end_to_end_id": self.end_to_end_id}


@dataclass(frozen=True)
class NieuweBetaalrun:
    """A run as it is made: never changed afterwards (its file went to the bank)."""

    id: int
    gemeente: str
    peildatum: dt.date
    uitvoeringsdatum: dt.date
    overboekingen: tuple[Overboeking, ...]
    bestand: bytes  # the pain.001 file

    @property
    def totaal_cent(self) -> int:
        return sum(o.bedrag_cent for o in self.overboekingen)

    @property
    def bestand_sha256(self) -> str:
        return hashlib.sha256(self.bestand).hexdigest()


def nieuwe_betaalrun(run: int, gemeente: str, peildatum: dt.date, uitvoeringsdatum: dt.date,
                     betalingen: list[Betaling], bestand: bytes) -> NieuweBetaalrun:
    overboekingen = tuple(Overboeking(b.domein, b.aanbieder, b.bedrag, b.end_to_end_id(gemeente, peildatum),
                                      b.sleutel(gemeente, peildatum)) for b in betalingen)
    return NieuweBetaalrun(run, gemeente, peildatum, uitvoeringsdatum, overboekingen, bestand)


@dataclass(frozen=True)
class Betaalrun:
    """A run as recorded."""

    id: int
    gemeente: str
    peildatum: dt.date
    uitvoeringsdatum: dt.date
    aantal: int  # transfers
    totaal_cent: int
    bestand_sha256: str
    aangemaakt_at: dt.datetime


@dataclass(frozen=True)
class Betaalbestand:
    """A run's pain.001 file as made."""

    peildatum: dt.date
    inhoud: str
