"""Double-entry bookkeeping per municipality and domain (pure: no I/O). Amounts are integer cents.

Chart of accounts (codes are stable, names are for people):
  kosten:<categorie>   expense per product category        (debit balance)
  crediteur:<agb>      payable to a provider                 (credit balance)
  bank                 the municipality's bank account       (used by payment runs)
An approved debit line: debit kosten, credit crediteur. An approved credit line: the exact reverse,
referencing the original line's posting key.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from shared.events import BeoordeeldePrestatie, idempotentie_sleutel


@dataclass(frozen=True)
class Regel:
    rekening: str
    debet: int
    credit: int


@dataclass(frozen=True)
class Journaalpost:
    idempotentie_sleutel: str  # AGB + domain + ReferentieNummer
    gemeente: str
    domein: str
    bericht_id: str
    omschrijving: str
    tegenboeking_van: str | None
    regels: tuple[Regel, ...]
    soort: str = "prestatie"  # or "betaling", "kostenverdeling"

    def __post_init__(self) -> None:
        if sum(r.debet for r in self.regels) != sum(r.credit for r in self.regels):
            raise ValueError(f"journaalpost {self.idempotentie_sleutel} is not balanced")
        if any(r.debet < 0 or r.credit < 0 for r in self.regels):
            raise ValueError("amounts are never negative; the side expresses the sign")

    @functools.cached_property
    def inhoud_hash(self) -> str:
        """Fingerprint of what is booked (not of where it came from): same key + other content = conflict.
        The repr of a tuple of strings and ints is canonical and unambiguous, and cheap at 40,000 postings/s."""
        content = (self.gemeente, self.domein, self.tegenboeking_van,
                   tuple((r.rekening, r.debet, r.credit) for r in self.regels))
        return hashlib.sha256(repr(content).encode()).hexdigest()


BANK = "bank"


def kosten(categorie: str) -> str:
    return f"kosten:{categorie}"


def crediteur(agb: str) -> str:
    return f"crediteur:{agb}"


def journaalpost_voor(aanbieder: str, gemeente: str, domein: str, bericht_id: str,
                      p: BeoordeeldePrestatie) -> Journaalpost:
    if p.debet_credit == "D":
        regels = (Regel(kosten(p.productcategorie), p.bedrag, 0), Regel(crediteur(aanbieder), 0, p.bedrag))
        tegen = None
        omschrijving = f"Declaratie {p.referentienummer} {p.productcode} {p.periode_begin:%Y-%m}"
    else:
        regels = (Regel(crediteur(aanbieder), p.bedrag, 0), Regel(kosten(p.productcategorie), 0, p.bedrag))
        tegen = idempotentie_sleutel(aanbieder, domein, p.vorig_referentienummer) if p.vorig_referentienummer else None
        omschrijving = f"Creditering {p.referentienummer} van {p.vorig_referentienummer}"
    # Zero-amount lines (allowed with D) book nothing but are still recorded for traceability.
    return Journaalpost(p.idempotentie_sleutel, gemeente, domein, bericht_id,
                        omschrijving, tegen, tuple(r for r in regels if r.debet or r.credit))


def saldomutaties(posten: list[Journaalpost]) -> dict[tuple[str, str, str], int]:
    """Net change per (gemeente, domein, rekening), debit positive: one balance update per account per batch."""
    netto: dict[tuple[str, str, str], int] = {}
    for post in posten:
        for r in post.regels:
            k = (post.gemeente, post.domein, r.rekening)
            netto[k] = netto.get(k, 0) + r.debet - r.credit
    return netto
