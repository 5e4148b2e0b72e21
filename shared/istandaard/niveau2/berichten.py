"""Control level 2 of every message kind but the 323 (see declaratie.py): the in-message rules of the official
stylesheet, one function per rule id, on the values the reader returns (element names as keys).

Each function applies its rule wherever the stylesheet applies it: a rule that the stylesheet attaches to a
basisschema element (CS002 on every Bsn, TR002 on every Geboortedatum, CD005 on every address, …) holds in every
message kind, retour messages included; a rule attached to a message's own element (CD041 on ToegewezenProduct,
AangevraagdProduct and NieuwProduct) holds for those. Where the stylesheet compares texts, these compare the values
the XSD made of them (see the README of shared/istandaard for the one place that differs: lexical variants such as
leading zeros).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from ..problemen import Problem, problem
from .gedeeld import (
    Bericht,
    cd060_probleem,
    dagtekening,
    datum_gebruik_klopt,
    elfproef_ok,
    filled,
    normalize_space,
    periodes_overlappen,
    tr137_problemen,
)

Values = dict[str, Any]


def _p(rule: str, path: str, found: Any, expected: str, nl: str, en: str) -> Problem:
    return problem(rule, path, None, None if found is None else str(found), expected, nl, en)


# --------------------------------------------------------------------------- where each class lives

TOEGEWEZEN = ("Client", "ToegewezenProducten", "ToegewezenProduct")  # 301
AANGEVRAAGD = ("Client", "AangevraagdeProducten", "AangevraagdProduct")  # 315
TE_WIJZIGEN = ("Client", "Verzoek", "TeWijzigenProducten", "TeWijzigenProduct")  # 317
NIEUW = ("Client", "Verzoek", "NieuweProducten", "NieuwProduct")  # 317
ONGEWIJZIGD = ("Client", "Verzoek", "OngewijzigdeProducten", "OngewijzigdProduct")  # 317
START = ("Client", "StartProducten", "StartProduct")  # 305
STOP = ("Client", "StopProducten", "StopProduct")  # 307
CONTACTEN = ("Client", "Contactgegevens", "Contact")  # 301
RELATIES = ("Client", "Relaties", "Relatie")  # 301
PRESTATIES_325 = ("DeclaratieAntwoord", "Clienten", "Client", "Prestaties", "Prestatie")


def _contacten_301(b: Bericht) -> Iterator[tuple[str, Values]]:
    """Every Contact of a 301: the client's own and each relation's."""
    yield from b.each(*CONTACTEN)
    for path, relatie in b.each(*RELATIES):
        if "Contact" in relatie:
            yield f"{path}/Contact", relatie["Contact"]


# Per message type: the product classes a rule on products applies to, with the names of their end and start date.
_PRODUCTEN: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "301": [(TOEGEWEZEN, "Einddatum", "Ingangsdatum")],
    "315": [(AANGEVRAAGD, "ToewijzingEinddatum", "ToewijzingIngangsdatum")],
    "317": [(TE_WIJZIGEN, "Einddatum", "GewensteIngangsdatum"), (NIEUW, "Einddatum", "GewensteIngangsdatum")],
}


def _producten(b: Bericht, *only: tuple[str, ...]) -> Iterator[tuple[str, Values, str, str]]:
    for klasse, eind, begin in _PRODUCTEN.get(b.berichttype, []):
        if only and klasse not in only:
            continue
        for path, v in b.each(*klasse):
            yield path, v, eind, begin


def _na_2020(v: Values, eind: str) -> bool:
    """The rules on Omvang and Eenheid apply to products without an end date or ending after 2020."""
    return v.get(eind) is None or v[eind] > dt.date(2020, 12, 31)


# --------------------------------------------------------------------------- basisschema elements, any message


def cs002_bsn_elfproef(b: Bericht) -> list[Problem]:
    return [_p("CS002", path, "***", "a BSN that passes the 11-proef", "BSN voldoet niet aan de elfproef",
               "BSN fails the 11-check") for path, bsn in b.find("Bsn") if not elfproef_ok(bsn)]


def tr002_geboortedatum_hooguit_120_jaar(b: Bericht) -> list[Problem]:
    """Geboortedatum/Datum not more than 120 years before the message's Dagtekening (a date of birth that is
    unknown, DatumGebruik 3 with 1900-01-01, is exempt)."""
    out = []
    ref = dagtekening(b.values)
    for path, g in b.find("Geboortedatum"):
        datum = g.get("Datum")
        if datum is None or (g.get("DatumGebruik") == "3" and datum == dt.date(1900, 1, 1)):
            continue
        # The stylesheet adds 120 × 10000 to YYYYMMDD: the same as the same day 120 years later.
        if _yyyymmdd(datum) + 120 * 10000 < _yyyymmdd(ref):
            out.append(_p("TR002", f"{path}/Datum", datum, f"on or after {ref.year - 120}-{ref:%m-%d}",
                          "Geboortedatum ligt meer dan 120 jaar voor de dagtekening",
                          "Date of birth lies more than 120 years before the message date"))
    return out


def _yyyymmdd(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def cs139_datum_past_bij_datumgebruik(b: Bericht) -> list[Problem]:
    return [_p("CS139", f"{path}/Datum", g["Datum"], f"a date that fits DatumGebruik {g['DatumGebruik']}",
               "Datum past niet bij DatumGebruik (3: 1900-01-01, 2: 1 januari, 1: de eerste van de maand)",
               "Date does not fit DatumGebruik (3: 1900-01-01, 2: 1 January, 1: the first of the month)")
            for path, g in b.find_dicts_with("Datum", "DatumGebruik")
            if not datum_gebruik_klopt(g["Datum"], g["DatumGebruik"])]


def cs050_naamgebruik_past_bij_partnernaam(b: Bericht) -> list[Problem]:
    """With a partner name NaamGebruik is 1–4; without one 1, or in iJw also 6 (the iWmo stylesheet has no 6)."""
    zonder_partner = ("1", "6") if b.domein == "jw" else ("1",)
    out = []
    for path, naam in b.find_dicts_with("NaamGebruik"):
        gebruik = naam["NaamGebruik"]
        allowed = ("1", "2", "3", "4") if "Partnernaam" in naam else zonder_partner
        if gebruik not in allowed:
            out.append(_p("CS050", f"{path}/NaamGebruik", gebruik, f"one of {', '.join(allowed)}",
                          "NaamGebruik past niet bij het wel of niet hebben van een partnernaam",
                          "NaamGebruik does not fit whether a partner name is given"))
    return out


def cd005_postcode_en_landcode_samen(b: Bericht) -> list[Problem]:
    return [_p("CD005", f"{path}/{'LandCode' if filled(a.get('Postcode')) else 'Postcode'}", None,
               "Postcode and LandCode both filled or both empty",
               "Postcode en LandCode worden samen gevuld of samen leeg gelaten",
               "Postcode and LandCode are filled together or left out together")
            for path, a in b.find_dicts_with_any("Postcode", "LandCode")
            if filled(a.get("Postcode")) != filled(a.get("LandCode"))]


def cd025_huisnummer_bij_nederland(b: Bericht) -> list[Problem]:
    return [_p("CD025", f"{path}/Huis/Huisnummer", None, "a Huisnummer when LandCode is NL",
               "Bij een Nederlands adres is het huisnummer verplicht", "A Dutch address needs a house number")
            for path, a in b.find_dicts_with("LandCode")
            if a["LandCode"] == "NL" and not filled((a.get("Huis") or {}).get("Huisnummer"))]


def _nederlandse_postcode(postcode: Any) -> bool:
    """The stylesheet's pattern 1000ZZ: a digit 1–9, three digits, two letters."""
    return (isinstance(postcode, str) and len(postcode) == 6 and postcode[0] in "123456789"
            and all(c in "0123456789" for c in postcode[1:4])
            and all(("a" <= c <= "z") or ("A" <= c <= "Z") for c in postcode[4:]))


def cs089_nederlandse_postcode(b: Bericht) -> list[Problem]:
    return [_p("CS089", f"{path}/Postcode", a.get("Postcode"), "1234AB: four digits, the first not 0, two letters",
               "Een Nederlandse postcode is vier cijfers (niet beginnend met 0) en twee letters",
               "A Dutch postcode is four digits (not starting with 0) and two letters")
            for path, a in b.find_dicts_with("LandCode")
            if a["LandCode"] == "NL" and not _nederlandse_postcode(a.get("Postcode"))]


def cd007_taal_bij_tolk(b: Bericht) -> list[Problem]:
    return [_p("CD007", f"{path}/Taal", c.get("Taal"), "Taal filled exactly when Vorm is 1 (tolk taal)",
               "Taal is verplicht bij communicatievorm 1 (tolk taal) en anders niet toegestaan",
               "Taal is required with communication form 1 (interpreter) and not allowed otherwise")
            for path, c in b.find_dicts_with_any("Taal", "Vorm")
            if filled(c.get("Taal")) != (c.get("Vorm") == "1")]


_BEDRAGEN = {"TotaalIngediendBedrag": "TotaalBedrag", "IngediendBedrag": "Bedrag",
             "TotaalToegekendBedrag": "TotaalBedrag"}


def cs325_nul_is_debet(b: Bericht) -> list[Problem]:
    out = []
    for name, veld in _BEDRAGEN.items():
        for path, v in b.find(name):
            if v.get(veld) == 0 and v.get("DebetCredit") == "C":
                out.append(_p("CS325", f"{path}/DebetCredit", "C", "D", "Een bedrag van 0 heeft indicatie D",
                              "An amount of 0 carries D"))
    return out


# --------------------------------------------------------------------------- products (301, 315, 317)


def cd041_omvang_bij_productcode(b: Bericht) -> list[Problem]:
    return [_p("CD041", f"{path}/Omvang", None, "Omvang when Product/Code is filled",
               "Omvang is verplicht bij een productcode", "Omvang is required with a product code")
            for path, v, _e, _b in _producten(b, TOEGEWEZEN, AANGEVRAAGD, NIEUW)
            if filled((v.get("Product") or {}).get("Code")) and "Omvang" not in v]


def cd075_einddatum_bij_budget(b: Bericht) -> list[Problem]:
    return [_p("CD075", f"{path}/{eind}", None, f"an {eind} when a Budget is given",
               "Einddatum is verplicht bij een budget", "An end date is required with a budget")
            for path, v, eind, _b in _producten(b) if filled(v.get("Budget")) and not filled(v.get(eind))]


def cd076_einddatum_bij_frequentie_week(b: Bericht) -> list[Problem]:
    return [_p("CD076", f"{path}/{eind}", None, f"an {eind} when Frequentie is 2 (per week)",
               "Einddatum is verplicht bij frequentie per week", "An end date is required with frequency per week")
            for path, v, eind, _b in _producten(b)
            if (v.get("Omvang") or {}).get("Frequentie") == "2" and not filled(v.get(eind))]


def cd077_geen_omvang_bij_budget(b: Bericht) -> list[Problem]:
    return [_p("CD077", f"{path}/Omvang", "Omvang + Budget", "no Omvang when a Budget is given",
               "Omvang mag niet samen met een budget", "Omvang may not be given with a budget")
            for path, v, _e, _b in _producten(b) if filled(v.get("Budget")) and "Omvang" in v]


def cd078_geen_budget_bij_omvang(b: Bericht) -> list[Problem]:
    return [_p("CD078", f"{path}/Budget", "Omvang + Budget", "no Budget when an Omvang is given",
               "Budget mag niet samen met een omvang", "Budget may not be given with an Omvang")
            for path, v, _e, _b in _producten(b) if "Omvang" in v and "Budget" in v]


def cd079_product_zonder_budget(b: Bericht) -> list[Problem]:
    return [_p("CD079", f"{path}/Product", None, "a Product when no Budget is given",
               "Product is verplicht als er geen budget is", "Product is required when there is no budget")
            for path, v, _e, _b in _producten(b, TOEGEWEZEN, AANGEVRAAGD, NIEUW)
            if not filled(v.get("Budget")) and "Product" not in v]


def _geen_omvang_zonder_productcode(rule: str, klasse: tuple[str, ...]) -> Callable[[Bericht], list[Problem]]:
    def check(b: Bericht) -> list[Problem]:
        return [_p(rule, f"{path}/Omvang", "Omvang", "no Omvang without a product code",
                   "Omvang moet leeg zijn zonder productcode", "Omvang must be empty without a product code")
                for path, v, eind, _b in _producten(b, klasse)
                if "Omvang" in v and _na_2020(v, eind) and not filled((v.get("Product") or {}).get("Code"))]
    return check


_cd080 = _geen_omvang_zonder_productcode("CD080", TOEGEWEZEN)
_cd095 = _geen_omvang_zonder_productcode("CD095", AANGEVRAAGD)
_cd096 = _geen_omvang_zonder_productcode("CD096", NIEUW)


def cd080_geen_omvang_zonder_productcode(b: Bericht) -> list[Problem]:
    """301: Omvang only with a product code (allocations ending after 2020 or without an end)."""
    return _cd080(b)


def cd095_geen_omvang_zonder_productcode(b: Bericht) -> list[Problem]:
    """315: as CD080, for a requested product."""
    return _cd095(b)


def cd096_geen_omvang_zonder_productcode(b: Bericht) -> list[Problem]:
    """317: as CD080, for a new product asked for."""
    return _cd096(b)


def _eenheid_past_bij_frequentie(rule: str, *klassen: tuple[str, ...]) -> Callable[[Bericht], list[Problem]]:
    def check(b: Bericht) -> list[Problem]:
        out = []
        for path, v, eind, _b in _producten(b, *klassen):
            omvang = v.get("Omvang")
            if omvang and _na_2020(v, eind) and omvang["Eenheid"] in ("14", "16", "83", "84") \
                    and omvang["Frequentie"] not in ("2", "4", "6"):
                out.append(_p(rule, f"{path}/Omvang/Frequentie", omvang["Frequentie"],
                              "2, 4 or 6 with Eenheid 14, 16, 83 or 84",
                              f"Eenheid {omvang['Eenheid']} kan niet met frequentie {omvang['Frequentie']}",
                              f"Eenheid {omvang['Eenheid']} cannot be combined with frequency {omvang['Frequentie']}"))
        return out
    return check


_cs338 = _eenheid_past_bij_frequentie("CS338", TOEGEWEZEN, TE_WIJZIGEN, NIEUW)
_cs343 = _eenheid_past_bij_frequentie("CS343", AANGEVRAAGD)


def cs338_eenheid_past_bij_frequentie(b: Bericht) -> list[Problem]:
    """301 and 317: Eenheid 14, 16, 83 and 84 only with Frequentie 2, 4 or 6."""
    return _cs338(b)


def cs343_eenheid_past_bij_frequentie(b: Bericht) -> list[Problem]:
    """315: as CS338, for a requested product."""
    return _cs343(b)


def cs003_einddatum_niet_voor_begindatum(b: Bericht) -> list[Problem]:
    """An end date is not before its start date; the stylesheet also fails an end date whose start is missing."""
    out = []

    def check(path: str, v: Values, eind: str, begin: str) -> None:
        if v.get(eind) is not None and (v.get(begin) is None or v[begin] > v[eind]):
            out.append(_p("CS003", f"{path}/{eind}", v[eind], f"on or after {begin} ({v.get(begin)})",
                          "Einddatum ligt voor de begindatum (of die ontbreekt)",
                          "End date lies before the start date (or that is missing)"))

    for path, v, eind, begin in _producten(b):
        check(path, v, eind, begin)
    if b.berichttype == "301":
        for path, contact in _contacten_301(b):
            if "Periode" in contact:
                check(f"{path}/Periode", contact["Periode"], "Einddatum", "Begindatum")
    return out


def cd043_beschikkingnummer_met_ingangsdatum(b: Bericht) -> list[Problem]:
    return [_p("CD043", f"{path}/BeschikkingIngangsdatum", None,
               "BeschikkingNummer and BeschikkingIngangsdatum both or neither",
               "BeschikkingNummer en BeschikkingIngangsdatum worden samen gevuld",
               "BeschikkingNummer and BeschikkingIngangsdatum are given together")
            for path, v in b.each(*AANGEVRAAGD)
            if filled(v.get("BeschikkingNummer")) != filled(v.get("BeschikkingIngangsdatum"))]


_VERWIJZER_MET_AGB = ("02", "03", "04", "05")  # huisarts, jeugdarts, gecertificeerde instelling, medisch specialist


def _verwijzers(b: Bericht) -> Iterator[tuple[str, Values]]:
    for path, v in b.each(*AANGEVRAAGD):
        yield f"{path}/Verwijzer", v["Verwijzer"]


def cd066_geen_naam_bij_zorgverlenercode(b: Bericht) -> list[Problem]:
    return [_p("CD066", f"{path}/Naam", w.get("Naam"), "no Naam when a ZorgverlenerCode is given",
               "Naam van de verwijzer blijft leeg als de zorgverlenercode gevuld is",
               "The referrer's name stays empty when the care provider code is given")
            for path, w in _verwijzers(b)
            if w["Type"] in _VERWIJZER_MET_AGB and filled(w.get("ZorgverlenerCode")) and filled(w.get("Naam"))]


def cd067_naam_zonder_zorgverlenercode(b: Bericht) -> list[Problem]:
    return [_p("CD067", f"{path}/Naam", None, "a Naam when no ZorgverlenerCode is given",
               "Naam van de verwijzer is verplicht zonder zorgverlenercode",
               "The referrer's name is required without a care provider code")
            for path, w in _verwijzers(b)
            if w["Type"] in _VERWIJZER_MET_AGB and not filled(w.get("ZorgverlenerCode")) and not filled(w.get("Naam"))]


def cd068_zorgverlenercode_alleen_bij_arts(b: Bericht) -> list[Problem]:
    return [_p("CD068", f"{path}/ZorgverlenerCode", w.get("ZorgverlenerCode"),
               "a ZorgverlenerCode only for Type 02, 03, 04 or 05",
               "Zorgverlenercode alleen bij een huisarts, jeugdarts, GI of medisch specialist",
               "A care provider code only for a GP, youth doctor, certified institution or medical specialist")
            for path, w in _verwijzers(b)
            if w["Type"] not in _VERWIJZER_MET_AGB and filled(w.get("ZorgverlenerCode"))]


# --------------------------------------------------------------------------- 301


def cd009_periode_alleen_bij_tijdelijk_adres(b: Bericht) -> list[Problem]:
    return [_p("CD009", f"{path}/Periode", c["Soort"], "Soort 04 (tijdelijk adres) when a Periode is given",
               "Een periode hoort alleen bij een tijdelijk adres (soort 04)",
               "A period belongs only to a temporary address (soort 04)")
            for path, c in _contacten_301(b) if "Periode" in c and c["Soort"] != "04"]


def cd034_postcode_bij_brp_of_verblijfadres(b: Bericht) -> list[Problem]:
    return [_p("CD034", f"{path}/Adres/Postcode", None, "a Postcode with Soort 01 or 03",
               "Bij een BRP- of verblijfadres is de postcode verplicht",
               "A registered or residence address needs a postcode")
            for path, c in _contacten_301(b)
            if c["Soort"] in ("01", "03") and not filled((c.get("Adres") or {}).get("Postcode"))]


def tr006_telefoon_of_adres(b: Bericht) -> list[Problem]:
    out = []
    for path, c in _contacten_301(b):
        if "Telefoon" in c:
            continue
        adres = c.get("Adres") or {}
        for veld in ("Huis", "Postcode"):
            if veld not in adres:
                out.append(_p("TR006", f"{path}/Adres/{veld}", None, f"a Telefoon or an address with {veld}",
                              "Een contact heeft een telefoonnummer of een adres met huisnummer en postcode",
                              "A contact has a telephone number or an address with house number and postcode"))
    return out


def tr061_contact_met_adressoort(b: Bericht) -> list[Problem]:
    path, client = "/Bericht/Client", b.values["Client"]
    contacten = client["Contactgegevens"]["Contact"]
    if any(c["Soort"] in ("01", "02", "03") for c in contacten):
        return []
    return [_p("TR061", f"{path}/Contactgegevens", ", ".join(c["Soort"] for c in contacten),
               "a Contact with Soort 01, 02 or 03", "Er is geen BRP-, correspondentie- of verblijfadres",
               "There is no registered, correspondence or residence address")]


def cs318_naamgebruik_van_client_niet_6(b: Bericht) -> list[Problem]:
    gebruik = b.values["Client"]["Naam"]["NaamGebruik"]
    if gebruik != "6":
        return []
    return [_p("CS318", "/Bericht/Client/Naam/NaamGebruik", gebruik, "not 6",
               "NaamGebruik 6 is niet toegestaan voor de cliënt", "NaamGebruik 6 is not allowed for the client")]


def cs335_verwijderd_heeft_einddatum_is_ingangsdatum(b: Bericht) -> list[Problem]:
    return [_p("CS335", f"{path}/Einddatum", v["Einddatum"], str(v["Ingangsdatum"]),
               "Bij RedenWijziging 13 (verwijderd) is de einddatum gelijk aan de ingangsdatum",
               "With RedenWijziging 13 (deleted) the end date equals the start date")
            for path, v in b.each(*TOEGEWEZEN)
            if v.get("RedenWijziging") == "13" and v.get("Einddatum") is not None
            and v["Einddatum"] != v["Ingangsdatum"]]


def cs336_redenwijziging_niet_01(b: Bericht) -> list[Problem]:
    return [_p("CS336", f"{path}/RedenWijziging", "01", "not 01 (vervallen)",
               "RedenWijziging 01 (administratieve correctie) is vervallen en niet toegestaan",
               "RedenWijziging 01 (administrative correction) is withdrawn and not allowed")
            for path, v in b.each(*TOEGEWEZEN) if v.get("RedenWijziging") == "01"]


def _zelfde_product(a: Values, b: Values) -> bool:
    """The stylesheet's product match of two allocations or requests: the same category and code; or the same
    category when either has no code; or either has no product at all."""
    pa, pb = a.get("Product") or {}, b.get("Product") or {}
    ca, cb, ka, kb = pa.get("Code"), pb.get("Code"), pa.get("Categorie"), pb.get("Categorie")
    return ((ca is not None and cb is not None and ca == cb and ka is not None and kb is not None and ka == kb)
            or ((ca is None or cb is None) and ka is not None and kb is not None and ka == kb)
            or (ca is None and ka is None) or (cb is None and kb is None))


# The iWmo stylesheet lets products of categories 11–14 overlap (TR302, TR386, TR410); the iJw one has no such list.
_MAG_OVERLAPPEN = {"jw": frozenset(), "wmo": frozenset({"11", "12", "13", "14"})}


def _overlappend(b: Bericht, rule: str, items: list[tuple[str, Values]], begin: str, eind: str, nl: str, en: str,
                 ignore: Callable[[Values], bool] = lambda v: False) -> list[Problem]:
    vrij = _MAG_OVERLAPPEN[b.domein]

    def categorie(v: Values) -> Any:
        return (v.get("Product") or {}).get("Categorie")

    out = []
    for i, (path, v) in enumerate(items):
        if ignore(v):
            continue
        for other_path, other in items[:i]:
            if ignore(other) or categorie(v) in vrij or categorie(other) in vrij:
                continue
            if _zelfde_product(v, other) and periodes_overlappen(
                    v.get(begin), v.get(eind), other.get(begin), other.get(eind)):
                out.append(_p(rule, path, f"overlaps {other_path.rsplit('/', 1)[-1]}",
                              "no two matching products with overlapping periods", nl, en))
    return out


def _ingetrokken_of_verwijderd(v: Values) -> bool:
    """TR302 leaves out allocations withdrawn or deleted (RedenWijziging 01 or 13) with end date = start date."""
    return v.get("RedenWijziging") in ("01", "13") and v.get("Einddatum") is not None \
        and v["Einddatum"] == v["Ingangsdatum"]


def tr302_geen_overlappende_toewijzingen(b: Bericht) -> list[Problem]:
    return _overlappend(b, "TR302", list(b.each(*TOEGEWEZEN)), "Ingangsdatum", "Einddatum",
                        "Twee toewijzingen voor hetzelfde product overlappen in tijd",
                        "Two allocations for the same product overlap in time", _ingetrokken_of_verwijderd)


# --------------------------------------------------------------------------- 305 and 307


def cs058_statusaanlevering_1_of_3(b: Bericht) -> list[Problem]:
    klasse = START if b.berichttype == "305" else STOP
    return [_p("CS058", f"{path}/StatusAanlevering", v["StatusAanlevering"], "1 or 3",
               "StatusAanlevering is 1 (eerste aanlevering) of 3 (verwijderen)",
               "StatusAanlevering is 1 (first delivery) or 3 (delete)")
            for path, v in b.each(*klasse) if v["StatusAanlevering"] not in ("1", "3")]


def tr018_einddatum_niet_voor_begindatum(b: Bericht) -> list[Problem]:
    return [_p("TR018", f"{path}/Einddatum", v["Einddatum"], f"on or after {v['Begindatum']}",
               "Einddatum van de zorg ligt voor de begindatum", "The end of care lies before its start")
            for path, v in b.each(*STOP) if v["Begindatum"] > v["Einddatum"]]


# --------------------------------------------------------------------------- 315 and 317


def tr383_referentieaanbieder_uniek(b: Bericht) -> list[Problem]:
    items = list(b.each(*AANGEVRAAGD))
    out = []
    for i, (path, v) in enumerate(items):
        ref = normalize_space(v["ReferentieAanbieder"])
        for _other_path, other in items[:i]:
            if other["ReferentieAanbieder"] == ref:
                out.append(_p("TR383", f"{path}/ReferentieAanbieder", v["ReferentieAanbieder"],
                              "a ReferentieAanbieder used once in the message",
                              "ReferentieAanbieder komt meer dan eens voor",
                              "ReferentieAanbieder occurs more than once"))
    return out


def tr386_geen_overlappende_aanvragen(b: Bericht) -> list[Problem]:
    return _overlappend(b, "TR386", list(b.each(*AANGEVRAAGD)), "ToewijzingIngangsdatum", "ToewijzingEinddatum",
                        "Twee aangevraagde producten voor hetzelfde product overlappen in tijd",
                        "Two requested products for the same product overlap in time")


def tr410_geen_overlappende_nieuwe_producten(b: Bericht) -> list[Problem]:
    return _overlappend(b, "TR410", list(b.each(*NIEUW)), "GewensteIngangsdatum", "Einddatum",
                        "Twee nieuwe producten voor hetzelfde product overlappen in tijd",
                        "Two new products for the same product overlap in time")


def tr352_ongewijzigd_of_te_wijzigen(b: Bericht) -> list[Problem]:
    v = b.values["Client"]["Verzoek"]
    if "OngewijzigdeProducten" in v or "TeWijzigenProducten" in v:
        return []
    return [_p("TR352", "/Bericht/Client/Verzoek", None, "an OngewijzigdProduct or a TeWijzigenProduct",
               "Een verzoek om wijziging noemt de bestaande toewijzingen (ongewijzigd of te wijzigen)",
               "A change request names the existing allocations (unchanged or to change)")]


def tr353_te_wijzigen_of_nieuw(b: Bericht) -> list[Problem]:
    v = b.values["Client"]["Verzoek"]
    if "TeWijzigenProducten" in v or "NieuweProducten" in v:
        return []
    return [_p("TR353", "/Bericht/Client/Verzoek", None, "a TeWijzigenProduct or a NieuwProduct",
               "Een verzoek om wijziging vraagt een wijziging of een nieuw product",
               "A change request asks for a change or a new product")]


def tr380_gewenste_ingangsdatum_na_dagtekening(b: Bericht) -> list[Problem]:
    ref = dagtekening(b.values)
    return [_p("TR380", f"{path}/GewensteIngangsdatum", v["GewensteIngangsdatum"], f"after {ref}",
               "De gewenste ingangsdatum van een nieuw product ligt na de dagtekening",
               "The wanted start of a new product lies after the message date")
            for path, v in b.each(*NIEUW) if not v["GewensteIngangsdatum"] > ref]


# --------------------------------------------------------------------------- 319


def cd085_reden_bij_afwijzing(b: Bericht) -> list[Problem]:
    a = b.values["Antwoord"]
    if a["VerzoekAntwoord"] == "1" and not filled(a.get("RedenAfwijzingVerzoek")):
        return [_p("CD085", "/Bericht/Antwoord/RedenAfwijzingVerzoek", None, "a reason when VerzoekAntwoord is 1",
                   "Bij afwijzing is de reden verplicht", "A rejection needs a reason")]
    return []


def cd086_geen_reden_bij_onderzoek(b: Bericht) -> list[Problem]:
    a = b.values["Antwoord"]
    if a["VerzoekAntwoord"] == "2" and filled(a.get("RedenAfwijzingVerzoek")):
        return [_p("CD086", "/Bericht/Antwoord/RedenAfwijzingVerzoek", a["RedenAfwijzingVerzoek"],
                   "no reason when VerzoekAntwoord is 2 (in onderzoek)",
                   "Een aanvraag in onderzoek heeft geen reden van afwijzing",
                   "A request under investigation has no reason for rejection")]
    return []


def tr377_woonplaatsbeginsel_bij_reden_8(b: Bericht) -> list[Problem]:
    a = b.values["Antwoord"]
    if a.get("RedenAfwijzingVerzoek") == "8" and "Woonplaatsbeginsel" not in a:
        return [_p("TR377", "/Bericht/Antwoord/Woonplaatsbeginsel", None, "Woonplaatsbeginsel with reason 8",
                   "Bij afwijzing op woonplaatsbeginsel wordt de verantwoordelijke gemeente genoemd",
                   "A rejection on the residence principle names the responsible municipality")]
    return []


def tr409_woonplaatsbeginsel_alleen_bij_reden_8(b: Bericht) -> list[Problem]:
    a = b.values["Antwoord"]
    if "RedenAfwijzingVerzoek" in a and a["RedenAfwijzingVerzoek"] != "8" and "Woonplaatsbeginsel" in a:
        return [_p("TR409", "/Bericht/Antwoord/Woonplaatsbeginsel", None, "Woonplaatsbeginsel only with reason 8",
                   "Woonplaatsbeginsel alleen bij afwijzing op woonplaatsbeginsel (reden 8)",
                   "Woonplaatsbeginsel only with a rejection on the residence principle (reason 8)")]
    return []


# --------------------------------------------------------------------------- dates against the Dagtekening

# TR134: the elements the stylesheet holds against the message's Dagtekening, per message type.
_TR134: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "301": [(("Client", "Geboortedatum"), "Datum"), ((*RELATIES, "Geboortedatum"), "Datum"),
            (TOEGEWEZEN, "Toewijzingsdatum")],
    "305": [(("Client", "Geboortedatum"), "Datum"), (START, "Begindatum")],
    "307": [(("Client", "Geboortedatum"), "Datum"), (STOP, "Einddatum")],
    "315": [(("Client", "Geboortedatum"), "Datum")],
    "325": [((*PRESTATIES_325, "ProductPeriode"), "Begindatum")],
}


def tr134_niet_na_dagtekening(b: Bericht) -> list[Problem]:
    ref = dagtekening(b.values)
    out = []
    for klasse, veld in _TR134.get(b.berichttype, []):
        for path, v in b.each(*klasse):
            if veld in v and v[veld] > ref:
                out.append(_p("TR134", f"{path}/{veld}", v[veld], f"on or before {ref}",
                              "Datum ligt na de dagtekening van het bericht", "Date lies after the message date"))
    return out


def tr137_periode_geldig_en_niet_na_dagtekening(b: Bericht) -> list[Problem]:
    """325: each ProductPeriode begins before it ends and ends by the Dagtekening."""
    out = []
    for path, p in b.each(*PRESTATIES_325):
        out += tr137_problemen(f"{path}/ProductPeriode", p["ProductPeriode"]["Begindatum"],
                               p["ProductPeriode"]["Einddatum"], dagtekening(b.values))
    return out


# --------------------------------------------------------------------------- 325


def cd060_vorigreferentienummer_alleen_bij_credit(b: Bericht) -> list[Problem]:
    out = []
    for path, p in b.each(*PRESTATIES_325):
        fout = cd060_probleem(path, p["IngediendBedrag"]["DebetCredit"],
                              p["ProductReferentie"].get("VorigReferentieNummer"))
        if fout:
            out.append(fout)
    return out


def _signed(v: Values, veld: str) -> int:
    return v[veld] if v["DebetCredit"] == "D" else -v[veld]


def tr342_toegekend_klopt(b: Bericht) -> list[Problem]:
    a = b.values.get("DeclaratieAntwoord")
    if a is None:
        return []
    toegekend = _signed(a["TotaalToegekendBedrag"], "TotaalBedrag")
    path = "/Bericht/DeclaratieAntwoord/TotaalToegekendBedrag"
    if any(c not in ("0200", "8001") for c in a["RetourCodes"]["RetourCode"]):
        if toegekend != 0:
            return [_p("TR342", path, toegekend, "0 when the declaration is rejected as a whole",
                       "Bij een afgewezen declaratie is het toegekende bedrag 0",
                       "A rejected declaration is granted 0")]
        return []
    afgewezen = sum(_signed(p["IngediendBedrag"], "Bedrag") for _p_, p in b.each(*PRESTATIES_325))
    ingediend = _signed(a["TotaalIngediendBedrag"], "TotaalBedrag")
    if ingediend - toegekend == afgewezen:
        return []
    return [_p("TR342", path, toegekend, f"{ingediend - afgewezen} (submitted minus the rejected lines)",
               "Toegekend bedrag is niet het ingediende bedrag min de afgewezen prestaties",
               "Granted amount is not the submitted amount minus the rejected lines")]


# --------------------------------------------------------------------------- TR101: no class twice


def _key(v: Values, velden: tuple[tuple[str, ...], ...]) -> tuple:
    out = []
    for veld in velden:
        x: Any = v
        for part in veld:
            x = x.get(part) if isinstance(x, dict) else None
        out.append(x)
    return tuple(out)


# Per message type: the classes TR101 checks among their siblings, and the fields of their logical key.
_TR101: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {
    "301": [(CONTACTEN, (("Soort",),)), (RELATIES, (("Nummer",),)), (TOEGEWEZEN, (("ToewijzingNummer",),))],
    "305": [(START, (("Begindatum",), ("Product", "Categorie"), ("Product", "Code"), ("ToewijzingNummer",)))],
    "307": [(STOP, (("Begindatum",), ("Einddatum",), ("Product", "Categorie"), ("Product", "Code"),
                    ("RedenBeeindiging",), ("ToewijzingNummer",)))],
    "315": [(AANGEVRAAGD, (("ReferentieAanbieder",),))],
    "317": [(NIEUW, (("GewensteIngangsdatum",), ("Product", "Categorie"), ("Product", "Code"))),
            (ONGEWIJZIGD, (("ToewijzingNummer",),)), (TE_WIJZIGEN, (("ToewijzingNummer",),))],
    "325": [(("DeclaratieAntwoord", "Clienten", "Client"), (("Bsn",),))],
}


def tr101_geen_dubbele_klassen(b: Bericht) -> list[Problem]:
    out = []
    groepen = list(_TR101.get(b.berichttype, []))
    if b.berichttype == "325":
        for path, client in b.each("DeclaratieAntwoord", "Clienten", "Client"):
            out += _dubbel(list(_with_paths(path, client["Prestaties"]["Prestatie"], "Prestaties/Prestatie")),
                           (("ProductReferentie", "ReferentieNummer"), ("ProductReferentie", "VorigReferentieNummer")))
    for klasse, velden in groepen:
        out += _dubbel(list(b.each(*klasse)), velden)
    return out


def _with_paths(parent: str, items: list[Values], rel: str) -> Iterator[tuple[str, Values]]:
    for i, v in enumerate(items, 1):
        yield f"{parent}/{rel}[{i}]", v


def _dubbel(items: list[tuple[str, Values]], velden: tuple[tuple[str, ...], ...]) -> list[Problem]:
    """The stylesheet reports a duplicate group once, at its last member; siblings only (the items given share a
    parent)."""
    counts = Counter(_key(v, velden) for _, v in items)
    seen: Counter = Counter()
    out = []
    for path, v in items:
        k = _key(v, velden)
        seen[k] += 1
        if counts[k] > 1 and seen[k] == counts[k]:
            out.append(_p("TR101", path, None, "each class once per message (by its logical key)",
                          "Deze klasse komt meer dan eens voor in het bericht",
                          "This class occurs more than once in the message"))
    return out


# --------------------------------------------------------------------------- which rules apply where

_BASIS = (cs002_bsn_elfproef, tr002_geboortedatum_hooguit_120_jaar, cs139_datum_past_bij_datumgebruik,
          cs050_naamgebruik_past_bij_partnernaam, cd005_postcode_en_landcode_samen, cd025_huisnummer_bij_nederland,
          cs089_nederlandse_postcode, cd007_taal_bij_tolk, cs325_nul_is_debet)
_PRODUCT_REGELS = (cd041_omvang_bij_productcode, cd075_einddatum_bij_budget, cd076_einddatum_bij_frequentie_week,
                   cd077_geen_omvang_bij_budget, cd078_geen_budget_bij_omvang, cd079_product_zonder_budget,
                   cs003_einddatum_niet_voor_begindatum)

REGELS: dict[str, tuple[Callable[[Bericht], list[Problem]], ...]] = {
    "301": _BASIS + _PRODUCT_REGELS + (
        cd080_geen_omvang_zonder_productcode, cs338_eenheid_past_bij_frequentie,
        cd009_periode_alleen_bij_tijdelijk_adres,
        cd034_postcode_bij_brp_of_verblijfadres, tr006_telefoon_of_adres, tr061_contact_met_adressoort,
        cs335_verwijderd_heeft_einddatum_is_ingangsdatum, cs336_redenwijziging_niet_01,
        tr302_geen_overlappende_toewijzingen, tr134_niet_na_dagtekening, tr101_geen_dubbele_klassen),
    "305": (*_BASIS, cs058_statusaanlevering_1_of_3, tr134_niet_na_dagtekening, tr101_geen_dubbele_klassen),
    "307": (*_BASIS, cs058_statusaanlevering_1_of_3, tr018_einddatum_niet_voor_begindatum,
            tr134_niet_na_dagtekening, tr101_geen_dubbele_klassen),
    "315": _BASIS + _PRODUCT_REGELS + (
        cd095_geen_omvang_zonder_productcode, cs343_eenheid_past_bij_frequentie,
        cd043_beschikkingnummer_met_ingangsdatum, cd066_geen_naam_bij_zorgverlenercode,
        cd067_naam_zonder_zorgverlenercode, cd068_zorgverlenercode_alleen_bij_arts, tr383_referentieaanbieder_uniek,
        tr386_geen_overlappende_aanvragen, tr134_niet_na_dagtekening, tr101_geen_dubbele_klassen),
    "317": _BASIS + _PRODUCT_REGELS + (
        cd096_geen_omvang_zonder_productcode, cs338_eenheid_past_bij_frequentie, tr352_ongewijzigd_of_te_wijzigen,
        tr353_te_wijzigen_of_nieuw, tr380_gewenste_ingangsdatum_na_dagtekening,
        tr410_geen_overlappende_nieuwe_producten, tr101_geen_dubbele_klassen),
    "319": (*_BASIS, cd085_reden_bij_afwijzing, cd086_geen_reden_bij_onderzoek),
    "325": (*_BASIS, cd060_vorigreferentienummer_alleen_bij_credit, tr134_niet_na_dagtekening,
            tr137_periode_geldig_en_niet_na_dagtekening, tr342_toegekend_klopt, tr101_geen_dubbele_klassen),
    # Retour messages: only what the stylesheet attaches to basisschema elements.
    **{t: _BASIS for t in ("302", "306", "308", "316", "318", "320")},
}
# Rules on Jeugdwet-only parts (the iWmo stylesheet has no CS318, TR377 or TR409).
REGELS_JW: dict[str, tuple[Callable[[Bericht], list[Problem]], ...]] = {
    "301": (cs318_naamgebruik_van_client_niet_6,),
    "319": (tr377_woonplaatsbeginsel_bij_reden_8, tr409_woonplaatsbeginsel_alleen_bij_reden_8),
}


def regels(domein: str, berichttype: str) -> tuple[Callable[[Bericht], list[Problem]], ...]:
    return REGELS.get(berichttype, ()) + (REGELS_JW.get(berichttype, ()) if domein == "jw" else ())

