"""Level-1 structures of the messages around allocations and delivery: 302, 305–308, 315–320.

Written from the standard's documentation with the building blocks of shared.structuur; the official XSDs are a
test oracle only (tests/unit/test_differential_overig.py).

Heen messages (305, 307, 315, 317, 319) are written out; each retour message (302, 306, 308, 316, 318, 320) is
derived from its heen message (domain brief §3, IV028): the heen header with IdentificatieRetour,
DagtekeningRetour, XsltVersie?, XsdVersieRetour and RetourCodes? added, the body optional (only rejected clients
are listed) and a mandatory RetourCodes closing every class that can be rejected.

iJw and iWmo differ in ProductCategorie, RedenBeeindiging and two Jeugdwet-only elements (GezagsdragerBekend in
315/316, Woonplaatsbeginsel in 319/320). A structure is shared by both domains, so a Jeugdwet-only element is
declared with a per-domain type that refuses every value in iWmo: present there, it is always a level-1 error.
"""

from __future__ import annotations

from dataclasses import replace

from .structuur import (AGB, BSN, BUDGET, COMMENTAAR, DATUM, EENHEID, FREQUENTIE, GEBOORTEDATUM, GEMEENTE, GESLACHT,
                        IDENTIFICATIE, NAAM_301, NUMMER, PRODUCTCATEGORIE, PRODUCTCODE, RETOUR_CODES, VERSIE, VOLUME,
                        XSD_VERSIE, E, Simple, _b, _header_start, codes, not_blank, structures)

# --------------------------------------------------------------------------- basisschema simple types

JANEE = codes("LDT_JaNee", "1 2", "JaNee code 1 or 2")
STATUSAANLEVERING = codes("LDT_StatusAanlevering", "1 2 3 9", "StatusAanlevering code (COD467)")
REDENBEEINDIGING = {
    "jw": codes("LDT_RedenBeeindiging", "02 20 31 32 33 34 35 36 37 38 39", "RedenBeeindiging code (JZ588)"),
    "wmo": codes("LDT_RedenBeeindiging", "02 19 20 21 22 23 31 36 37 38 39", "RedenBeeindiging code (WMO588)"),
}
REDENVERZOEK = codes("LDT_RedenVerzoek", "1 2", "RedenVerzoek code 1 or 2")
VERZOEKANTWOORD = codes("LDT_VerzoekAntwoord", "1 2", "VerzoekAntwoord code (WJ760)")
REDENAFWIJZINGVERZOEK = codes("LDT_RedenAfwijzingVerzoek", "1 2 3 4 5 6 7 8 9", "RedenAfwijzingVerzoek code (WJ759)")
REFERENTIE_AANBIEDER = not_blank("LDT_Referentie", 36)
TYPEVERWIJZER = codes("LDT_TypeVerwijzer", "01 02 03 04 05 06 08", "TypeVerwijzer code")
NAAMVERWIJZER = not_blank("LDT_NaamVerwijzer", 64)

_NIET_IN_WMO = Simple("(iJw only)", lambda text: (None, "no such element in iWmo (Jeugdwet only)"))


def _alleen_jw(simple: Simple) -> dict[str, Simple]:
    """A per-domain type for an element that exists only in iJw: in iWmo every value is refused."""
    return {"jw": simple, "wmo": _NIET_IN_WMO}


# --------------------------------------------------------------------------- basisschema complex types

PRODUCT = (_b("Categorie", PRODUCTCATEGORIE), _b("Code", PRODUCTCODE, min=0))
OMVANG = (_b("Volume", VOLUME), _b("Eenheid", EENHEID), _b("Frequentie", FREQUENTIE))
VERKORTE_NAAM = tuple(e for e in NAAM_301 if e.name in ("Geslachtsnaam", "Voornamen", "Voorletters"))
VERWIJZER = (_b("Type", TYPEVERWIJZER), _b("Naam", NAAMVERWIJZER, min=0), _b("ZorgverlenerCode", AGB, min=0))
CLIENT_KORT = (E("Bsn", BSN), E("Geboortedatum", GEBOORTEDATUM), E("Geslacht", GESLACHT), E("Naam", VERKORTE_NAAM))

RETOUR_HEADER = (
    E("IdentificatieRetour", IDENTIFICATIE),
    E("DagtekeningRetour", DATUM),
    E("XsltVersie", VERSIE, min=0),
    E("XsdVersieRetour", XSD_VERSIE),
    E("RetourCodes", RETOUR_CODES, min=0),
)


def _lijst(naam: str, item: str, inhoud: tuple[E, ...], **kw) -> E:
    """A wrapper element holding one or more items, e.g. StartProducten/StartProduct+."""
    return E(naam, (E(item, inhoud, max=None),), **kw)


def _start_stop(stop: bool) -> tuple[E, ...]:
    return (
        E("ToewijzingNummer", NUMMER, min=0),
        E("Product", PRODUCT, min=0),
        E("ToewijzingIngangsdatum", DATUM, min=0),
        E("Begindatum", DATUM),
        *((E("RedenBeeindiging", REDENBEEINDIGING), E("Einddatum", DATUM)) if stop else ()),
        E("StatusAanlevering", STATUSAANLEVERING),
    )


def _gewenst() -> tuple[E, ...]:
    return (E("GewensteIngangsdatum", DATUM), E("Einddatum", DATUM, min=0), E("Omvang", OMVANG, min=0),
            E("Budget", BUDGET, min=0))


def _heen_bodies(berichtcodes: dict[str, dict[str, str]]) -> dict[str, E]:
    """The element after the Header of each heen message."""
    return {
        "301": structures(berichtcodes)["301"][1],
        "305": E("Client", CLIENT_KORT + (_lijst("StartProducten", "StartProduct", _start_stop(False)),)),
        "307": E("Client", CLIENT_KORT + (_lijst("StopProducten", "StopProduct", _start_stop(True)),)),
        "315": E("Client", CLIENT_KORT + (
            E("GezagsdragerBekend", _alleen_jw(JANEE), min=0),
            E("Commentaar", COMMENTAAR, min=0),
            _lijst("AangevraagdeProducten", "AangevraagdProduct", (
                E("ReferentieAanbieder", REFERENTIE_AANBIEDER),
                E("BeschikkingNummer", NUMMER, min=0),
                E("Product", PRODUCT, min=0),
                E("BeschikkingIngangsdatum", DATUM, min=0),
                E("ToewijzingIngangsdatum", DATUM),
                E("ToewijzingEinddatum", DATUM, min=0),
                E("Omvang", OMVANG, min=0),
                E("Budget", BUDGET, min=0),
                E("Verwijzer", VERWIJZER),
                E("Raamcontract", JANEE, min=0),
                E("Commentaar", COMMENTAAR, min=0),
            )),
        )),
        "317": E("Client", (
            E("Bsn", BSN),
            E("Verzoek", (
                E("ReferentieAanbieder", REFERENTIE_AANBIEDER),
                E("RedenVerzoek", REDENVERZOEK),
                _lijst("OngewijzigdeProducten", "OngewijzigdProduct", (E("ToewijzingNummer", NUMMER),), min=0),
                _lijst("TeWijzigenProducten", "TeWijzigenProduct", (E("ToewijzingNummer", NUMMER),) + _gewenst(),
                       min=0),
                _lijst("NieuweProducten", "NieuwProduct", (E("Product", PRODUCT, min=0),) + _gewenst(), min=0),
            )),
        )),
        "319": E("Antwoord", (
            E("ReferentieAanbieder", REFERENTIE_AANBIEDER),
            E("VerzoekAntwoord", VERZOEKANTWOORD),
            E("RedenAfwijzingVerzoek", REDENAFWIJZINGVERZOEK, min=0),
            # Jeugdwet only (rejection on woonplaatsbeginsel names the responsible municipality, OP359)
            E("Woonplaatsbeginsel", (E("Gemeente", _alleen_jw(GEMEENTE)),), min=0),
        )),
    }


# Per retour message: its heen message and the classes that carry their own RetourCodes (IV028).
_RETOUR = {
    "302": ("301", {"Client", "Relatie", "Contact", "ToegewezenProduct"}),
    "306": ("305", {"Client", "StartProduct"}),
    "308": ("307", {"Client", "StopProduct"}),
    "316": ("315", {"Client", "AangevraagdProduct"}),
    "318": ("317", {"Client", "Verzoek", "OngewijzigdProduct", "TeWijzigenProduct", "NieuwProduct"}),
    "320": ("319", {"Antwoord", "Woonplaatsbeginsel"}),
}
# Afzender and Ontvanger of each heen message; the retour copies the heen header unchanged.
_PARTIJEN = {"301": (GEMEENTE, AGB), "305": (AGB, GEMEENTE), "307": (AGB, GEMEENTE), "315": (AGB, GEMEENTE),
             "317": (AGB, GEMEENTE), "319": (GEMEENTE, AGB)}


def _met_retourcodes(e: E, klassen: set[str]) -> E:
    """The element with RetourCodes appended to every class named in klassen, at any depth."""
    if not isinstance(e.type, tuple):
        return e
    kinderen = tuple(_met_retourcodes(k, klassen) for k in e.type)
    if e.name in klassen:
        kinderen += (E("RetourCodes", RETOUR_CODES),)
    return replace(e, type=kinderen)


def structures_overig(berichtcodes: dict[str, dict[str, str]]) -> dict[str, tuple[E, ...]]:
    """Root sequences (the children of Bericht) per message type."""
    bodies = _heen_bodies(berichtcodes)
    out: dict[str, tuple[E, ...]] = {}
    for heen in ("305", "307", "315", "317", "319"):
        out[heen] = (E("Header", _header_start(heen, berichtcodes, *_PARTIJEN[heen])), bodies[heen])
    for retour, (heen, klassen) in _RETOUR.items():
        header = _header_start(retour, berichtcodes, *_PARTIJEN[heen]) + RETOUR_HEADER
        out[retour] = (E("Header", header), replace(_met_retourcodes(bodies[heen], klassen), min=0))
    return dict(sorted(out.items()))
