"""Reading iJw/iWmo messages: hardened XML parsing, the message kind from the root namespace, level 1 by the
official XSD (niveau1.py), and the values read out by the XSD's own element tree.

Parsing rules: no DTDs, no entities, no network, a size limit (OP179: 25 MB), the default depth and text-size
guards of libxml2, and UTF-8 only (OP192). The domain, message type and release come from the root element's
namespace, never from content.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any, cast

from lxml import etree

from ..models import (
    Client,
    Declaratie,
    Declaratiebericht,
    Domein,
    Header,
    Omvang,
    Periode,
    Prestatie,
    Toewijzing,
    Toewijzingsbericht,
)
from .niveau1 import validate
from .problemen import ParseError, problem
from .release import Berichtsoort, soort_van_namespace
from .xsd import Element

MAX_BERICHT_BYTES = 25 * 1024 * 1024  # OP179; the hubs enforce the same limit

# Always read as UTF-8 (OP192): libxml2 would otherwise follow the declaration or guess UTF-16/UCS-4/EBCDIC from
# the first bytes, and a UTF-16 document slips its <!DOCTYPE past the byte check below.
_PARSER_OPTIES = {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
                  "huge_tree": False, "encoding": "utf-8"}
# One pair of parsers per thread: messages are read in a thread pool, and one parser shared by threads at once now
# and then failed a well-formed message (tests/istandaard/test_threads.py).
_per_thread = threading.local()


def _parser(zonder_wit: bool) -> etree.XMLParser:
    """`zonder_wit`: drop the whitespace between elements: ~15% less to parse and a tree whose children are all
    elements, which the 323 reader uses. Only for a message without comments, processing instructions, CDATA or
    character references: those are the ways a value's whitespace could be mistaken for the space between elements
    (libxml2 keeps whitespace that is all of a leaf's text)."""
    parsers = getattr(_per_thread, "parsers", None)
    if parsers is None:
        parsers = _per_thread.parsers = (etree.XMLParser(**_PARSER_OPTIES, remove_blank_text=False),
                                         etree.XMLParser(**_PARSER_OPTIES, remove_blank_text=True))
    return parsers[zonder_wit]


def _alleen_elementen(data: bytes) -> bool:
    """No comment, CDATA section, character reference or processing instruction other than the declaration.
    Searched for by their rare bytes ("!", "?", "&#"): one memchr each, where "<!--" would stop at every "<"."""
    start = data.find(b"?>", 0, 200) + 2 if data.startswith(b"<?xml") else 0
    return b"!" not in data and data.find(b"?", start) == -1 and b"&#" not in data
_ENCODING_DECL = re.compile(rb"<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_ANDERE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (and UTF-32 LE), UTF-32 BE


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes as XML with every dangerous feature off. Raises ParseError."""
    if len(data) > MAX_BERICHT_BYTES:
        raise ParseError([problem("OP179", "/", None, f"{len(data)} bytes", f"≤ {MAX_BERICHT_BYTES} bytes",
                                  "Bericht is groter dan 25 MB", "Message exceeds 25 MB")])
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError([problem("OP192", "/", 1, "UTF-8 BOM", "UTF-8 without BOM",
                                  "Bestand begint met een BOM", "File starts with a byte order mark")])
    declared = _ENCODING_DECL.match(data, 0, 200)
    if data.startswith(_ANDERE_BOMS) or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        found = declared.group(1).decode("ascii", "replace")[:40] if declared else "UTF-16/UTF-32 byte order mark"
        raise ParseError([problem("OP192", "/", 1, found, "UTF-8", "Bericht is niet in UTF-8 gecodeerd",
                                  "Message is not encoded in UTF-8")])
    # A DTD is never part of an iJw/iWmo message; refusing it outright closes XXE and entity bombs.
    if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise ParseError([problem("XML-DTD", "/", None, "<!DOCTYPE/ENTITY>", "no DTD or entity declarations",
                                  "DTD of entiteiten zijn niet toegestaan", "DTDs and entities are not allowed")])
    try:
        root = etree.fromstring(data, _parser(_alleen_elementen(data)))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise ParseError([problem("XML", "/", line, None, "well-formed UTF-8 XML",
                                  f"Geen geldige XML: {exc.msg}", f"Not well-formed XML: {exc.msg}")]) from None
    if root is None:
        raise ParseError([problem("XML", "/", None, None, "an XML document", "Leeg document", "Empty document")])
    return root


def detect(root: etree._Element) -> Berichtsoort:
    """The message kind (release, domain, type) from the root element's namespace."""
    qn = etree.QName(root)
    soort = soort_van_namespace(qn.namespace)
    if qn.localname != "Bericht" or soort is None:
        raise ParseError([problem("NS", f"/{qn.localname}", root.sourceline, qn.namespace or "(geen/none)",
                                  "root Bericht in an iJw/iWmo message namespace of a release this back office knows",
                                  "Onbekend berichttype (namespace van het root-element)",
                                  "Unknown message type (namespace of the root element)")])
    return soort


def read_bericht(data: bytes) -> tuple[str, str, etree._Element]:
    """(domein, berichttype, root) of a well-formed message of a known kind; level 1 is not checked yet."""
    root = parse_xml(data)
    soort = detect(root)
    return soort.domein, soort.berichttype, root


def read_expected(data: bytes, expected: str) -> tuple[str, etree._Element]:
    """(domein, root) of a message that must be of the expected type."""
    domein, berichttype, root = read_bericht(data)
    if berichttype != expected:
        raise ParseError([problem("TYPE", "/Bericht", root.sourceline, berichttype, expected,
                                  f"Verwacht een {expected}, ontvangen {berichttype}",
                                  f"Expected a {expected}, received a {berichttype}")], domein, berichttype)
    return domein, root


# --------------------------------------------------------------------------- values by the XSD's element tree


def _text(el: etree._Element) -> str:
    # Comments and processing instructions inside a value are not part of it (the XSD sees the same).
    return (el.text or "") if len(el) == 0 else "".join(el.itertext())


class _YearOutOfRange(Exception):
    def __init__(self, el: etree._Element):
        self.el = el


def _read(el: etree._Element, decl: Element) -> dict[str, Any]:
    out: dict[str, Any] = {c.name: [] for c in decl.children or () if c.repeated}
    by_tag = decl.by_tag
    for kid in el:
        d = by_tag.get(kid.tag)
        if d is None:
            continue  # a comment or processing instruction: the XSD allowed nothing else
        if d.children is not None:
            value: Any = _read(kid, d)
        else:
            try:
                value = d.type.convert(_text(kid))  # type: ignore[union-attr]
            except ValueError:
                raise _YearOutOfRange(kid) from None
        if d.repeated:
            out[d.name].append(value)
        else:
            out[d.name] = value
    return out


def _year_problem(exc: _YearOutOfRange, soort: Berichtsoort) -> ParseError:
    from .niveau1 import path_of

    el = exc.el
    return ParseError([problem("JAAR", path_of(el), el.sourceline, (el.text or "").strip()[:40],
                               "a date in the years 0001–9999",
                               "Datum valt buiten de jaren 1 tot en met 9999",
                               "Date lies outside the years 1 to 9999")], soort.domein, soort.berichttype)


def values_of(root: etree._Element, soort: Berichtsoort) -> dict[str, Any]:
    """The message's values (element names as keys, lists for repeated elements, absent optional elements left
    out), typed by the XSD: int, datetime.date, datetime.time or str. The message must have passed level 1."""
    try:
        return _read(root, soort.schema.root)
    except _YearOutOfRange as exc:
        raise _year_problem(exc, soort) from None


def validate_structure(root: etree._Element, domein: str, berichttype: str, size: int | None = None) -> dict:
    """Level 1 by the official XSD, then the values. Raises ParseError listing the problems."""
    soort = detect(root)
    if (soort.domein, soort.berichttype) != (domein, berichttype):
        raise ParseError([problem("TYPE", "/Bericht", root.sourceline, soort.berichttype, berichttype,
                                  f"Verwacht een {berichttype}, ontvangen {soort.berichttype}",
                                  f"Expected a {berichttype}, received a {soort.berichttype}")],
                         soort.domein, soort.berichttype)
    validate(root, soort, size)
    return values_of(root, soort)


def lees(data: bytes) -> tuple[Berichtsoort, etree._Element, dict[str, Any]]:
    """Any message: parsed, checked at level 1 and read. Raises ParseError."""
    root = parse_xml(data)
    soort = detect(root)
    validate(root, soort, len(data))
    return soort, root, values_of(root, soort)


# --------------------------------------------------------------------------- the 301 and 323 as domain models


def header_from(h: dict) -> Header:
    return Header.model_construct(
        berichtcode=h["BerichtCode"], berichtversie=h["BerichtVersie"], berichtsubversie=h["BerichtSubversie"],
        afzender=h["Afzender"], ontvanger=h["Ontvanger"], identificatie=h["BerichtIdentificatie"]["Identificatie"],
        dagtekening=h["BerichtIdentificatie"]["Dagtekening"],
        basisschema_xsd_versie=h["XsdVersie"]["BasisschemaXsdVersie"],
        bericht_xsd_versie=h["XsdVersie"]["BerichtXsdVersie"])


def toewijzingsbericht_van(v: dict, domein: str) -> Toewijzingsbericht:
    """The allocations of a 301's values (names, addresses and relations stay in the archived message)."""
    client = v["Client"]
    toewijzingen = []
    for t in client["ToegewezenProducten"]["ToegewezenProduct"]:
        product, omvang = t.get("Product") or {}, t.get("Omvang")
        toewijzingen.append(Toewijzing(
            toewijzingnummer=t["ToewijzingNummer"], referentie_aanbieder=t.get("ReferentieAanbieder"),
            productcategorie=product.get("Categorie"), productcode=product.get("Code"),
            toewijzingsdatum=t["Toewijzingsdatum"], toewijzingstijd=t["Toewijzingstijd"],
            ingangsdatum=t["Ingangsdatum"], einddatum=t.get("Einddatum"), reden_wijziging=t.get("RedenWijziging"),
            omvang=Omvang(volume=omvang["Volume"], eenheid=omvang["Eenheid"], frequentie=omvang["Frequentie"])
            if omvang else None,
            budget=t.get("Budget")))
    return Toewijzingsbericht(domein=domein, header=header_from(v["Header"]), bsn=client["Bsn"],
                              toewijzingen=toewijzingen)


def toewijzingsbericht_from(root: etree._Element, domein: str) -> Toewijzingsbericht:
    return toewijzingsbericht_van(validate_structure(root, domein, "301"), domein)


def parse_301(data: bytes) -> Toewijzingsbericht:
    """Parse a 301 Toewijzingsbericht (level 1). Raises ParseError with every structural problem found."""
    domein, root = read_expected(data, "301")
    return toewijzingsbericht_van(validate_structure(root, domein, "301", len(data)), domein)


_VORIG = "VorigReferentieNummer"


def _prestaties_snel(prestaties_el: etree._Element, perioden: dict) -> list[Prestatie]:
    """The lines of one Prestaties element, read by position: after level 1 a Prestatie's children are, in the
    XSD's order, ProductReferentie (ReferentieNummer, VorigReferentieNummer?), ToewijzingNummer, ProductCategorie,
    ProductCode, ProductPeriode (Begindatum, Einddatum), GeleverdVolume, Eenheid, ProductTarief?, IngediendBedrag
    (Bedrag, DebetCredit). Only for a tree whose children are all elements (_alleen_elementen). This is the hot
    path of every declaration: no tag is looked at and no intermediate value made."""
    out: list[Prestatie] = []
    append = out.append
    for p in prestaties_el:
        kids = p.getchildren()
        ref = kids[0].getchildren()
        periode = kids[4].getchildren()
        key = (periode[0].text, periode[1].text)
        per = perioden.get(key)
        if per is None:
            per = perioden[key] = Periode(_date_van(key[0]), _date_van(key[1]))
        if len(kids) == 8:
            tarief = None
            bedrag = kids[7].getchildren()
        else:
            tarief = int(kids[7].text)
            bedrag = kids[8].getchildren()
        append(Prestatie(ref[0].text, int(kids[1].text), kids[2].text, kids[3].text, per, int(kids[5].text),
                         kids[6].text, int(bedrag[0].text), bedrag[1].text,
                         ref[1].text if len(ref) == 2 else None, tarief))
    return out


def _date_van(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip(" \t\r\n"))


def _clienten_snel(clienten_el: etree._Element) -> list[Client]:
    perioden: dict = {}
    return [Client(bsn.text, _prestaties_snel(prestaties, perioden)) for bsn, prestaties in clienten_el]


def _periode(v: dict) -> Periode:
    return Periode(v["Begindatum"], v["Einddatum"])


def _clienten_van(d: dict) -> list[Client]:
    """The lines from the values read by the element tree (any tree: with comments, CDATA, …)."""
    clienten = []
    for c in d["Clienten"]["Client"]:
        prestaties = []
        for p in c["Prestaties"]["Prestatie"]:
            ref, bedrag = p["ProductReferentie"], p["IngediendBedrag"]
            prestaties.append(Prestatie(
                ref["ReferentieNummer"], p["ToewijzingNummer"], p["ProductCategorie"], p["ProductCode"],
                _periode(p["ProductPeriode"]), p["GeleverdVolume"], p["Eenheid"], bedrag["Bedrag"],
                bedrag["DebetCredit"], ref.get("VorigReferentieNummer"), p.get("ProductTarief")))
        clienten.append(Client(c["Bsn"], prestaties))
    return clienten


def declaratiebericht_van_waarden(v: dict, domein: Domein) -> Declaratiebericht:
    """The 323 as a domain model from its values (values_of)."""
    d = v["Declaratie"]
    totaal = d["TotaalIngediendBedrag"]
    return Declaratiebericht.model_construct(domein=domein, header=header_from(v["Header"]), declaratie=(
        Declaratie.model_construct(
            declaratienummer=d["DeclaratieNummer"], declaratieperiode=_periode(d["DeclaratiePeriode"]),
            declaratiedagtekening=d["DeclaratieDagtekening"], totaal_ingediend_bedrag=totaal["TotaalBedrag"],
            totaal_debet_credit=totaal["DebetCredit"], clienten=_clienten_van(d))))


def declaratiebericht_van(root: etree._Element, soort: Berichtsoort, data: bytes | None = None) -> Declaratiebericht:
    """The 323 as a domain model. The message must have passed level 1. With the bytes it was parsed from, and
    when those hold only elements, the lines are read by position (fast); otherwise by the element tree."""
    header_el, declaratie_el = root.iterchildren(etree.Element)
    d_el = list(declaratie_el.iterchildren(etree.Element))
    decl = soort.schema.root.child("Declaratie")
    try:
        h = header_from(_read(header_el, soort.schema.root.child("Header")))
        periode = _periode(_read(d_el[1], decl.child("DeclaratiePeriode")))
        totaal = _read(d_el[3], decl.child("TotaalIngediendBedrag"))
        dagtekening = decl.child("DeclaratieDagtekening").type.convert(_text(d_el[2]))  # type: ignore[union-attr]
        if data is not None and _alleen_elementen(data):
            clienten = _clienten_snel(d_el[4])
        else:
            clienten = _clienten_van({"Clienten": _read(d_el[4], decl.child("Clienten"))})
    except (ValueError, _YearOutOfRange):
        values_of(root, soort)  # says which date it is (years beyond 9999 pass the XSD)
        raise
    declaratie = Declaratie.model_construct(
        declaratienummer=_text(d_el[0]), declaratieperiode=periode, declaratiedagtekening=dagtekening,
        totaal_ingediend_bedrag=totaal["TotaalBedrag"], totaal_debet_credit=totaal["DebetCredit"], clienten=clienten)
    return Declaratiebericht.model_construct(domein=cast(Domein, soort.domein), header=h, declaratie=declaratie)


def declaratiebericht_from(root: etree._Element, domein: str, data: bytes | None = None) -> Declaratiebericht:
    """Level 1 of a parsed 323, then its model (pass the bytes it was parsed from: see declaratiebericht_van)."""
    soort = detect(root)
    if (soort.domein, soort.berichttype) != (domein, "323"):
        raise ParseError([problem("TYPE", "/Bericht", root.sourceline, soort.berichttype, "323",
                                  f"Verwacht een 323, ontvangen {soort.berichttype}",
                                  f"Expected a 323, received a {soort.berichttype}")], soort.domein,
                         soort.berichttype)
    validate(root, soort, len(data) if data is not None else None)
    return declaratiebericht_van(root, soort, data)


def parse_323(data: bytes) -> Declaratiebericht:
    """Parse a 323 Declaratiebericht (level 1). Raises ParseError with every structural problem found."""
    domein, root = read_expected(data, "323")
    return declaratiebericht_from(root, domein, data)
