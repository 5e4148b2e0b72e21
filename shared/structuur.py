"""Control level 1 (structure): the element tree of each message with order, cardinality, data types and facets
of the basisschema, checked in one pass that also extracts the values.

Written from the standard's documentation (domain brief §4–§6, §10); the official XSDs are only used as an
oracle in the tests, never loaded here. XML Schema semantics that matter for agreement with a validating parser:
integers and dates are whitespace-collapsed (" 12 " and "+12" are valid integers), strings are not (" D" is not
a DebetCredit); comments are ignored; unknown elements, attributes (other than xsi:schemaLocation) and text
between elements are errors.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from lxml import etree

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_SPACE = " \t\r\n"  # XML whitespace; str.isspace() would also accept e.g. a no-break space
_ALLOWED_ATTRS = {f"{{{_XSI}}}schemaLocation", f"{{{_XSI}}}noNamespaceSchemaLocation"}


# --------------------------------------------------------------------------- simple types

@dataclass(frozen=True)
class Simple:
    """A simple type: returns (value, None) when valid, else (None, what was expected)."""

    name: str
    check: Callable[[str], tuple[Any, str | None]]
    rule: str = "XSD"  # the rule id reported when the value is invalid
    pytype: type = str  # the Python type check() returns: what typed models and the writer use


_INT = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?")


def integer(name: str, lo: int, hi: int, fixed: str | None = None) -> Simple:
    expected = f"whole number {lo}–{hi}" if fixed is None else fixed

    def check(text: str):
        v = text.strip(" \t\r\n")
        if not _INT.fullmatch(v) or (fixed is not None and v != fixed):
            return None, expected
        n = int(v)
        return (n, None) if lo <= n <= hi else (None, expected)

    return Simple(name, check, pytype=int)


def string(name: str, min_len: int = 1, max_len: int | None = None, pattern: str | None = None,
           expected: str | None = None, rule: str = "XSD") -> Simple:
    rx = re.compile(pattern) if pattern else None
    exp = expected or (f"{min_len}–{max_len} characters" if max_len else f"at least {min_len} character(s)")

    def check(text: str):
        if len(text) < min_len or (max_len is not None and len(text) > max_len):
            return None, exp
        if rx is not None and not rx.fullmatch(text):
            return None, exp
        return text, None

    return Simple(name, check, rule)


def enum(name: str, values, expected: str) -> Simple:
    allowed = frozenset(values)

    def check(text: str):
        return (text, None) if text in allowed else (None, expected)

    return Simple(name, check)


def _date_check(text: str):
    v = text.strip(" \t\r\n")
    m = _DATE.fullmatch(v)  # no time zone (RS032: pattern [^:Z]*)
    if not m:
        return None, "date YYYY-MM-DD without time zone"
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), None
    except ValueError:
        return None, "an existing calendar date"


def _time_check(text: str):
    v = text.strip(" \t\r\n")
    m = _TIME.fullmatch(v)
    if m and m[1] == "24" and m[2] == m[3] == "00" and not (m[4] or ".0").strip(".0"):
        # XML Schema 1.0 allows 24:00:00, the end of the day. Read as the last representable moment of that day,
        # so that it still orders after every other time of the date (Toewijzingstijd, IV013).
        return dt.time(23, 59, 59, 999_999), None
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3]) > 59:
        return None, "time hh:mm:ss without time zone"
    return dt.time(int(m[1]), int(m[2]), int(m[3])), None


DATUM = Simple("LDT_Datum", _date_check, pytype=dt.date)
TIJD = Simple("LDT_Tijd", _time_check, pytype=dt.time)
AGB = string("LDT_AgbCode", 1, 8, r"[0-9]{8}", "AGB code: 8 digits")
GEMEENTE = string("LDT_Gemeente", 1, None, r"[0-9]{4}", "CBS municipality code: 4 digits")
# XML Schema regexes differ from Python's: "." excludes CR as well as LF, and "\s" is only space, tab, CR, LF.
NOT_BLANK = r"[^\n\r]*[^ \t\n\r][^\n\r]*"  # the XSD pattern .*[^\s].*
IDENTIFICATIE = string("LDT_IdentificatieBericht", 1, 12, NOT_BLANK, "1–12 characters, not blank")
IDENTIFICATIE_DECLARATIE = string("LDT_IdentificatieDeclaratie", 1, 12)
VERSIE = string("LDT_Versie", 1, None, r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", "version n.n.n")
BSN = string("LDT_BurgerServicenummer", 1, 9, r"[0-9]{9}", "9 digits")
NUMMER = integer("LDT_Nummer", 0, 999_999_999)
REFERENTIENUMMER = string("LDT_ReferentieNummer", 1, 20)
PRODUCTCODE = string("LDT_ProductCode", 1, 5, NOT_BLANK, "1–5 characters, not blank")
VOLUME = integer("LDT_Volume", 0, 99_999_999)
BEDRAG = integer("LDT_Bedrag", 0, 99_999_999)
TOTAALBEDRAG = integer("LDT_TotaalBedrag", 0, 999_999_999_999)
DEBETCREDIT = enum("LDT_DebetCredit", ("D", "C"), "D or C")
EENHEID = enum("LDT_Eenheid", ("01", "04", "14", "16", "82", "83", "84"), "Eenheid code (WJ756)")
RETOURCODES = ("0001", "0200", "0233", "0611", "8001", "8017", "8021", "8187", "8214", "8848", "9019", "9056", "9063",
               "9069", "9071", "9074", "9307", "9308", "9319", "9321", "9322", "9326", "9332", "9333", "9338", "9339",
               "9340", "9341", "9346", "9347", "9349", "9350", "9351", "9355", "9357", "9359", "9360", "9361", "9365",
               "9366", "9367", "9369", "9373", "9374", "9375", "9379", "9384", "9385", "9387", "9388", "9389", "9390",
               "9411", "9412", "9413", "9414", "9415", "S300", "S329")
RETOURCODE = enum("LDT_RetourCode", RETOURCODES, "RetourCode (WJ001)")
PRODUCTCATEGORIE = {
    "jw": enum("LDT_ProductCategorie", ("31", "32", "33", "34", "35", "36", "37", "38", *map(str, range(40, 56))),
               "product category of JZ020 (iJw)"),
    "wmo": enum("LDT_ProductCategorie", (f"{i:02d}" for i in range(1, 19)), "product category of WMO020 (iWmo)"),
}


LANDCODES = ("AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW "
             "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI "
             "FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN "
             "IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
             "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF "
             "PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
             "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE "
             "YT ZA ZM ZW").split()


def _commentaar_check(text: str):
    # XSD pattern ([.\s]*\S+[.\s]*)+ : any text with at least one character that is not XML whitespace.
    return (text, None) if text.strip(" \t\r\n") else (None, "text that is not only whitespace")


def codes(name: str, values: str, expected: str) -> Simple:
    return enum(name, values.split(), expected)


def not_blank(name: str, max_len: int) -> Simple:
    return string(name, 1, max_len, NOT_BLANK, f"1–{max_len} characters, not blank")


COMMENTAAR = Simple("LDT_Commentaar", _commentaar_check)
NAAM = not_blank("LDT_Naam", 200)
VOORLETTERS = string("LDT_Voorletters", 1, 6, r"[a-zA-ZÀ-ỳ]+", "1–6 letters")
TELEFOONNUMMER = string("LDT_Telefoonnummer", 1, 15, r"[0-9]*", "1–15 digits")
LANDCODE = enum("LDT_LandCode", LANDCODES, "ISO 3166 country code")
FREQUENTIE = codes("LDT_Frequentie", "1 2 4 6", "Frequentie code (WMO757)")
BUDGET = integer("LDT_Budget", 0, 99_999_999)
REDENWIJZIGING = codes("LDT_RedenWijziging", "01 02 03 04 05 06 07 08 09 10 11 12 13 14", "RedenWijziging code")
GESLACHT = codes("LDT_Geslacht", "0 1 2", "Geslacht code 0, 1 or 2")


# --------------------------------------------------------------------------- element trees

@dataclass(frozen=True)
class E:
    """An element of a sequence. `type` is a Simple, a tuple of child elements, or a per-domain Simple
    (dict). `basis` says the element lives in the basisschema namespace."""

    name: str
    type: Any
    min: int = 1
    max: int | None = 1
    basis: bool = False

    @property
    def repeated(self) -> bool:
        return self.max is None or self.max > 1


def _b(name: str, type_: Any, **kw) -> E:
    return E(name, type_, basis=True, **kw)


BERICHT_IDENTIFICATIE = (_b("Identificatie", IDENTIFICATIE), _b("Dagtekening", DATUM))
XSD_VERSIE = (_b("BasisschemaXsdVersie", VERSIE), _b("BerichtXsdVersie", VERSIE))
GESLOTEN_PERIODE = (_b("Begindatum", DATUM), _b("Einddatum", DATUM))
TOTAALBEDRAG_MET_DC = (_b("TotaalBedrag", TOTAALBEDRAG), _b("DebetCredit", DEBETCREDIT))
BEDRAG_MET_DC = (_b("Bedrag", BEDRAG), _b("DebetCredit", DEBETCREDIT))
REFERENTIE = (_b("ReferentieNummer", REFERENTIENUMMER), _b("VorigReferentieNummer", REFERENTIENUMMER, min=0))
RETOUR_CODES = (E("RetourCode", RETOURCODE, max=None),)


def _header_start(berichttype: str, codes: dict[str, str], afzender: Simple, ontvanger: Simple) -> tuple[E, ...]:
    return (
        E("BerichtCode", {d: string("LDT_BerichtCode", 1, 3, re.escape(c[berichttype]), c[berichttype], "RS010")
                          for d, c in codes.items()}),
        E("BerichtVersie", integer("LDT_BerichtVersie", 0, 99, fixed="3")),
        E("BerichtSubversie", integer("LDT_BerichtSubversie", 0, 99, fixed="2")),
        E("Afzender", afzender),
        E("Ontvanger", ontvanger),
        E("BerichtIdentificatie", BERICHT_IDENTIFICATIE),
        E("XsdVersie", XSD_VERSIE),
    )


def _prestatie_323() -> tuple[E, ...]:
    return (
        E("ProductReferentie", REFERENTIE),
        E("ToewijzingNummer", NUMMER),
        E("ProductCategorie", PRODUCTCATEGORIE),
        E("ProductCode", PRODUCTCODE),
        E("ProductPeriode", GESLOTEN_PERIODE),
        E("GeleverdVolume", VOLUME),
        E("Eenheid", EENHEID),
        E("ProductTarief", BEDRAG, min=0),
        E("IngediendBedrag", BEDRAG_MET_DC),
    )


NAAM_301 = (
    E("Geslachtsnaam", (_b("Achternaam", NAAM), _b("Voorvoegsel", not_blank("LDT_Voorvoegsel", 10), min=0)), basis=True),
    E("Partnernaam", (_b("Achternaam", NAAM), _b("Voorvoegsel", not_blank("LDT_Voorvoegsel", 10), min=0)),
      basis=True, min=0),
    _b("Voornamen", NAAM, min=0),
    _b("Voorletters", VOORLETTERS, min=0),
    _b("NaamGebruik", codes("LDT_NaamGebruik", "1 2 3 4 5 6", "NaamGebruik code")),
)
GEBOORTEDATUM = (_b("Datum", DATUM), _b("DatumGebruik", codes("LDT_DatumGebruik", "1 2 3", "DatumGebruik code"), min=0))
TELEFOON = (_b("Telefoonnummer", TELEFOONNUMMER), _b("Landnummer", not_blank("LDT_Landnummer", 4)))
ADRES = (
    E("Huis", (_b("Huisnummer", integer("LDT_Huisnummer", 0, 99_999)), _b("Huisletter", not_blank("LDT_Huisletter", 1), min=0),
               _b("HuisnummerToevoeging", not_blank("LDT_HuisnummerToevoeging", 4), min=0),
               _b("AanduidingWoonadres", codes("LDT_AanduidingWoonadres", "AB BY TO WW", "AanduidingWoonadres code"),
                  min=0)), basis=True, min=0),
    _b("Postcode", not_blank("LDT_Postcode", 8), min=0),
    _b("Straatnaam", not_blank("LDT_Straatnaam", 24), min=0),
    _b("Plaatsnaam", not_blank("LDT_Plaatsnaam", 80), min=0),
    _b("LandCode", LANDCODE, min=0),
)
CONTACT = (
    E("Soort", codes("LDT_AdresSoort", "01 02 03 04", "AdresSoort code")),
    E("Adres", ADRES, min=0),
    E("Organisatie", not_blank("LDT_Organisatienaam", 35), min=0),
    E("Telefoon", (E("Telefoon01", TELEFOON, basis=True), E("Telefoon02", TELEFOON, basis=True, min=0)), min=0),
    E("Emailadres", not_blank("LDT_Emailadres", 80), min=0),
    E("Periode", (_b("Begindatum", DATUM, min=0), _b("Einddatum", DATUM, min=0)), min=0),
)
TOEGEWEZEN_PRODUCT = (
    E("ToewijzingNummer", NUMMER),
    E("ReferentieAanbieder", not_blank("LDT_Referentie", 36), min=0),
    E("Product", (_b("Categorie", PRODUCTCATEGORIE), _b("Code", PRODUCTCODE, min=0)), min=0),
    E("Toewijzingsdatum", DATUM),
    E("Toewijzingstijd", TIJD),
    E("Ingangsdatum", DATUM),
    E("Einddatum", DATUM, min=0),
    E("RedenWijziging", REDENWIJZIGING, min=0),
    E("Omvang", (_b("Volume", VOLUME), _b("Eenheid", EENHEID), _b("Frequentie", FREQUENTIE)), min=0),
    E("Budget", BUDGET, min=0),
    E("Commentaar", COMMENTAAR, min=0),
)


def structures(berichtcodes: dict[str, dict[str, str]]) -> dict[str, tuple[E, ...]]:
    """Root sequences per message type (the children of Bericht)."""
    # CS319 is a pattern on DeclaratieNummer in the 323 XSD (letters and digits only).
    declaratienummer_323 = string("LDT_IdentificatieDeclaratie", 1, 12, r"[a-zA-Z0-9]+", "1–12 letters or digits",
                                  "CS319")
    return {
        "301": (
            E("Header", _header_start("301", berichtcodes, GEMEENTE, AGB)),
            E("Client", (
                E("Bsn", BSN),
                E("Geboortedatum", GEBOORTEDATUM),
                E("Geslacht", GESLACHT),
                E("Naam", NAAM_301),
                E("Communicatie", (_b("Vorm", codes("LDT_Communicatievorm", "1 2 3", "Communicatievorm code")),
                                   _b("Taal", not_blank("LDT_Taal", 25), min=0)), min=0),
                E("JuridischeStatus", codes("LDT_JuridischeStatus", "01 02 03 04 05 11 12", "JuridischeStatus code"),
                  min=0),
                E("WettelijkeVertegenwoordiging", codes("LDT_WettelijkeVertegenwoordiging", "06 07 08 09 10",
                                                        "WettelijkeVertegenwoordiging code"), min=0),
                E("Commentaar", COMMENTAAR, min=0),
                E("Relaties", (E("Relatie", (
                    E("Nummer", not_blank("LDT_Persoonsid", 20)),
                    E("Volgorde", integer("LDT_RelatieVolgorde", 0, 99), min=0),
                    E("Soort", enum("LDT_SoortRelatie", (f"{i:02d}" for i in range(3, 26)), "SoortRelatie code")),
                    E("Geboortedatum", GEBOORTEDATUM, min=0),
                    E("Geslacht", GESLACHT, min=0),
                    E("Naam", NAAM_301),
                    E("Contact", CONTACT),
                ), max=None),), min=0),
                E("Contactgegevens", (E("Contact", CONTACT, max=None),)),
                E("ToegewezenProducten", (E("ToegewezenProduct", TOEGEWEZEN_PRODUCT, max=None),)),
            )),
        ),
        "323": (
            E("Header", _header_start("323", berichtcodes, AGB, GEMEENTE)),
            E("Declaratie", (
                E("DeclaratieNummer", declaratienummer_323),
                E("DeclaratiePeriode", GESLOTEN_PERIODE),
                E("DeclaratieDagtekening", DATUM),
                E("TotaalIngediendBedrag", TOTAALBEDRAG_MET_DC),
                E("Clienten", (E("Client", (E("Bsn", BSN), E("Prestaties", (
                    E("Prestatie", _prestatie_323(), max=None),))), max=None),)),
            )),
        ),
        "325": (
            E("Header", _header_start("325", berichtcodes, GEMEENTE, AGB) + (
                E("DeclaratieIdentificatie", BERICHT_IDENTIFICATIE),
                E("XsltVersie", VERSIE, min=0),
                E("XsdVersieDeclaratie", XSD_VERSIE),
                E("RetourCodes", RETOUR_CODES),
            )),
            E("DeclaratieAntwoord", (
                E("DeclaratieNummer", IDENTIFICATIE_DECLARATIE),
                E("TotaalIngediendBedrag", TOTAALBEDRAG_MET_DC),
                E("TotaalToegekendBedrag", TOTAALBEDRAG_MET_DC),
                E("Clienten", (E("Client", (E("Bsn", BSN), E("Prestaties", (
                    E("Prestatie", _prestatie_323() + (E("RetourCodes", RETOUR_CODES),), max=None),)),
                    E("RetourCodes", RETOUR_CODES)), max=None),), min=0),
                E("RetourCodes", RETOUR_CODES),
            ), min=0),
        ),
    }


# --------------------------------------------------------------------------- the walk

@dataclass
class Finding:
    rule: str
    path: str
    line: int | None
    found: str | None
    expected: str
    nl: str
    en: str


# Compiled form of an element, per domain and namespace, so that the hot loop does no attribute lookups:
# (tag, name, min, max or None, repeated, children (tuple of nodes) or None, simple type or None)
Node = tuple


def compile_sequence(spec: tuple[E, ...], domein: str, ns: str, basis: str) -> tuple[Node, ...]:
    nodes = []
    for e in spec:
        tag = f"{{{basis if e.basis else ns}}}{e.name}"
        if isinstance(e.type, tuple):
            nodes.append((tag, e.name, e.min, e.max, e.repeated, compile_sequence(e.type, domein, ns, basis), None))
        else:
            simple = e.type[domein] if isinstance(e.type, dict) else e.type
            nodes.append((tag, e.name, e.min, e.max, e.repeated, None, simple))
    return tuple(nodes)


def path_of(el: etree._Element) -> str:
    """/Bericht/Declaratie/Clienten/Client[2]/… computed from the tree, only when a problem is reported."""
    parts = []
    while el is not None:
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is not None:
            same = [k for k in parent if k.tag == el.tag]
            if len(same) > 1 or name in _REPEATED_NAMES:
                name = f"{name}[{same.index(el) + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


_REPEATED_NAMES = {"Client", "Prestatie", "RetourCode"}


@dataclass
class Walker:
    """Walks one document against compiled nodes (see compile_sequence), collecting every finding."""

    findings: list[Finding] = field(default_factory=list)

    def _add(self, rule: str, path: str, line: int | None, found: str | None, expected: str, nl: str, en: str):
        self.findings.append(Finding(rule, path, line, found, expected, nl, en))

    def _attrs(self, el: etree._Element) -> None:
        for attr in el.attrib:
            if attr not in _ALLOWED_ATTRS:
                self._add("XSD", f"{path_of(el)}/@{etree.QName(attr).localname}", el.sourceline, attr,
                          "no attributes", "Attribuut is niet toegestaan", "Attribute is not allowed")

    def _loose_text(self, el: etree._Element, text: str) -> None:
        self._add("XSD", path_of(el), el.sourceline, text.strip()[:40], "only child elements",
                  "Tekst tussen elementen is niet toegestaan", "Text between elements is not allowed")

    def sequence(self, el: etree._Element, nodes: tuple[Node, ...]) -> dict[str, Any]:
        if el.attrib:
            self._attrs(el)
        text = el.text
        if text and text.strip(_XML_SPACE):
            self._loose_text(el, text)
        kids = list(el.iterchildren(etree.Element))  # elements only: comments and PIs are ignored
        n = len(kids)
        out: dict[str, Any] = {}
        i = 0
        for tag, name, lo, hi, repeated, children, simple in nodes:
            values = []
            while i < n and kids[i].tag == tag and (hi is None or len(values) < hi):
                k = kids[i]
                tail = k.tail
                if tail and tail.strip(_XML_SPACE):
                    self._loose_text(el, tail)
                values.append(self.sequence(k, children) if children is not None else self._value(k, name, simple))
                i += 1
            if len(values) < lo:
                where = kids[i] if i < n else el
                self._add("XSD", f"{path_of(el)}/{name}", where.sourceline, None, f"element {name}",
                          f"Verplicht element {name} ontbreekt (of staat niet op zijn plaats)",
                          f"Required element {name} is missing (or out of place)")
            if repeated:
                out[name] = values
            elif values:
                out[name] = values[0]
        for k in kids[i:]:
            q = etree.QName(k)
            self._add("XSD", f"{path_of(el)}/{q.localname}", k.sourceline, q.localname,
                      "no element here (see the message's element order)",
                      f"Element {q.localname} is hier niet toegestaan", f"Element {q.localname} is not allowed here")
        return out

    def _value(self, el: etree._Element, name: str, t: Simple) -> Any:
        if el.attrib:
            self._attrs(el)
        if len(el):
            if any(True for _ in el.iterchildren(etree.Element)):
                self._add("XSD", path_of(el), el.sourceline, None, t.name, f"{name} mag geen elementen bevatten",
                          f"{name} may not contain elements")
                return None
            text = "".join(el.itertext())  # comments and PIs inside a value are ignored
        else:
            text = el.text or ""
        if text == "":
            self._add("RS033", path_of(el), el.sourceline, "", t.name, f"Element {name} is leeg",
                      f"Element {name} is empty")
            return None
        value, expected = t.check(text)
        if expected is not None:
            shown = "***" if name == "Bsn" else text[:80]  # never echo a BSN
            self._add(t.rule, path_of(el), el.sourceline, shown, expected, f"{name} heeft geen geldige waarde",
                      f"{name} has an invalid value")
        return value
