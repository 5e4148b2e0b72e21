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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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


def plafondsleutels(posten: Sequence[Journaalpost], plafonds: Mapping[PlafondSleutel, int]) -> list[PlafondSleutel]:
    """The spending ceilings these entries book against, sorted (the order their locks are taken in)."""
    sleutels = set()
    for post in posten:
        sleutel = plafondsleutel(post)
        if sleutel is not None and sleutel in plafonds:
            sleutels.add(sleutel)
    return sorted(sleutels)


def ruimte_over(plafonds: Mapping[PlafondSleutel, int], benut: Mapping[PlafondSleutel, int],
                sleutels: Sequence[PlafondSleutel]) -> dict[PlafondSleutel, int]:
    """Room left per ceiling: the ceiling minus what was made payable against it (negative when it was lowered)."""
    return {k: plafonds[k] - benut.get(k, 0) for k in sleutels}


def _binnen_plafond(post: Journaalpost, ruimte: dict[PlafondSleutel, int]) -> Journaalpost:
    """Of an entry's payable credit the part that fits the room left stays on crediteur, the rest moves to
    ingehouden; a reversal gives back the room its original used (its crediteur debit)."""
    sleutel = plafondsleutel(post)
    if sleutel is None or sleutel not in ruimte or post.aanbieder is None:
        return post
    payable = crediteur(post.aanbieder)
    te_betalen = sum(r.credit - r.debet for r in post.regels if r.rekening == payable)
    past = te_betalen if te_betalen <= 0 else min(te_betalen, max(ruimte[sleutel], 0))
    ruimte[sleutel] -= past
    if past == te_betalen:
        return post
    regels = tuple(r for r in post.regels if r.rekening != payable)
    regels += (Regel(payable, 0, past),) if past else ()
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


Rekeningsleutel = tuple[str, str, str]  # gemeente, domein, account code


def saldomutaties(posten: list[Journaalpost]) -> dict[Rekeningsleutel, int]:
    """Net change per (gemeente, domein, rekening), debit positive: one balance update per account per batch."""
    netto: dict[Rekeningsleutel, int] = {}
    for post in posten:
        for r in post.regels:
            k = (post.gemeente, post.domein, r.rekening)
            netto[k] = netto.get(k, 0) + r.debet - r.credit
    return netto


REDEN_GEWEIGERD = "zelfde sleutel, andere inhoud / same key, different content"


@dataclass
class Boekbeslissing:
    """What becomes of each entry of a batch, decided on the fingerprints the ledger already holds."""

    nieuw: list[Journaalpost] = field(default_factory=list)
    # Of `nieuw`, in order: the fingerprint of what was judged, kept with the entry. Mirroring a reversal and
    # withholding beyond a ceiling are booking decisions that a redelivery, made later with less room, must not
    # turn into "other content".
    vingerafdrukken: list[str] = field(default_factory=list)
    al_geboekt: list[str] = field(default_factory=list)  # same key, same content: nothing to do
    geweigerd: list[Journaalpost] = field(default_factory=list)  # same key, other content: refused and recorded


def beslis(posten: Sequence[Journaalpost], bestaand: Mapping[str, str]) -> Boekbeslissing:
    """New, already booked or refused, per entry. `bestaand`: the fingerprint of each key already booked. Within a
    batch a key's first entry is new and the ones after it are compared with it."""
    gezien = dict(bestaand)
    uit = Boekbeslissing()
    for post in posten:
        vingerafdruk = post.inhoud_hash
        eerder = gezien.get(post.idempotentie_sleutel)
        if eerder is None:
            uit.nieuw.append(post)
            uit.vingerafdrukken.append(vingerafdruk)
            gezien[post.idempotentie_sleutel] = vingerafdruk
        elif eerder == vingerafdruk:
            uit.al_geboekt.append(post.idempotentie_sleutel)
        else:
            uit.geweigerd.append(post)
    return uit


@dataclass
class BoekResultaat:
    geboekt: list[Journaalpost] = field(default_factory=list)  # as booked: mirrored, withheld beyond ceilings
    al_geboekt: list[str] = field(default_factory=list)
    geweigerd: list[str] = field(default_factory=list)
    saldomutaties: dict[Rekeningsleutel, int] = field(default_factory=dict)  # still to apply to the balances
