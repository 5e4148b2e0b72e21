"""Payment runs (pure): what a municipality owes each provider up to a cut-off date, and the journal entries
that pay it. The pain.001 file is made by the SEPA adapter from the same payments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
