"""The official XSDs read as element trees: order, cardinality and value types of every message.

Level 1 itself is libxml2 running these same files (niveau1.py). What libxml2 does not hand back is read here
from them: the element order the writer follows, the value type the reader converts to, and the names, codes and
facets that make a level-1 problem readable. So the XSD stays the one source of truth: nothing about a message's
structure is typed by hand.

The 3.2 schemas use a small part of XML Schema (sequence, element with min/maxOccurs, named and anonymous
simple types restricting xs:string, xs:integer, xs:date or xs:time with facets), and that is all this reads; any
other construct is refused when the release is loaded, so a new release that uses more fails loudly.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS}}}"
_BUILTIN = {"string": "string", "integer": "integer", "date": "date", "time": "time"}
_KNOWN = {f"{_XS}{n}" for n in ("schema", "import", "annotation", "appinfo", "documentation", "element",
                                "complexType", "sequence", "simpleType", "restriction", "enumeration", "pattern",
                                "minLength", "maxLength", "minInclusive", "maxInclusive")}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip(" \t\r\n"))


def _time(text: str) -> dt.time:
    value = text.strip(" \t\r\n")
    if value.startswith("24:"):
        # XML Schema 1.0 allows 24:00:00, the end of the day. Read as the last representable moment of that day,
        # so that it still orders after every other time of the date (Toewijzingstijd, IV013).
        return dt.time(23, 59, 59, 999_999)
    hms, _, fraction = value.partition(".")
    h, m, s = hms.split(":")
    micro = int((fraction + "000000")[:6]) if fraction else 0
    return dt.time(int(h), int(m), int(s), micro)


def _integer(text: str) -> int:
    return int(text)  # int() allows what xs:integer allows: surrounding whitespace, a sign, leading zeros


def _string(text: str) -> str:
    return text


CONVERTERS: dict[str, Callable[[str], Any]] = {"string": _string, "integer": _integer, "date": _date, "time": _time}


@dataclass(frozen=True)
class SimpleType:
    """A value type with the facets of every derivation step (patterns of different steps must all match)."""

    name: str  # LDT_… of the basisschema, or the element's name for an anonymous type
    base: str  # string | integer | date | time
    codes: Mapping[str, str] | None = None  # enumeration: value → its documentation (the code list)
    patterns: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    documentation: str = ""

    @property
    def convert(self) -> Callable[[str], Any]:
        return CONVERTERS[self.base]


@dataclass(frozen=True)
class Element:
    """An element declaration in its place: tag in Clark notation, cardinality, children or a value type."""

    name: str
    tag: str
    min: int
    max: int | None  # None: unbounded
    children: tuple[Element, ...] | None = None
    type: SimpleType | None = None
    documentation: str = ""
    by_tag: Mapping[str, Element] = field(default_factory=dict, compare=False, repr=False)

    @property
    def repeated(self) -> bool:
        return self.max is None or self.max > 1

    def child(self, name: str) -> Element:
        for c in self.children or ():
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no child {name}")

    def walk(self, path: str = ""):
        """(path, element) for this element and every descendant, depth first, paths like /Bericht/Header."""
        here = f"{path}/{self.name}"
        yield here, self
        for c in self.children or ():
            yield from c.walk(here)


@functools.cache
def _schema_document(path: Path) -> tuple[etree._Element, dict[tuple[str, str], etree._Element]]:
    """A schema document and its named types by (kind, name); a basisschema is read once for all its messages."""
    doc = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
    for el in doc.iter(etree.Element):
        if el.tag.startswith(_XS) and el.tag not in _KNOWN:
            raise ValueError(f"{path.name}: XML Schema construct {etree.QName(el).localname} is not read here")
    named = {(etree.QName(el).localname, el.get("name")): el
             for el in doc.iterchildren(f"{_XS}complexType", f"{_XS}simpleType")}
    return doc, named


class _Schemas:
    """The schema documents of one message: its own XSD and what it imports, indexed by namespace."""

    def __init__(self, path: Path):
        self.docs: dict[str, tuple[etree._Element, dict]] = {}
        self._load(path)

    def _load(self, path: Path) -> None:
        doc, named = _schema_document(path.resolve())
        target = doc.get("targetNamespace")
        if target in self.docs:
            return
        self.docs[target] = (doc, named)
        for imp in doc.iterfind(f"{_XS}import"):
            self._load(path.parent / imp.get("schemaLocation"))

    def named(self, kind: str, qname: str, context: etree._Element) -> tuple[etree._Element, etree._Element]:
        prefix, _, local = qname.rpartition(":")
        ns = context.nsmap.get(prefix or None)
        if ns not in self.docs:
            raise KeyError(f"type {qname}: namespace {ns} not loaded")
        doc, named = self.docs[ns]
        try:
            return named[(kind, local)], doc
        except KeyError:
            raise KeyError(f"{kind} {qname} not found in {ns}") from None


def _documentation(el: etree._Element) -> str:
    text = el.findtext(f"{_XS}annotation/{_XS}documentation")
    return " ".join(text.split()) if text else ""


_SIMPLE_CACHE: dict[tuple[int, str], SimpleType] = {}


def _simple(schemas: _Schemas, st: etree._Element, name: str, doc: etree._Element) -> SimpleType:
    # Named types are shared by many elements and messages: read each once (the documents live in a cache too).
    key = (id(st), name)
    if st.get("name") is not None and key in _SIMPLE_CACHE:
        return _SIMPLE_CACHE[key]
    result = _read_simple(schemas, st, name, doc)
    if st.get("name") is not None:
        _SIMPLE_CACHE[key] = result
    return result


def _read_simple(schemas: _Schemas, st: etree._Element, name: str, doc: etree._Element) -> SimpleType:
    restriction = st.find(f"{_XS}restriction")
    if restriction is None:
        raise ValueError(f"simple type {name}: only restrictions are read")
    base = restriction.get("base")
    prefix, _, local = base.rpartition(":")
    if restriction.nsmap.get(prefix or None) == XS:
        parent = SimpleType(name=local, base=_BUILTIN[local])
    else:
        named, named_doc = schemas.named("simpleType", base, restriction)
        parent = _simple(schemas, named, local, named_doc)
    facets: dict[str, Any] = {}
    codes = {e.get("value"): _documentation(e) for e in restriction.iterfind(f"{_XS}enumeration")}
    patterns = tuple(p.get("value") for p in restriction.iterfind(f"{_XS}pattern"))
    for tag, key in (("minLength", "min_length"), ("maxLength", "max_length"), ("minInclusive", "minimum"),
                     ("maxInclusive", "maximum")):
        f = restriction.find(f"{_XS}{tag}")
        if f is not None:
            facets[key] = int(f.get("value"))
    # Within one step patterns are alternatives; XML Schema joins them with "|". Steps must each match.
    joined = ("|".join(patterns),) if patterns else ()
    return SimpleType(
        name=name, base=parent.base, codes=codes or parent.codes, patterns=parent.patterns + joined,
        min_length=facets.get("min_length", parent.min_length), max_length=facets.get("max_length", parent.max_length),
        minimum=facets.get("minimum", parent.minimum), maximum=facets.get("maximum", parent.maximum),
        documentation=_documentation(st) or parent.documentation)


def _occurs(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return None if value == "unbounded" else int(value)


def _element(schemas: _Schemas, decl: etree._Element, doc: etree._Element) -> Element:
    name = decl.get("name")
    # elementFormDefault="qualified" in every 3.2 schema: a local element is in the namespace of the schema
    # document that declares it (so the children of a basisschema type are basisschema elements).
    tag = f"{{{doc.get('targetNamespace')}}}{name}"
    lo, hi = _occurs(decl.get("minOccurs"), 1) or 0, _occurs(decl.get("maxOccurs"), 1)
    documentation = _documentation(decl)
    type_name = decl.get("type")
    complex_el, simple_el, type_doc = decl.find(f"{_XS}complexType"), decl.find(f"{_XS}simpleType"), doc
    if type_name is not None:
        prefix, _, local = type_name.rpartition(":")
        if decl.nsmap.get(prefix or None) == XS:
            return Element(name, tag, lo, hi, type=SimpleType(local, _BUILTIN[local]), documentation=documentation)
        try:
            complex_el, type_doc = schemas.named("complexType", type_name, decl)
        except KeyError:
            simple_el, type_doc = schemas.named("simpleType", type_name, decl)
            return Element(name, tag, lo, hi, type=_simple(schemas, simple_el, local, type_doc),
                           documentation=documentation)
    if simple_el is not None:
        return Element(name, tag, lo, hi, type=_simple(schemas, simple_el, name, doc), documentation=documentation)
    if complex_el is None:
        raise ValueError(f"element {name}: no type")
    sequence = complex_el.find(f"{_XS}sequence")
    children = tuple(_element(schemas, c, type_doc) for c in sequence.iterfind(f"{_XS}element")) \
        if sequence is not None else ()
    return Element(name, tag, lo, hi, children=children, documentation=documentation or _documentation(complex_el),
                   by_tag={c.tag: c for c in children})


@dataclass(frozen=True)
class MessageSchema:
    """One message type's XSD: its root element tree and the facts its annotations and patterns carry."""

    path: Path
    namespace: str
    basis_namespace: str
    root: Element
    berichtcode: str  # the fixed pattern of Header/BerichtCode
    bericht_xsd_versie: str  # appinfo BerichtXsdVersie
    basisschema_xsd_versie: str  # appinfo BasisschemaXsdVersie


def read_message_schema(path: Path) -> MessageSchema:
    schemas = _Schemas(path)
    doc, _named = _schema_document(path.resolve())
    target = doc.get("targetNamespace")
    basis = next(ns for ns in schemas.docs if ns != target)
    decl = next(e for e in doc.iterfind(f"{_XS}element") if e.get("name") == "Bericht")
    root = _element(schemas, decl, doc)
    appinfo = {etree.QName(e).localname: (e.text or "").strip()
               for e in doc.iterfind(f"{_XS}annotation/{_XS}appinfo/*")}
    code = root.child("Header").child("BerichtCode").type
    assert code is not None and len(code.patterns) == 1, f"{path.name}: BerichtCode is not one fixed pattern"
    return MessageSchema(path, target, basis, root, code.patterns[-1], appinfo["BerichtXsdVersie"],
                         appinfo["BasisschemaXsdVersie"])
