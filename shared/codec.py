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

from .models import Client, Declaratie, Declaratieantwoord, Declaratiebericht, Header, Periode, Prestatie

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


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
    remove_blank_text=False,
)


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes as XML with every dangerous feature off. Raises ParseError."""
    if len(data) > MAX_BERICHT_BYTES:
        raise ParseError([_problem("OP179", "/", None, f"{len(data)} bytes", f"≤ {MAX_BERICHT_BYTES} bytes",
                                   "Bericht is groter dan 25 MB", "Message exceeds 25 MB")])
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError([_problem("OP192", "/", 1, "UTF-8 BOM", "UTF-8 without BOM",
                                   "Bestand begint met een BOM", "File starts with a byte order mark")])
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


class _Reader:
    """Walks a parsed message, collecting every problem instead of stopping at the first."""

    def __init__(self, root: etree._Element, domein: str, berichttype: str):
        self.ns = bericht_namespace(domein, berichttype)
        self.basis = NS_BASIS[domein]
        self.problems: list[Problem] = []
        self.root = root

    def child(self, parent: etree._Element, name: str, path: str, *, basis: bool = False,
              required: bool = True) -> etree._Element | None:
        el = parent.find(f"{{{self.basis if basis else self.ns}}}{name}")
        if el is None and required:
            self.problems.append(_problem("XSD", f"{path}/{name}", parent.sourceline, None, f"element {name}",
                                          f"Verplicht element {name} ontbreekt", f"Required element {name} is missing"))
        return el

    def children(self, parent: etree._Element | None, name: str) -> list[etree._Element]:
        return [] if parent is None else parent.findall(f"{{{self.ns}}}{name}")

    def text(self, parent, name, path, *, basis=False, required=True, pattern: str | None = None,
             expected: str = "", rule: str = "XSD") -> str | None:
        if parent is None:
            return None
        el = self.child(parent, name, path, basis=basis, required=required)
        if el is None:
            return None
        value = el.text or ""
        if value.strip() == "":
            self.problems.append(_problem("RS033", f"{path}/{name}", el.sourceline, "", "a value",
                                          f"Element {name} is leeg", f"Element {name} is empty"))
            return None
        if pattern and not re.fullmatch(pattern, value):
            self.problems.append(_problem(rule, f"{path}/{name}", el.sourceline, _safe(name, value), expected,
                                          f"{name} heeft niet het juiste formaat ({expected})",
                                          f"{name} does not have the right format ({expected})"))
            return None
        return value

    def integer(self, parent, name, path, *, basis=False, required=True, maximum: int = 99_999_999) -> int | None:
        value = self.text(parent, name, path, basis=basis, required=required, pattern=r"\d{1,12}",
                          expected=f"integer 0–{maximum}")
        if value is None:
            return None
        number = int(value)
        if number > maximum:
            el = parent.find(f"{{{self.basis if basis else self.ns}}}{name}")
            self.problems.append(_problem("XSD", f"{path}/{name}", el.sourceline, value, f"≤ {maximum}",
                                          f"{name} is te groot", f"{name} is too large"))
            return None
        return number

    def date(self, parent, name, path, *, basis=False, required=True) -> dt.date | None:
        value = self.text(parent, name, path, basis=basis, required=required, pattern=r"\d{4}-\d{2}-\d{2}",
                          expected="date YYYY-MM-DD without time zone")
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            el = parent.find(f"{{{self.basis if basis else self.ns}}}{name}")
            self.problems.append(_problem("XSD", f"{path}/{name}", el.sourceline, value, "an existing date",
                                          f"{name} is geen bestaande datum", f"{name} is not a valid date"))
            return None

    def periode(self, parent, name, path) -> Periode | None:
        el = self.child(parent, name, path) if parent is not None else None
        if el is None:
            return None
        begin = self.date(el, "Begindatum", f"{path}/{name}", basis=True)
        eind = self.date(el, "Einddatum", f"{path}/{name}", basis=True)
        return Periode(begindatum=begin, einddatum=eind) if begin and eind else None


def _safe(name: str, value: str) -> str:
    # Never echo a BSN into an error message, log or API response.
    return "***" if name == "Bsn" else value[:80]


def _header(r: _Reader, root: etree._Element, domein: str, berichttype: str) -> Header | None:
    path = "/Bericht/Header"
    h = r.child(root, "Header", "/Bericht")
    if h is None:
        return None
    code = r.text(h, "BerichtCode", path)
    if code is not None and code != BERICHTCODES[domein][berichttype]:
        r.problems.append(_problem("RS010", f"{path}/BerichtCode", h.sourceline, code, BERICHTCODES[domein][berichttype],
                                   "BerichtCode past niet bij het berichttype", "BerichtCode does not match the message type"))
    versie = r.integer(h, "BerichtVersie", path, maximum=99)
    subversie = r.integer(h, "BerichtSubversie", path, maximum=99)
    to_provider = berichttype in ("301", "319", "325")
    afzender = r.text(h, "Afzender", path, pattern=r"\d{4}" if to_provider else r"\d{8}",
                      expected="CBS code (4 digits)" if to_provider else "AGB code (8 digits)")
    ontvanger = r.text(h, "Ontvanger", path, pattern=r"\d{8}" if to_provider else r"\d{4}",
                       expected="AGB code (8 digits)" if to_provider else "CBS code (4 digits)")
    bid = r.child(h, "BerichtIdentificatie", path)
    ident = r.text(bid, "Identificatie", f"{path}/BerichtIdentificatie", basis=True, pattern=r".{1,12}",
                   expected="1–12 characters")
    dagtekening = r.date(bid, "Dagtekening", f"{path}/BerichtIdentificatie", basis=True) if bid is not None else None
    xsd = r.child(h, "XsdVersie", path)
    basis_v = r.text(xsd, "BasisschemaXsdVersie", f"{path}/XsdVersie", basis=True, pattern=r"\d+\.\d+\.\d+",
                     expected="n.n.n")
    bericht_v = r.text(xsd, "BerichtXsdVersie", f"{path}/XsdVersie", basis=True, pattern=r"\d+\.\d+\.\d+",
                       expected="n.n.n")
    if None in (code, versie, subversie, afzender, ontvanger, ident, dagtekening, basis_v, bericht_v):
        return None
    return Header(berichtcode=code, berichtversie=versie, berichtsubversie=subversie, afzender=afzender,
                  ontvanger=ontvanger, identificatie=ident, dagtekening=dagtekening,
                  basisschema_xsd_versie=basis_v, bericht_xsd_versie=bericht_v)


def _bedrag(r: _Reader, parent, name: str, path: str, bedrag_name: str, maximum: int):
    el = r.child(parent, name, path) if parent is not None else None
    if el is None:
        return None, None
    bedrag = r.integer(el, bedrag_name, f"{path}/{name}", basis=True, maximum=maximum)
    dc = r.text(el, "DebetCredit", f"{path}/{name}", basis=True, pattern="[DC]", expected="D or C")
    return bedrag, dc


def _prestatie(r: _Reader, el: etree._Element, path: str) -> Prestatie | None:
    ref = r.child(el, "ProductReferentie", path)
    refnr = r.text(ref, "ReferentieNummer", f"{path}/ProductReferentie", basis=True, pattern=r".{1,20}",
                   expected="1–20 characters")
    vorig = r.text(ref, "VorigReferentieNummer", f"{path}/ProductReferentie", basis=True, required=False,
                   pattern=r".{1,20}", expected="1–20 characters")
    toewijzing = r.integer(el, "ToewijzingNummer", path, maximum=999_999_999)
    categorie = r.text(el, "ProductCategorie", path, pattern=r"\d{2}", expected="2-digit category")
    code = r.text(el, "ProductCode", path, pattern=r".{1,5}", expected="1–5 characters")
    periode = r.periode(el, "ProductPeriode", path)
    volume = r.integer(el, "GeleverdVolume", path)
    eenheid = r.text(el, "Eenheid", path, pattern=r"01|04|14|16|82|83|84", expected="Eenheid code (WJ756)")
    tarief = r.integer(el, "ProductTarief", path, required=False)
    bedrag, dc = _bedrag(r, el, "IngediendBedrag", path, "Bedrag", 99_999_999)
    values = (refnr, toewijzing, categorie, code, periode, volume, eenheid, bedrag, dc)
    if any(v is None for v in values):
        return None
    return Prestatie(referentienummer=refnr, vorig_referentienummer=vorig, toewijzingnummer=toewijzing,
                     productcategorie=categorie, productcode=code, productperiode=periode, geleverd_volume=volume,
                     eenheid=eenheid, producttarief=tarief, ingediend_bedrag=bedrag, debet_credit=dc)


def read_bericht(data: bytes) -> tuple[str, str, etree._Element]:
    root = parse_xml(data)
    domein, berichttype = detect(root)
    return domein, berichttype, root


def parse_323(data: bytes) -> Declaratiebericht:
    """Parse a 323 Declaratiebericht. Raises ParseError with every structural problem found."""
    domein, berichttype, root = read_bericht(data)
    if berichttype != "323":
        raise ParseError([_problem("TYPE", "/Bericht", root.sourceline, berichttype, "323",
                                   f"Verwacht een 323, ontvangen {berichttype}",
                                   f"Expected a 323, received a {berichttype}")], domein, berichttype)
    return declaratiebericht_from(root, domein)


def declaratiebericht_from(root: etree._Element, domein: str) -> Declaratiebericht:
    r = _Reader(root, domein, "323")
    header = _header(r, root, domein, "323")
    d = r.child(root, "Declaratie", "/Bericht")
    path = "/Bericht/Declaratie"
    # CS319 is also a pattern in the 323 XSD, so it is a level-1 (structure) failure.
    nummer = r.text(d, "DeclaratieNummer", path, pattern=r"[a-zA-Z0-9]{1,12}", expected="1–12 letters or digits",
                    rule="CS319")
    periode = r.periode(d, "DeclaratiePeriode", path)
    dagtekening = r.date(d, "DeclaratieDagtekening", path) if d is not None else None
    totaal, totaal_dc = _bedrag(r, d, "TotaalIngediendBedrag", path, "TotaalBedrag", 999_999_999_999)
    clienten_el = r.child(d, "Clienten", path) if d is not None else None
    clienten: list[Client] = []
    client_els = r.children(clienten_el, "Client")
    if clienten_el is not None and not client_els:
        r.child(clienten_el, "Client", f"{path}/Clienten")
    for i, cel in enumerate(client_els, 1):
        cpath = f"{path}/Clienten/Client[{i}]"
        bsn = r.text(cel, "Bsn", cpath, pattern=r"\d{9}", expected="9 digits")
        pres_el = r.child(cel, "Prestaties", cpath)
        p_els = r.children(pres_el, "Prestatie")
        if pres_el is not None and not p_els:
            r.child(pres_el, "Prestatie", f"{cpath}/Prestaties")
        prestaties = [_prestatie(r, pel, f"{cpath}/Prestaties/Prestatie[{j}]") for j, pel in enumerate(p_els, 1)]
        if bsn is not None and prestaties and all(prestaties):
            clienten.append(Client(bsn=bsn, prestaties=prestaties))
    if r.problems:
        raise ParseError(r.problems, domein, "323")
    return Declaratiebericht(
        domein=domein, header=header,
        declaratie=Declaratie(declaratienummer=nummer, declaratieperiode=periode, declaratiedagtekening=dagtekening,
                              totaal_ingediend_bedrag=totaal, totaal_debet_credit=totaal_dc, clienten=clienten),
    )


# --------------------------------------------------------------------------- writing


class _Writer:
    def __init__(self, domein: str, berichttype: str):
        self.ns = bericht_namespace(domein, berichttype)
        self.basis = NS_BASIS[domein]
        prefix = f"{'jw' if domein == 'jw' else 'wmo'}{berichttype}"
        self.nsmap = {prefix: self.ns, "ijw" if domein == "jw" else "iwmo": self.basis}

    def el(self, parent, name: str, text=None, *, basis: bool = False):
        tag = f"{{{self.basis if basis else self.ns}}}{name}"
        e = etree.SubElement(parent, tag) if parent is not None else etree.Element(tag, nsmap=self.nsmap)
        if text is not None:
            e.text = str(text)
        return e

    def periode(self, parent, name: str, p: Periode):
        e = self.el(parent, name)
        self.el(e, "Begindatum", p.begindatum.isoformat(), basis=True)
        self.el(e, "Einddatum", p.einddatum.isoformat(), basis=True)

    def bedrag(self, parent, name: str, inner: str, bedrag: int, dc: str):
        e = self.el(parent, name)
        self.el(e, inner, bedrag, basis=True)
        self.el(e, "DebetCredit", dc, basis=True)

    def header_start(self, root, h: Header):
        he = self.el(root, "Header")
        for name, value in (("BerichtCode", h.berichtcode), ("BerichtVersie", h.berichtversie),
                            ("BerichtSubversie", h.berichtsubversie), ("Afzender", h.afzender),
                            ("Ontvanger", h.ontvanger)):
            self.el(he, name, value)
        self.identificatie(he, "BerichtIdentificatie", h)
        self.xsdversie(he, "XsdVersie", h)
        return he

    def identificatie(self, parent, name: str, h: Header):
        e = self.el(parent, name)
        self.el(e, "Identificatie", h.identificatie, basis=True)
        self.el(e, "Dagtekening", h.dagtekening.isoformat(), basis=True)

    def xsdversie(self, parent, name: str, h: Header):
        e = self.el(parent, name)
        self.el(e, "BasisschemaXsdVersie", h.basisschema_xsd_versie, basis=True)
        self.el(e, "BerichtXsdVersie", h.bericht_xsd_versie, basis=True)

    def prestatie(self, parent, p: Prestatie):
        e = self.el(parent, "Prestatie")
        ref = self.el(e, "ProductReferentie")
        self.el(ref, "ReferentieNummer", p.referentienummer, basis=True)
        if p.vorig_referentienummer:
            self.el(ref, "VorigReferentieNummer", p.vorig_referentienummer, basis=True)
        self.el(e, "ToewijzingNummer", p.toewijzingnummer)
        self.el(e, "ProductCategorie", p.productcategorie)
        self.el(e, "ProductCode", p.productcode)
        self.periode(e, "ProductPeriode", p.productperiode)
        self.el(e, "GeleverdVolume", p.geleverd_volume)
        self.el(e, "Eenheid", p.eenheid)
        if p.producttarief is not None:
            self.el(e, "ProductTarief", p.producttarief)
        self.bedrag(e, "IngediendBedrag", "Bedrag", p.ingediend_bedrag, p.debet_credit)
        return e

    def retourcodes(self, parent, codes: list[str]):
        e = self.el(parent, "RetourCodes")
        for c in codes:
            self.el(e, "RetourCode", c)


def _serialize(root) -> bytes:
    # UTF-8 without BOM, with declaration, CR/LF-free (receivers are lenient; we emit LF).
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_323(bericht: Declaratiebericht) -> bytes:
    w = _Writer(bericht.domein, "323")
    root = w.el(None, "Bericht")
    w.header_start(root, bericht.header)
    d = bericht.declaratie
    de = w.el(root, "Declaratie")
    w.el(de, "DeclaratieNummer", d.declaratienummer)
    w.periode(de, "DeclaratiePeriode", d.declaratieperiode)
    w.el(de, "DeclaratieDagtekening", d.declaratiedagtekening.isoformat())
    w.bedrag(de, "TotaalIngediendBedrag", "TotaalBedrag", d.totaal_ingediend_bedrag, d.totaal_debet_credit)
    ce = w.el(de, "Clienten")
    for c in d.clienten:
        cl = w.el(ce, "Client")
        w.el(cl, "Bsn", c.bsn)
        pe = w.el(cl, "Prestaties")
        for p in c.prestaties:
            w.prestatie(pe, p)
    return _serialize(root)


def write_325(a: Declaratieantwoord) -> bytes:
    """The 325 per §6.2: only rejected classes are echoed; approval is implicit."""
    w = _Writer(a.domein, "325")
    root = w.el(None, "Bericht")
    he = w.header_start(root, a.header)
    w.identificatie(he, "DeclaratieIdentificatie", a.declaratie_header)
    w.xsdversie(he, "XsdVersieDeclaratie", a.declaratie_header)
    w.retourcodes(he, a.header_retourcodes)
    if a.declaratie is None:
        return _serialize(root)
    d = a.declaratie
    de = w.el(root, "DeclaratieAntwoord")
    w.el(de, "DeclaratieNummer", d.declaratienummer)
    w.bedrag(de, "TotaalIngediendBedrag", "TotaalBedrag", d.totaal_ingediend_bedrag, d.totaal_debet_credit)
    w.bedrag(de, "TotaalToegekendBedrag", "TotaalBedrag", a.totaal_toegekend_bedrag, a.totaal_toegekend_debet_credit)
    rejected_clients = [c for c in d.clienten if c.bsn in a.client_retourcodes
                        or any(p.referentienummer in a.prestatie_retourcodes for p in c.prestaties)]
    if rejected_clients and not a.declaratie_retourcodes:
        ce = w.el(de, "Clienten")
        for c in rejected_clients:
            cl = w.el(ce, "Client")
            w.el(cl, "Bsn", c.bsn)
            pe = w.el(cl, "Prestaties")
            client_codes = a.client_retourcodes.get(c.bsn)
            for p in c.prestaties:
                # Under a rejected client every line comes back as 0233 (not assessed).
                codes = ["0233"] if client_codes else a.prestatie_retourcodes.get(p.referentienummer)
                if codes:
                    w.retourcodes(w.prestatie(pe, p), codes)
            w.retourcodes(cl, client_codes or ["0200"])
    w.retourcodes(de, a.declaratie_retourcodes or (["0200"] if rejected_clients else ["8001"]))
    return _serialize(root)
