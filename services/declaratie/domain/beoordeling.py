"""Judging a 323 (pure: no I/O). One function per rule, named by its rule id.

Level 2 (in-message rules, shared.validatie) first: any failure rejects the whole message with 0001.
Then, in this walking-skeleton scope, the contract rules (TR381 → S329, TR418 → 0611, TR346 → 9346) and the credit
principle IV085. The allocation and history rules (levels 3/4 of issue 4) plug into the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.codec import Problem
from shared.models import Declaratiebericht, Prestatie, PrestatieOordeel
from shared.regio import ContractProduct, Regio
from shared.validatie import level2_323

from .redenen import Reden


@dataclass(frozen=True)
class Beoordeling:
    header_retourcodes: list[str]
    declaratie_retourcodes: list[str]
    client_retourcodes: dict[str, list[str]]
    oordelen: list[PrestatieOordeel]
    totaal_toegekend_bedrag: int  # absolute cents
    totaal_toegekend_debet_credit: str
    goedgekeurd: list[Prestatie] = field(default_factory=list)
    header_redenen: list[str] = field(default_factory=list)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (IV081), exact for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Regel:
    """One line with the contract product that applies to it, looked up once for all rules."""

    prestatie: Prestatie
    contract: ContractProduct | None

    @property
    def contract_tarief(self) -> int | None:
        """Tariff valid on the product period's start, in cents per contracted unit."""
        return self.contract.tarief_op(self.prestatie.productperiode.begindatum) if self.contract else None

    @property
    def minuten_op_uurtarief(self) -> bool:
        """Minutes declared against an hour product (allowed; IV081 arithmetic applies)."""
        return self.contract is not None and self.contract.eenheid == "04" and self.prestatie.eenheid == "01"


def regel_voor(bericht: Declaratiebericht, p: Prestatie, regio: Regio) -> Regel:
    found = regio.contractproduct(bericht.header.afzender, bericht.domein, bericht.header.ontvanger,
                                  p.productcode, p.productperiode.begindatum)
    return Regel(p, found[1] if found else None)


def tr381_product_in_contract(r: Regel) -> Reden | None:
    """S329: the product code must belong to the category in the agreed product list (the contract)."""
    p = r.prestatie
    if r.contract is None:
        return Reden("S329", "TR381", "ProductCode", p.productcode,
                     "a product in the provider's contract for this municipality on the product period",
                     "Productcode staat niet in het contract", "Product code is not in the contract")
    if r.contract.categorie != p.productcategorie:
        return Reden("S329", "TR381", "ProductCategorie", p.productcategorie, r.contract.categorie,
                     "Productcode hoort niet bij deze categorie", "Product code does not belong to this category")
    return None


def tr418_tarief(r: Regel) -> Reden | None:
    """0611: ProductTarief equals the contract tariff valid in the product period (new in 3.2).
    Minutes against an hour tariff: the hour tariff / 60, rounded half up (IV081)."""
    p = r.prestatie
    expected = r.contract_tarief
    if p.eenheid == "83" or expected is None:
        return None
    if r.minuten_op_uurtarief:
        expected = round_half_up_div(expected, 60)
    if p.producttarief == expected:
        return None
    return Reden("0611", "TR418", "ProductTarief", str(p.producttarief), str(expected),
                 "Tarief wijkt af van het contracttarief", "Tariff differs from the contract tariff")


def tr346_bedrag(r: Regel) -> Reden | None:
    """9346: IngediendBedrag = GeleverdVolume × unrounded tariff (minutes against an hour tariff: IV081)."""
    p = r.prestatie
    if p.eenheid == "83" or p.producttarief is None:
        return None
    expected = p.geleverd_volume * p.producttarief
    if r.minuten_op_uurtarief and r.contract_tarief is not None:
        expected = round_half_up_div(r.contract_tarief * p.geleverd_volume, 60)
    if p.ingediend_bedrag == expected:
        return None
    return Reden("9346", "TR346", "IngediendBedrag", str(p.ingediend_bedrag), str(expected),
                 "Bedrag is niet volume maal tarief", "Amount is not volume times tariff")


DEBIT_RULES = (tr381_product_in_contract, tr418_tarief, tr346_bedrag)


def technisch_afgekeurd(problems: list[Problem]) -> Beoordeling:
    """Level 2 failed: header RetourCode 0001 only, nothing assessed, nothing booked (§6.2)."""
    return Beoordeling(header_retourcodes=["0001"], declaratie_retourcodes=[], client_retourcodes={}, oordelen=[],
                       totaal_toegekend_bedrag=0, totaal_toegekend_debet_credit="D",
                       header_redenen=[f"{p.rule} {p.path}: {p.message}" + (f"; gevonden/found {p.found}, "
                                       f"verwacht/expected {p.expected}" if p.found is not None else "")
                                       for p in problems])


def beoordeel(bericht: Declaratiebericht, regio: Regio) -> Beoordeling:
    problems = level2_323(bericht)
    if problems:
        return technisch_afgekeurd(problems)
    oordelen: list[PrestatieOordeel] = []
    goedgekeurd: list[Prestatie] = []
    # OP366: credit lines first, so a replacement debit in the same message sees its credit.
    lines = sorted(bericht.prestaties(), key=lambda cp: cp[1].debet_credit != "C")
    for _client, p in lines:
        if p.debet_credit == "C":
            redenen: list[Reden] = []  # IV085: a credit is never rejected on content
        else:
            regel = regel_voor(bericht, p, regio)
            redenen = [r for rule in DEBIT_RULES if (r := rule(regel)) is not None]
        oordelen.append(PrestatieOordeel(referentienummer=p.referentienummer,
                                         retourcodes=[r.retourcode for r in redenen],
                                         redenen=[r.tekst() for r in redenen]))
        if not redenen:
            goedgekeurd.append(p)
    netto = sum(p.signed_bedrag for p in goedgekeurd)
    return Beoordeling(
        header_retourcodes=["0200"], declaratie_retourcodes=[], client_retourcodes={}, oordelen=oordelen,
        totaal_toegekend_bedrag=abs(netto), totaal_toegekend_debet_credit="C" if netto < 0 else "D",
        goedgekeurd=goedgekeurd,
    )
