"""Reading and writing iJw/iWmo 3.2 XML, hardened against hostile input.

Parsing rules: no DTDs, no entities, no network, a size limit (OP179: 25 MB) and a depth/huge-tree guard.
The domain (Jw/Wmo) and message type come from the root element's namespace, never from content.
Every problem found is reported with rule, element path, line, value found and value expected, so a
provider can fix the message without a helpdesk call.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from .models import (Client, Declaratie, Declaratieantwoord, Declaratiebericht, Header, Omvang, Periode, Prestatie,
                     Toewijzing, Toewijzingsbericht)
from .structuur import Finding, Walker, compile_sequence, structures
from .structuur_overig import structures_overig

MAX_BERICHT_BYTES = 25 * 1024 * 1024  # OP179; the hubs enforce the same limit

NS_BASIS = {
    "jw": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
    "wmo": "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema",
}
BERICHTCODES = {
    "jw": {"301": "436", "302": "437", "305": "438", "306": "439", "307": "440", "308": "441", "315": "446",
           "316": "447", "317": "486", "318": "487", "319": "488", "320": "489", "323": "490", "325": "491"},
    "wmo": {"301": "414", "302": "415", "305": "418", "306": "419", "307": "420", "308": "421", "315": "444",
            "316": "445", "317": "480", "318": "481", "319": "482", "320": "483", "323": "484", "325": "485"},
}
_ROOT_NS = re.compile(r"^http://www\.istandaarden\.nl/(ijw|iwmo)/3_2/(jw|wmo)(\d{3})/schema$")


def bericht_namespace(domein: str, berichttype: str) -> str:
    return (f"http://www.istandaarden.nl/ijw/3_2/jw{berichttype}/schema" if domein == "jw"
            else f"http://www.istandaarden.nl/iwmo/3_2/wmo{berichttype}/schema")


@dataclass(frozen=True)
class Problem:
    rule: str
    path: str
    line: int | None
    found: str | None
    expected: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "path": self.path, "line": self.line, "found": self.found,
                "expected": self.expected, "message": self.message}


@dataclass
class ParseError(Exception):
    """The message is not acceptable at control level 1 (structure): no 325 is made for it."""

    problems: list[Problem] = field(default_factory=list)
    domein: str | None = None
    berichttype: str | None = None

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


def _problem(rule: str, path: str, line: int | None, found: str | None, expected: str, nl: str, en: str) -> Problem:
    return Problem(rule, path, line, found, expected, f"{nl} / {en}")


# Always read as UTF-8 (OP192): libxml2 would otherwise follow the declaration or guess UTF-16/UCS-4/EBCDIC from
# the first bytes, and a UTF-16 document slips its <!DOCTYPE past the byte check below.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
    remove_blank_text=False, encoding="utf-8",
)
_ENCODING_DECL = re.compile(rb"<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_ANDERE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (and UTF-32 LE), UTF-32 BE


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes as XML with every dangerous feature off. Raises ParseError."""
    if len(data) > MAX_BERICHT_BYTES:
        raise ParseError([_problem("OP179", "/", None, f"{len(data)} bytes", f"≤ {MAX_BERICHT_BYTES} bytes",
                                   "Bericht is groter dan 25 MB", "Message exceeds 25 MB")])
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError([_problem("OP192", "/", 1, "UTF-8 BOM", "UTF-8 without BOM",
                                   "Bestand begint met een BOM", "File starts with a byte order mark")])
    declared = _ENCODING_DECL.match(data, 0, 200)
    if data.startswith(_ANDERE_BOMS) or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        found = declared.group(1).decode("ascii", "replace")[:40] if declared else "UTF-16/UTF-32 byte order mark"
        raise ParseError([_problem("OP192", "/", 1, found, "UTF-8", "Bericht is niet in UTF-8 gecodeerd",
                                   "Message is not encoded in UTF-8")])
    # A DTD is never part of an iJw/iWmo message; refusing it outright closes XXE and entity bombs.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ParseError([_problem("XML-DTD", "/", None, "<!DOCTYPE/ENTITY>", "no DTD or entity declarations",
                                   "DTD of entiteiten zijn niet toegestaan", "DTDs and entities are not allowed")])
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise ParseError([_problem("XML", "/", line, None, "well-formed UTF-8 XML",
                                   f"Geen geldige XML: {exc.msg}", f"Not well-formed XML: {exc.msg}")]) from None
    if root is None:
        raise ParseError([_problem("XML", "/", None, None, "an XML document", "Leeg document", "Empty document")])
    return root


def detect(root: etree._Element) -> tuple[str, str]:
    """(domein, berichttype) from the root namespace, e.g. ("jw", "323")."""
    qn = etree.QName(root)
    m = _ROOT_NS.match(qn.namespace or "")
    if qn.localname != "Bericht" or not m or {"ijw": "jw", "iwmo": "wmo"}[m.group(1)] != m.group(2):
        raise ParseError([_problem("NS", f"/{qn.localname}", root.sourceline, qn.namespace or "(geen/none)",
                                   "root Bericht in an iJw/iWmo 3.2 message namespace",
                                   "Onbekend berichttype (namespace van het root-element)",
                                   "Unknown message type (namespace of the root element)")])
    domein = m.group(2)
    berichttype = m.group(3)
    if berichttype not in BERICHTCODES[domein]:
        raise ParseError([_problem("NS", "/Bericht", root.sourceline, qn.namespace, "a 3.2 message type",
                                   f"Berichttype {berichttype} bestaat niet in release 3.2",
                                   f"Message type {berichttype} does not exist in release 3.2")])
    return domein, berichttype


_STRUCTURES = {**structures(BERICHTCODES), **structures_overig(BERICHTCODES)}
_COMPILED = {(d, t): compile_sequence(spec, d, bericht_namespace(d, t), NS_BASIS[d])
             for t, spec in _STRUCTURES.items() for d in ("jw", "wmo")}


_NEGEN_CIJFERS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


def _zonder_bsn(found: str | None) -> str | None:
    """A value echoed in a problem with every 9-digit number masked: text out of place (e.g. a Bsn's value whose
    tag went missing) may be a BSN, which never appears in an error."""
    return _NEGEN_CIJFERS.sub("*********", found) if found else found


MAX_PROBLEMEN = 100  # a hostile message with a million faults gets the first hundred, not a minute of CPU


class _TeVeelProblemen(Exception):
    pass


class _Walker(Walker):
    """Stops at MAX_PROBLEMEN findings: naming each finding's path costs time in the number of its siblings, so
    reporting them all would be quadratic in the message's size (CPU of the whole gateway for hours at 25 MB)."""

    def _add(self, *args) -> None:
        if len(self.findings) >= MAX_PROBLEMEN:
            raise _TeVeelProblemen
        super()._add(*args)


def validate_structure(root: etree._Element, domein: str, berichttype: str) -> dict:
    """Level 1: the whole tree against the message's structure. Returns the extracted values; raises ParseError
    listing every problem (not just the first)."""
    nodes = _COMPILED.get((domein, berichttype))
    if nodes is None:
        raise ParseError([_problem("TYPE", "/Bericht", root.sourceline, berichttype, "323 or 325",
                                   f"Berichttype {berichttype} wordt hier (nog) niet gelezen",
                                   f"Message type {berichttype} is not read here (yet)")], domein, berichttype)
    walker = _Walker()
    try:
        values = walker.sequence(root, nodes)
    except _TeVeelProblemen:
        walker.findings.append(Finding("XSD", "/Bericht", None, None, "a message with fewer problems",
                                       f"Meer dan {MAX_PROBLEMEN} problemen; alleen de eerste staan hier",
                                       f"More than {MAX_PROBLEMEN} problems; only the first are listed"))
    if walker.findings:
        raise ParseError([Problem(f.rule, f.path, f.line, _zonder_bsn(f.found), f.expected, f"{f.nl} / {f.en}")
                          for f in walker.findings], domein, berichttype)
    return values


def line_of(root: etree._Element, path: str) -> int | None:
    """Source line of the element a problem path names (/Bericht/Declaratie/Clienten/Client[2]/Bsn), if present."""
    el = root
    for part in path.strip("/").split("/")[1:]:
        name, _, index = part.partition("[")
        matches = [k for k in el.iterchildren(etree.Element) if etree.QName(k).localname == name]
        position = int(index.rstrip("]")) - 1 if index else 0
        if position >= len(matches):
            return el.sourceline
        el = matches[position]
    return el.sourceline


def read_bericht(data: bytes) -> tuple[str, str, etree._Element]:
    root = parse_xml(data)
    domein, berichttype = detect(root)
    return domein, berichttype, root


def read_expected(data: bytes, expected: str) -> tuple[str, etree._Element]:
    """(domein, root) of a message that must be of the expected type."""
    domein, berichttype, root = read_bericht(data)
    if berichttype != expected:
        raise ParseError([_problem("TYPE", "/Bericht", root.sourceline, berichttype, expected,
                                   f"Verwacht een {expected}, ontvangen {berichttype}",
                                   f"Expected a {expected}, received a {berichttype}")], domein, berichttype)
    return domein, root


def parse_323(data: bytes) -> Declaratiebericht:
    """Parse a 323 Declaratiebericht. Raises ParseError with every structural problem found."""
    return declaratiebericht_from(*reversed(read_expected(data, "323")))


def _header(h: dict) -> Header:
    return Header.model_construct(
        berichtcode=h["BerichtCode"], berichtversie=h["BerichtVersie"], berichtsubversie=h["BerichtSubversie"],
        afzender=h["Afzender"], ontvanger=h["Ontvanger"], identificatie=h["BerichtIdentificatie"]["Identificatie"],
        dagtekening=h["BerichtIdentificatie"]["Dagtekening"],
        basisschema_xsd_versie=h["XsdVersie"]["BasisschemaXsdVersie"],
        bericht_xsd_versie=h["XsdVersie"]["BerichtXsdVersie"])


def _periode(p: dict) -> Periode:
    return Periode.model_construct(begindatum=p["Begindatum"], einddatum=p["Einddatum"])


def _prestatie(p: dict) -> Prestatie:
    ref, bedrag = p["ProductReferentie"], p["IngediendBedrag"]
    return Prestatie.model_construct(
        referentienummer=ref["ReferentieNummer"], vorig_referentienummer=ref.get("VorigReferentieNummer"),
        toewijzingnummer=p["ToewijzingNummer"], productcategorie=p["ProductCategorie"],
        productcode=p["ProductCode"], productperiode=_periode(p["ProductPeriode"]),
        geleverd_volume=p["GeleverdVolume"], eenheid=p["Eenheid"], producttarief=p.get("ProductTarief"),
        ingediend_bedrag=bedrag["Bedrag"], debet_credit=bedrag["DebetCredit"])


def parse_301(data: bytes) -> Toewijzingsbericht:
    """Parse a 301 Toewijzingsbericht (level 1). Raises ParseError with every structural problem found."""
    return toewijzingsbericht_from(*reversed(read_expected(data, "301")))


def toewijzingsbericht_from(root: etree._Element, domein: str) -> Toewijzingsbericht:
    v = validate_structure(root, domein, "301")
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
    return Toewijzingsbericht(domein=domein, header=_header(v["Header"]), bsn=client["Bsn"], toewijzingen=toewijzingen)


def declaratiebericht_from(root: etree._Element, domein: str) -> Declaratiebericht:
    # Values are validated by the structure walk, so the models are built without validating again (hot path).
    v = validate_structure(root, domein, "323")
    d = v["Declaratie"]
    totaal = d["TotaalIngediendBedrag"]
    return Declaratiebericht.model_construct(
        domein=domein, header=_header(v["Header"]),
        declaratie=Declaratie.model_construct(
            declaratienummer=d["DeclaratieNummer"], declaratieperiode=_periode(d["DeclaratiePeriode"]),
            declaratiedagtekening=d["DeclaratieDagtekening"], totaal_ingediend_bedrag=totaal["TotaalBedrag"],
            totaal_debet_credit=totaal["DebetCredit"],
            clienten=[Client.model_construct(bsn=c["Bsn"], prestaties=[_prestatie(p) for p in
                                                                       c["Prestaties"]["Prestatie"]])
                      for c in d["Clienten"]["Client"]]))


# --------------------------------------------------------------------------- writing


def _text(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _write_sequence(parent, values: dict, nodes) -> None:
    # The same compiled nodes the reader walks, so element order and namespaces cannot drift apart.
    for tag, name, _lo, _hi, repeated, children, _simple in nodes:
        value = values.get(name)
        if value is None:
            continue
        for v in (value if repeated else (value,)):
            el = etree.SubElement(parent, tag)
            if children is not None:
                _write_sequence(el, v, children)
            else:
                el.text = _text(v)


def write_bericht(domein: str, berichttype: str, values: dict) -> bytes:
    """Any message type from its values, shaped as validate_structure returns them (element names as keys,
    lists for repeated elements, absent or None for missing optional ones). Writes what it is given: the
    caller's values must be valid (the tests check written messages against level 1 and the official XSDs)."""
    ns = bericht_namespace(domein, berichttype)
    nsmap = {f"{domein}{berichttype}": ns, "ijw" if domein == "jw" else "iwmo": NS_BASIS[domein]}
    root = etree.Element(f"{{{ns}}}Bericht", nsmap=nsmap)
    _write_sequence(root, values, _COMPILED[(domein, berichttype)])
    return _serialize(root)


def _serialize(root) -> bytes:
    # UTF-8 without BOM, with declaration; LF line ends (receivers must accept LF or CR/LF).
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _header_values(h: Header) -> dict:
    return {"BerichtCode": h.berichtcode, "BerichtVersie": h.berichtversie, "BerichtSubversie": h.berichtsubversie,
            "Afzender": h.afzender, "Ontvanger": h.ontvanger, "BerichtIdentificatie": _identificatie(h),
            "XsdVersie": _xsd_versie(h)}


def _identificatie(h: Header) -> dict:
    return {"Identificatie": h.identificatie, "Dagtekening": h.dagtekening}


def _xsd_versie(h: Header) -> dict:
    return {"BasisschemaXsdVersie": h.basisschema_xsd_versie, "BerichtXsdVersie": h.bericht_xsd_versie}


def _periode_values(p: Periode) -> dict:
    return {"Begindatum": p.begindatum, "Einddatum": p.einddatum}


def _prestatie_values(p: Prestatie) -> dict:
    return {"ProductReferentie": {"ReferentieNummer": p.referentienummer,
                                  "VorigReferentieNummer": p.vorig_referentienummer},
            "ToewijzingNummer": p.toewijzingnummer, "ProductCategorie": p.productcategorie,
            "ProductCode": p.productcode, "ProductPeriode": _periode_values(p.productperiode),
            "GeleverdVolume": p.geleverd_volume, "Eenheid": p.eenheid, "ProductTarief": p.producttarief,
            "IngediendBedrag": {"Bedrag": p.ingediend_bedrag, "DebetCredit": p.debet_credit}}


def _totaal(bedrag: int, dc: str) -> dict:
    return {"TotaalBedrag": bedrag, "DebetCredit": dc}


def write_323(bericht: Declaratiebericht) -> bytes:
    d = bericht.declaratie
    return write_bericht(bericht.domein, "323", {
        "Header": _header_values(bericht.header),
        "Declaratie": {
            "DeclaratieNummer": d.declaratienummer, "DeclaratiePeriode": _periode_values(d.declaratieperiode),
            "DeclaratieDagtekening": d.declaratiedagtekening,
            "TotaalIngediendBedrag": _totaal(d.totaal_ingediend_bedrag, d.totaal_debet_credit),
            "Clienten": {"Client": [{"Bsn": c.bsn, "Prestaties": {"Prestatie": [_prestatie_values(p)
                                                                                for p in c.prestaties]}}
                                    for c in d.clienten]}}})


def _codes(codes: list[str]) -> dict:
    return {"RetourCode": codes}


def write_325(a: Declaratieantwoord) -> bytes:
    """The 325 per §6.2: only rejected classes are echoed; approval is implicit."""
    header = _header_values(a.header) | {
        "DeclaratieIdentificatie": _identificatie(a.declaratie_header),
        "XsdVersieDeclaratie": _xsd_versie(a.declaratie_header),
        "RetourCodes": _codes(a.header_retourcodes)}
    values: dict = {"Header": header}
    d = a.declaratie
    if d is not None:
        per_regel = iter(a.codes_per_regel())
        regel_codes = [[next(per_regel) for _p in c.prestaties] for c in d.clienten]
        rejected_clients = [(c, codes) for c, codes in zip(d.clienten, regel_codes)
                            if c.bsn in a.client_retourcodes or any(codes)]
        clienten = None
        if rejected_clients and not a.declaratie_retourcodes:
            clienten = {"Client": []}
            for c, codes_van_client in rejected_clients:
                client_codes = a.client_retourcodes.get(c.bsn)
                prestaties = []
                for p, line_codes in zip(c.prestaties, codes_van_client):
                    # Under a rejected client every line comes back as 0233 (not assessed).
                    codes = ["0233"] if client_codes else line_codes
                    if codes:
                        prestaties.append(_prestatie_values(p) | {"RetourCodes": _codes(codes)})
                clienten["Client"].append({"Bsn": c.bsn, "Prestaties": {"Prestatie": prestaties},
                                           "RetourCodes": _codes(client_codes or ["0200"])})
        values["DeclaratieAntwoord"] = {
            "DeclaratieNummer": d.declaratienummer,
            "TotaalIngediendBedrag": _totaal(d.totaal_ingediend_bedrag, d.totaal_debet_credit),
            "TotaalToegekendBedrag": _totaal(a.totaal_toegekend_bedrag, a.totaal_toegekend_debet_credit),
            "Clienten": clienten,
            "RetourCodes": _codes(a.declaratie_retourcodes or (["0200"] if rejected_clients else ["8001"]))}
    return write_bericht(a.domein, "325", values)
