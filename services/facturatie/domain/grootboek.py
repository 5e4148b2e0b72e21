"""Double-entry bookkeeping per municipality and domain (pure: no I/O). Amounts are integer cents.

Chart of accounts (codes are stable, names are for people):
  kosten:<categorie>   expense per product category        (debit balance)
  crediteur:<agb>      payable to a provider                 (credit balance)
  ingehouden:<agb>     approved but withheld: beyond the provider's spending ceiling, not payable (credit balance)
  bank                 the municipality's bank account       (used by payment runs)
An approved debit line: debit kosten, credit crediteur (and ingehouden for the part beyond a ceiling). An
approved credit line: the exact reverse, referencing the original line's posting key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import NamedTuple

from shared.platform.events import BeoordeeldePrestatie, idempotentie_sleutel


class Regel(NamedTuple):
    rekening: str
    debet: int
    credit: int


# Value objects by convention (never changed after construction; `replace` makes a new one). Not frozen: a frozen
# dataclass's __init__ costs twice as much, and a busy month books hundreds of thousands of these.
@dataclass(slots=True)
class Journaalpost:
    idempotentie_sleutel: str  # AGB + domain + ReferentieNummer
    gemeente: str
    domein: str
    bericht_id: str
    omschrijving: str
    tegenboeking_van: str | None
    regels: tuple[Regel, ...]
    soort: str = "prestatie"  # or "betaling", "kostenverdeling"
    # For spending ceilings (not part of the fingerprint: they say whom and when, the lines say what).
    aanbieder: str | None = None
    prestatiejaar: int | None = None  # the year the care was delivered in

    def __post_init__(self) -> None:
        debet = credit = 0
        for r in self.regels:
            if r.debet < 0 or r.credit < 0:
                raise ValueError("amounts are never negative; the side expresses the sign")
            debet += r.debet
            credit += r.credit
        if debet != credit:
            raise ValueError(f"journaalpost {self.idempotentie_sleutel} is not balanced")

    @property
    def inhoud_hash(self) -> str:
        """Fingerprint of what is booked (not of where it came from): same key + other content = conflict.
        Unambiguous: codes are [a-z0-9:], amounts digits, and the one free text (a referenced key) is quoted."""
        inhoud = f"{self.gemeente}|{self.domein}|{self.tegenboeking_van!r}"
        for r in self.regels:
            inhoud += f"|{r.rekening}={r.debet}-{r.credit}"
        return hashlib.sha256(inhoud.encode()).hexdigest()


BANK = "bank"


def kosten(categorie: str) -> str:
    return f"kosten:{categorie}"


def crediteur(agb: str) -> str:
    return f"crediteur:{agb}"


def ingehouden(agb: str) -> str:
    return f"ingehouden:{agb}"


def journaalpost_voor(aanbieder: str, gemeente: str, domein: str, bericht_id: str,
                      p: BeoordeeldePrestatie) -> Journaalpost:
    bedrag, begin = p.bedrag, p.periode_begin
    if not bedrag:  # zero-amount lines (allowed with D) book nothing but are still recorded for traceability
        regels: tuple[Regel, ...] = ()
    elif p.debet_credit == "D":
        regels = (Regel(kosten(p.productcategorie), bedrag, 0), Regel(crediteur(aanbieder), 0, bedrag))
    else:
        regels = (Regel(crediteur(aanbieder), bedrag, 0), Regel(kosten(p.productcategorie), 0, bedrag))
    if p.debet_credit == "D":
        tegen = None
        omschrijving = f"Declaratie {p.referentienummer} {p.productcode} {begin.year}-{begin.month:02d}"
    else:
        tegen = idempotentie_sleutel(aanbieder, domein, p.vorig_referentienummer) if p.vorig_referentienummer else None
        omschrijving = f"Creditering {p.referentienummer} van {p.vorig_referentienummer}"
    return Journaalpost(p.idempotentie_sleutel, gemeente, domein, bericht_id, omschrijving, tegen, regels,
                        "prestatie", aanbieder, begin.year)


PlafondSleutel = tuple[str, str, str, int]  # gemeente, domein, aanbieder, jaar


def plafondsleutel(post: Journaalpost) -> PlafondSleutel | None:
    if post.soort != "prestatie" or post.aanbieder is None or post.prestatiejaar is None:
        return None
    return post.gemeente, post.domein, post.aanbieder, post.prestatiejaar


def _spiegel(post: Journaalpost, origineel: Journaalpost) -> Journaalpost:
    """A reversal books exactly the original entry's lines with the sides swapped, whatever the credit line says
    (credits are not judged on content): the ledger returns to where it was. It belongs to the original's year."""
    regels = tuple(sorted((Regel(r.rekening, r.credit, r.debet) for r in origineel.regels), key=lambda r: -r.debet))
    return replace(post, regels=regels, prestatiejaar=origineel.prestatiejaar or post.prestatiejaar)


def _binnen_plafond(post: Journaalpost, ruimte: dict[PlafondSleutel, int]) -> Journaalpost:
    """Of an entry's payable credit the part that fits the room left stays on crediteur, the rest moves to
    ingehouden; a reversal gives back the room its original used (its crediteur debit)."""
    sleutel = plafondsleutel(post)
    if sleutel not in ruimte:
        return post
    te_betalen = sum(r.credit - r.debet for r in post.regels if r.rekening == crediteur(post.aanbieder))
    past = te_betalen if te_betalen <= 0 else min(te_betalen, max(ruimte[sleutel], 0))
    ruimte[sleutel] -= past
    if past == te_betalen:
        return post
    regels = tuple(r for r in post.regels if r.rekening != crediteur(post.aanbieder))
    regels += (Regel(crediteur(post.aanbieder), 0, past),) if past else ()
    return replace(post, regels=regels + (Regel(ingehouden(post.aanbieder), 0, te_betalen - past),))


def definitieve_posten(posten: list[Journaalpost], originelen: dict[str, Journaalpost],
                       ruimte: dict[PlafondSleutel, int]) -> list[Journaalpost]:
    """What is really booked for new entries, in order: reversals mirror their original (booked before, in
    `originelen`, or earlier in this batch) and spending ceilings withhold what does not fit. `ruimte`: per ceiling
    the room left (ceiling minus payable made against it; negative when a ceiling was lowered), used up here.
    A credit whose original this ledger never booked keeps its computed lines."""
    if not ruimte and not any(p.tegenboeking_van for p in posten):
        return posten  # the common batch: nothing to decide
    geboekt = dict(originelen)
    uit = []
    for post in posten:
        if post.tegenboeking_van in geboekt:
            post = _spiegel(post, geboekt[post.tegenboeking_van])
        post = _binnen_plafond(post, ruimte)
        geboekt[post.idempotentie_sleutel] = post
        uit.append(post)
    return uit


def saldomutaties(posten: list[Journaalpost]) -> dict[tuple[str, str, str], int]:
    """Net change per (gemeente, domein, rekening), debit positive: one balance update per account per batch."""
    netto: dict[tuple[str, str, str], int] = {}
    for post in posten:
        for r in post.regels:
            k = (post.gemeente, post.domein, r.rekening)
            netto[k] = netto.get(k, 0) + r.debet - r.credit
    return netto
