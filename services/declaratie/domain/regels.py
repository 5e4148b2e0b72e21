"""The level-3 and level-4 rules for a 323 (pure): one function per rule, named by its rule id, returning a
readable reason (Reden) when the rule is broken and None when it holds. Reference: domain brief §7.2–§7.5.

Where the rule sits decides where its code goes in the 325 (§6.2): header rules (TR056, TR135, TR378) stop the
whole message, declaration rules (TR333, TR318) reject the declaration, TR304 rejects a client (its lines come back
as 0233), line rules reject only their line.

Decisions where the standard is silent or [unconfirmed] (also in the README):
- TR369 budget basis: the sum of IngediendBedrag (cents) of the allocation's approved, uncredited debits plus the
  line is compared with Budget (cents). The rule text says GeleverdVolume, which is the same number for euro lines
  (Eenheid 83) and dimensionally meaningless for hours or days against a budget in cents.
- TR319: the ProductPeriode may not end after the DeclaratiePeriode (no future months in a declaration).
- TR318: a DeclaratiePeriode may not begin before the latest period this provider already declared to this
  municipality in this domain (gaps are allowed, the same period again is allowed for corrections, OP284/IV090).
- TR378: a predecessor CBS code (municipal merger, region file) is valid only for allocations that started before
  the merger; any line on a later allocation gives S300 in the header.
- Execution variant for the volume maxima: outputgericht for Eenheid 82 (stuks output), otherwise
  inspanningsgericht.
- TR304 and the allocation rules apply to debits only: a credit copies an approved debit and is never rejected
  on content (IV085); credits are checked on TR314, TR323 and TR390 only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from shared.models import Declaratiebericht, Prestatie
from shared.platform.regio import ContractProduct, Regio

from .context import Beoordelingscontext, Stand, ToewijzingStand
from .redenen import Reden
from .volume import (
    EENHEID_EURO,
    Uitvoeringsvariant,
    deel_half_omhoog,
    eenheid_past,
    in_toegewezen_eenheid,
    max_volume_periode,
    max_volume_totaal,
)

EENHEID_STUKS_OUTPUT = "82"


# --------------------------------------------------------------------------- header (level 3/4)

def tr056_identificatie_uniek(b: Declaratiebericht, ctx: Beoordelingscontext) -> Reden | None:
    """9056: BerichtIdentificatie/Identificatie not used before by this sender for a 323."""
    if not ctx.identificatie_gebruikt:
        return None
    return Reden("9056", "TR056", "Header/BerichtIdentificatie/Identificatie", b.header.identificatie,
                 "an Identificatie this provider has not used before for a 323",
                 "Berichtidentificatie is al eerder gebruikt", "Message identification was used before")


def tr135_dagtekening(b: Declaratiebericht, ctx: Beoordelingscontext) -> Reden | None:
    """8848: the message's Dagtekening is not after the receiver's system date."""
    if b.header.dagtekening <= ctx.systeemdatum:
        return None
    return Reden("8848", "TR135", "Header/BerichtIdentificatie/Dagtekening", b.header.dagtekening.isoformat(),
                 f"on or before {ctx.systeemdatum.isoformat()} (date of receipt)",
                 "Dagtekening ligt na de systeemdatum", "Dagtekening is after the system date")


def tr378_gemeentecode(b: Declaratiebericht, ctx: Beoordelingscontext, regio: Regio) -> Reden | None:
    """S300: the municipality code exists in the CBS list valid on the allocation's start (mergers, TR378)."""
    code = b.header.ontvanger
    opgeheven_per = regio.opgeheven_per(code)
    if opgeheven_per is None:
        return None
    te_laat = sorted({t.ingangsdatum for _c, p in b.prestaties()
                      if (t := ctx.toewijzingen.get(p.toewijzingnummer)) and t.ingangsdatum >= opgeheven_per})
    if not te_laat:
        return None
    return Reden("S300", "TR378", "Header/Ontvanger", code,
                 f"the successor's code for allocations starting on or after {opgeheven_per.isoformat()}",
                 "Gemeentecode bestond niet meer op de ingangsdatum van de toewijzing",
                 "Municipality code no longer existed on the allocation's start date")


# --------------------------------------------------------------------------- declaration (level 3)

def tr333_declaratienummer_uniek(b: Declaratiebericht, ctx: Beoordelingscontext) -> Reden | None:
    """9333: DeclaratieNummer not used before by this provider in this domain."""
    if not ctx.declaratienummer_gebruikt:
        return None
    return Reden("9333", "TR333", "Declaratie/DeclaratieNummer", b.declaratie.declaratienummer,
                 "a DeclaratieNummer this provider has not used before",
                 "Declaratienummer is al eerder gebruikt", "Declaration number was used before")


def tr318_periode_volgorde(b: Declaratiebericht, ctx: Beoordelingscontext) -> Reden | None:
    """8214: the DeclaratiePeriode does not lie before the latest period already declared (IV090, OP284)."""
    laatste = ctx.laatste_declaratieperiode
    begin = b.declaratie.declaratieperiode.begindatum
    if laatste is None or begin >= laatste:
        return None
    return Reden("8214", "TR318", "Declaratie/DeclaratiePeriode/Begindatum", begin.isoformat(),
                 f"on or after {laatste.isoformat()} (the latest period declared)",
                 "Declaratieperiode ligt voor een al gedeclareerde periode",
                 "Declaration period lies before a period already declared")


# --------------------------------------------------------------------------- lines

@dataclass(frozen=True)
class Regel:
    """One line with everything its rules look at, looked up once."""

    prestatie: Prestatie
    bericht: Declaratiebericht
    client_sleutel: str
    toewijzing: ToewijzingStand | None
    contract: ContractProduct | None

    @property
    def contract_tarief(self) -> int | None:
        """Tariff valid on the product period's start, in cents per contracted unit."""
        return self.contract.tarief_op(self.prestatie.productperiode.begindatum) if self.contract else None

    @property
    def minuten_op_uurtarief(self) -> bool:
        """Minutes declared against an hour product (allowed; IV081 arithmetic applies)."""
        return self.contract is not None and self.contract.eenheid == "04" and self.prestatie.eenheid == "01"

    @property
    def toegewezen_eenheid(self) -> str | None:
        """The unit the line must fit (TR341): the allocation's Omvang, else the contract product's."""
        if self.toewijzing is not None and self.toewijzing.omvang is not None:
            return self.toewijzing.omvang.eenheid
        return self.contract.eenheid if self.contract else None

    @property
    def variant(self) -> Uitvoeringsvariant:
        eenheid = self.toegewezen_eenheid or self.prestatie.eenheid
        return Uitvoeringsvariant.OUTPUT if eenheid == EENHEID_STUKS_OUTPUT else Uitvoeringsvariant.INSPANNING

    def volume_in_toegewezen_eenheid(self):
        """The line's volume in the allocation's unit, or None when the units do not fit (TR341 reports that)."""
        omvang = self.toewijzing.omvang if self.toewijzing else None
        if omvang is None or not eenheid_past(omvang.eenheid, self.prestatie.eenheid):
            return None
        return in_toegewezen_eenheid(self.prestatie.geleverd_volume, self.prestatie.eenheid, omvang.eenheid)


def _reden(code: str, rule: str, veld: str, gevonden, verwacht, nl: str, en: str) -> Reden:
    return Reden(code, rule, veld, str(gevonden), str(verwacht), nl, en)


def _getal(x: Fraction | int) -> str:
    """A volume for people: whole numbers as such, fractions (minutes counted in hours) with two decimals."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    return str((Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01")))


def tr304_client_van_toewijzing(r: Regel, stand: Stand) -> Reden | None:
    """8187: the line's client is the client of the allocation it refers to (client-level code)."""
    t = r.toewijzing
    if t is None or t.client_sleutel == r.client_sleutel:
        return None
    return _reden("8187", "TR304", "Client/Bsn", "***", "the client of allocation " + str(t.nummer),
                  "Client hoort niet bij de toewijzing", "Client does not belong to the allocation")


def tr314_referentie_uniek(r: Regel, stand: Stand) -> Reden | None:
    """8021: ReferentieNummer never used before by this provider in this domain."""
    ref = r.prestatie.referentienummer
    if ref not in stand.gebruikte_referenties:
        return None
    return _reden("8021", "TR314", "ProductReferentie/ReferentieNummer", ref, "a ReferentieNummer not used before",
                  "Referentienummer is al eerder gebruikt", "Reference number was used before")


def tr323_credit_verwijst_naar_debet(r: Regel, stand: Stand) -> Reden | None:
    """8017: a credit line refers (VorigReferentieNummer) to an earlier approved debit line."""
    vorig = r.prestatie.vorig_referentienummer
    origineel = stand.regels.get(vorig or "")
    if origineel is not None and origineel.debet_credit == "D" and origineel.goedgekeurd:
        return None
    return _reden("8017", "TR323", "ProductReferentie/VorigReferentieNummer", vorig,
                  "the ReferentieNummer of an earlier approved debit line",
                  "Credit verwijst niet naar een eerder goedgekeurde debetregel",
                  "Credit does not refer to an earlier approved debit line")


def tr390_niet_al_gecrediteerd(r: Regel, stand: Stand) -> Reden | None:
    """9390: the referenced debit line has not been credited already."""
    vorig = r.prestatie.vorig_referentienummer
    if vorig not in stand.gecrediteerd:
        return None
    return _reden("9390", "TR390", "ProductReferentie/VorigReferentieNummer", vorig, "a debit not credited before",
                  "Debetregel is al gecrediteerd", "Debit line was credited before")


def tr338_toewijzing_bestaat(r: Regel, stand: Stand) -> Reden | None:
    """9338: the ToewijzingNummer refers to an allocation of this municipality to this provider."""
    t = r.toewijzing
    if t is not None and t.aanbieder == r.bericht.header.afzender:
        return None
    return _reden("9338", "TR338", "ToewijzingNummer", r.prestatie.toewijzingnummer,
                  "the number of an allocation the municipality issued to this provider",
                  "Toewijzing bestaat niet", "Allocation does not exist")


def tr384_niet_verwijderd(r: Regel, stand: Stand) -> Reden | None:
    """9384: the allocation has not been deleted (RedenWijziging 13)."""
    if r.toewijzing is None or not r.toewijzing.verwijderd:
        return None
    return _reden("9384", "TR384", "ToewijzingNummer", r.prestatie.toewijzingnummer, "an allocation not deleted",
                  "Toewijzing is verwijderd", "Allocation was deleted")


def tr339_categorie(r: Regel, stand: Stand) -> Reden | None:
    """9339: the category equals the allocated category, if one was allocated."""
    t = r.toewijzing
    if t is None or t.categorie is None or t.categorie == r.prestatie.productcategorie:
        return None
    return _reden("9339", "TR339", "ProductCategorie", r.prestatie.productcategorie, t.categorie,
                  "Categorie wijkt af van de toewijzing", "Category differs from the allocation")


def tr340_productcode(r: Regel, stand: Stand) -> Reden | None:
    """9340: the product code equals the allocated code, if one was allocated."""
    t = r.toewijzing
    if t is None or t.code is None or t.code == r.prestatie.productcode:
        return None
    return _reden("9340", "TR340", "ProductCode", r.prestatie.productcode, t.code,
                  "Productcode wijkt af van de toewijzing", "Product code differs from the allocation")


def tr341_eenheid(r: Regel, stand: Stand) -> Reden | None:
    """9341: the unit fits the allocated (or contracted) unit; minutes may be declared against hours."""
    verwacht = r.toegewezen_eenheid
    if r.toewijzing is None or verwacht is None or eenheid_past(verwacht, r.prestatie.eenheid):
        return None
    return _reden("9341", "TR341", "Eenheid", r.prestatie.eenheid, verwacht + (" or 01" if verwacht == "04" else ""),
                  "Eenheid past niet bij de toewijzing", "Unit does not fit the allocation")


def tr307_na_ingangsdatum(r: Regel, stand: Stand) -> Reden | None:
    """9307: ProductPeriode Begindatum on or after the allocation's Ingangsdatum."""
    t, begin = r.toewijzing, r.prestatie.productperiode.begindatum
    if t is None or begin >= t.ingangsdatum:
        return None
    return _reden("9307", "TR307", "ProductPeriode/Begindatum", begin.isoformat(), f"≥ {t.ingangsdatum.isoformat()}",
                  "Productperiode begint voor de toewijzing", "Product period begins before the allocation")


def tr308_voor_einddatum(r: Regel, stand: Stand) -> Reden | None:
    """9308: ProductPeriode Einddatum on or before the allocation's Einddatum, if it has one."""
    t, eind = r.toewijzing, r.prestatie.productperiode.einddatum
    if t is None or t.einddatum is None or eind <= t.einddatum:
        return None
    return _reden("9308", "TR308", "ProductPeriode/Einddatum", eind.isoformat(), f"≤ {t.einddatum.isoformat()}",
                  "Productperiode eindigt na de toewijzing", "Product period ends after the allocation")


@functools.lru_cache(maxsize=1024)
def _maand(d: dt.date) -> tuple[dt.date, dt.date]:
    return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])


def tr387_begin_van_maand(r: Regel, stand: Stand) -> Reden | None:
    """9387: ProductPeriode starts on the 1st, or on the allocation's start when that is later in the month."""
    t, begin = r.toewijzing, r.prestatie.productperiode.begindatum
    if t is None:
        return None
    eerste, laatste = _maand(begin)
    if t.ingangsdatum > laatste:
        return None  # the allocation starts after this month: TR307 reports it
    verwacht = max(eerste, t.ingangsdatum)
    if begin == verwacht:
        return None
    return _reden("9387", "TR387", "ProductPeriode/Begindatum", begin.isoformat(), verwacht.isoformat(),
                  "Productperiode begint niet op de eerste van de maand (of de ingangsdatum)",
                  "Product period does not begin on the 1st (or the allocation's start)")


def tr388_eind_van_maand(r: Regel, stand: Stand) -> Reden | None:
    """9388: ProductPeriode ends on the month's last day, or on the allocation's end when that is earlier."""
    t, eind = r.toewijzing, r.prestatie.productperiode.einddatum
    if t is None:
        return None
    eerste, laatste = _maand(eind)
    if t.einddatum is not None and t.einddatum < eerste:
        return None  # the allocation ended before this month: TR308 reports it
    verwacht = min(laatste, t.einddatum) if t.einddatum else laatste
    if eind == verwacht:
        return None
    return _reden("9388", "TR388", "ProductPeriode/Einddatum", eind.isoformat(), verwacht.isoformat(),
                  "Productperiode eindigt niet op de laatste van de maand (of de einddatum)",
                  "Product period does not end on the month's last day (or the allocation's end)")


def tr319_niet_in_de_toekomst(r: Regel, stand: Stand) -> Reden | None:
    """9319: the ProductPeriode lies in the declaration period or an earlier one."""
    eind, periode_eind = r.prestatie.productperiode.einddatum, r.bericht.declaratie.declaratieperiode.einddatum
    if eind <= periode_eind:
        return None
    return _reden("9319", "TR319", "ProductPeriode/Einddatum", eind.isoformat(), f"≤ {periode_eind.isoformat()}",
                  "Productperiode ligt na de declaratieperiode", "Product period lies after the declaration period")


def tr321_volume_per_periode(r: Regel, stand: Stand) -> Reden | None:
    """9321: GeleverdVolume ≤ the maximum for the product period from Volume/Eenheid/Frequentie (§7.4)."""
    t, volume = r.toewijzing, r.volume_in_toegewezen_eenheid()
    if t is None or t.omvang is None or volume is None:  # no Omvang gives no volume either
        return None
    p = r.prestatie.productperiode
    maximum = max_volume_periode(t.omvang, t.ingangsdatum, t.einddatum, p.begindatum, p.einddatum, r.variant)
    if maximum is None or volume <= maximum:
        return None
    return _reden("9321", "TR321", "GeleverdVolume", f"{r.prestatie.geleverd_volume} (Eenheid {r.prestatie.eenheid})",
                  f"≤ {maximum} (Eenheid {t.omvang.eenheid}) in this product period",
                  "Geleverd volume is groter dan toegewezen voor de periode",
                  "Delivered volume exceeds the allocation for the period")


def tr322_volume_totaal(r: Regel, stand: Stand) -> Reden | None:
    """9322: Σ GeleverdVolume on the allocation (approved, uncredited) ≤ the maximum over its whole period."""
    t, volume = r.toewijzing, r.volume_in_toegewezen_eenheid()
    if t is None or t.omvang is None or volume is None:  # no Omvang gives no volume either
        return None
    maximum = max_volume_totaal(t.omvang, t.ingangsdatum, t.einddatum, r.variant)
    if maximum is None:
        return None
    eerder = stand.verbruikt_volume(t.nummer, t.omvang.eenheid)
    if eerder + volume <= maximum:
        return None
    return _reden("9322", "TR322", "GeleverdVolume", f"{r.prestatie.geleverd_volume} (Eenheid {r.prestatie.eenheid})",
                  f"≤ {_getal(maximum - eerder)} (Eenheid {t.omvang.eenheid}; allocation total {maximum}, "
                  f"already declared {_getal(eerder)})",
                  "Totaal geleverd volume is groter dan toegewezen",
                  "Total delivered volume exceeds the allocation")


def tr369_budget(r: Regel, stand: Stand) -> Reden | None:
    """9369: with a Budget, Σ IngediendBedrag of the allocation's approved, uncredited debits fits the Budget
    (decision: amounts, see the module docstring)."""
    t = r.toewijzing
    if t is None or t.budget is None:
        return None
    eerder = stand.verbruikt_bedrag(t.nummer)
    if eerder + r.prestatie.ingediend_bedrag <= t.budget:
        return None
    return _reden("9369", "TR369", "IngediendBedrag", r.prestatie.ingediend_bedrag,
                  f"≤ {t.budget - eerder} cents (budget {t.budget}, already declared {eerder})",
                  "Budget van de toewijzing is overschreden", "Allocation budget exceeded")


def tr389_een_actieve_debet(r: Regel, stand: Stand) -> Reden | None:
    """9389: a new debit for the same allocation, period, category and code only after the earlier one was
    credited."""
    p = r.prestatie
    sleutel = (p.toewijzingnummer, p.productperiode.begindatum, p.productperiode.einddatum, p.productcategorie,
               p.productcode)
    bestaand = next((x for x in stand.actieve_debets(p.toewijzingnummer) if x.sleutel_tr389 == sleutel), None)
    if bestaand is None:
        return None
    return _reden("9389", "TR389", "ProductReferentie/ReferentieNummer", p.referentienummer,
                  f"a credit of {bestaand.referentienummer} first",
                  "Er is al een goedgekeurde debetregel voor deze toewijzing en periode",
                  "An approved debit line already exists for this allocation and period")


# --------------------------------------------------------------------------- lines: contract (level 4)

def tr381_product_in_contract(r: Regel, stand: Stand) -> Reden | None:
    """S329: the product code must belong to the category in the agreed product list (the contract)."""
    p = r.prestatie
    if r.contract is None:
        return _reden("S329", "TR381", "ProductCode", p.productcode,
                      "a product in the provider's contract for this municipality on the product period",
                      "Productcode staat niet in het contract", "Product code is not in the contract")
    if r.contract.categorie != p.productcategorie:
        return _reden("S329", "TR381", "ProductCategorie", p.productcategorie, r.contract.categorie,
                      "Productcode hoort niet bij deze categorie", "Product code does not belong to this category")
    return None


def tr418_tarief(r: Regel, stand: Stand) -> Reden | None:
    """0611: ProductTarief equals the contract tariff valid in the product period (new in 3.2).
    Minutes against an hour tariff: the hour tariff / 60, rounded half up (IV081)."""
    p = r.prestatie
    if p.eenheid == EENHEID_EURO or r.contract is None:
        return None  # no contract: TR381 reports it
    expected = r.contract_tarief
    if expected is None:
        return _reden("0611", "TR418", "ProductTarief", p.producttarief,
                      "a contract tariff valid on the product period (none is agreed for that date)",
                      "Geen contracttarief voor deze periode", "No contract tariff for this period")
    if r.minuten_op_uurtarief:
        expected = deel_half_omhoog(expected, 60)
    if p.producttarief == expected:
        return None
    return _reden("0611", "TR418", "ProductTarief", p.producttarief, expected,
                  "Tarief wijkt af van het contracttarief", "Tariff differs from the contract tariff")


def tr346_bedrag(r: Regel, stand: Stand) -> Reden | None:
    """9346: IngediendBedrag = GeleverdVolume × unrounded tariff (minutes against an hour tariff: IV081)."""
    p = r.prestatie
    if p.eenheid == EENHEID_EURO or p.producttarief is None:
        return None
    expected = p.geleverd_volume * p.producttarief
    if r.minuten_op_uurtarief and r.contract_tarief is not None:
        expected = deel_half_omhoog(r.contract_tarief * p.geleverd_volume, 60)
    if p.ingediend_bedrag == expected:
        return None
    return _reden("9346", "TR346", "IngediendBedrag", p.ingediend_bedrag, expected,
                  "Bedrag is niet volume maal tarief", "Amount is not volume times tariff")


HEADER_RULES = (tr056_identificatie_uniek, tr135_dagtekening)  # TR378 also needs the region
DECLARATIE_RULES = (tr333_declaratienummer_uniek, tr318_periode_volgorde)
CLIENT_RULES = (tr304_client_van_toewijzing,)
CREDIT_RULES = (tr314_referentie_uniek, tr323_credit_verwijst_naar_debet, tr390_niet_al_gecrediteerd)
# TR338 first: without an allocation the allocation rules have nothing to compare and stay silent.
DEBIT_RULES = (tr314_referentie_uniek, tr338_toewijzing_bestaat, tr384_niet_verwijderd, tr339_categorie,
               tr340_productcode, tr341_eenheid, tr307_na_ingangsdatum, tr308_voor_einddatum, tr387_begin_van_maand,
               tr388_eind_van_maand, tr319_niet_in_de_toekomst, tr321_volume_per_periode, tr322_volume_totaal,
               tr369_budget, tr389_een_actieve_debet, tr381_product_in_contract, tr418_tarief, tr346_bedrag)
