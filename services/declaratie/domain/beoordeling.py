"""Judging a 323 (pure: no I/O). One function per rule, named by its rule id.

Walking-skeleton scope: the contract rules (TR381 → S329, TR418 → 0611, TR346 → 9346) and the credit
principle IV085. The allocation and history rules (levels 3/4 of issue 4) plug into the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.models import Declaratiebericht, Prestatie, PrestatieOordeel
from shared.regio import Regio

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


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (IV081), exact for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def tr381_product_in_contract(bericht: Declaratiebericht, p: Prestatie, regio: Regio) -> Reden | None:
    """S329: the product code must belong to the category in the agreed product list (the contract)."""
    found = regio.contractproduct(bericht.header.afzender, bericht.domein, bericht.header.ontvanger,
                                  p.productcode, p.productperiode.begindatum)
    if found is None:
        return Reden("S329", "TR381", "ProductCode", p.productcode,
                     "a product in the provider's contract for this municipality on the product period",
                     "Productcode staat niet in het contract", "Product code is not in the contract")
    if found[1].categorie != p.productcategorie:
        return Reden("S329", "TR381", "ProductCategorie", p.productcategorie, found[1].categorie,
                     "Productcode hoort niet bij deze categorie", "Product code does not belong to this category")
    return None


def contract_tarief(bericht: Declaratiebericht, p: Prestatie, regio: Regio) -> int | None:
    """Tariff per declared unit: hour tariffs are converted to minutes (/60, half up; IV081)."""
    found = regio.contractproduct(bericht.header.afzender, bericht.domein, bericht.header.ontvanger,
                                  p.productcode, p.productperiode.begindatum)
    if found is None:
        return None
    product = found[1]
    tarief = product.tarief_op(p.productperiode.begindatum)
    if tarief is None:
        return None
    if product.eenheid == "04" and p.eenheid == "01":
        return round_half_up_div(tarief, 60)
    return tarief


def tr418_tarief(bericht: Declaratiebericht, p: Prestatie, regio: Regio) -> Reden | None:
    """0611: ProductTarief equals the contract tariff valid in the product period (new in 3.2)."""
    if p.eenheid == "83":
        return None
    expected = contract_tarief(bericht, p, regio)
    if expected is None or p.producttarief == expected:
        return None
    return Reden("0611", "TR418", "ProductTarief", str(p.producttarief), str(expected),
                 "Tarief wijkt af van het contracttarief", "Tariff differs from the contract tariff")


def tr346_bedrag(bericht: Declaratiebericht, p: Prestatie, regio: Regio) -> Reden | None:
    """9346: IngediendBedrag = GeleverdVolume × unrounded tariff (minutes against an hour tariff: IV081)."""
    if p.eenheid == "83" or p.producttarief is None:
        return None
    expected = p.geleverd_volume * p.producttarief
    found = regio.contractproduct(bericht.header.afzender, bericht.domein, bericht.header.ontvanger,
                                  p.productcode, p.productperiode.begindatum)
    if found and found[1].eenheid == "04" and p.eenheid == "01":
        uurtarief = found[1].tarief_op(p.productperiode.begindatum)
        if uurtarief is not None:
            expected = round_half_up_div(uurtarief * p.geleverd_volume, 60)
    if p.ingediend_bedrag == expected:
        return None
    return Reden("9346", "TR346", "IngediendBedrag", str(p.ingediend_bedrag), str(expected),
                 "Bedrag is niet volume maal tarief", "Amount is not volume times tariff")


DEBIT_RULES = (tr381_product_in_contract, tr418_tarief, tr346_bedrag)


def beoordeel(bericht: Declaratiebericht, regio: Regio) -> Beoordeling:
    oordelen: list[PrestatieOordeel] = []
    goedgekeurd: list[Prestatie] = []
    # OP366: credit lines first, so a replacement debit in the same message sees its credit.
    lines = sorted(bericht.prestaties(), key=lambda cp: cp[1].debet_credit != "C")
    for _client, p in lines:
        if p.debet_credit == "C":
            redenen: list[Reden] = []  # IV085: a credit is never rejected on content
        else:
            redenen = [r for rule in DEBIT_RULES if (r := rule(bericht, p, regio)) is not None]
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
