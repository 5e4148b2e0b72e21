"""Control level 1: the message against the official XSD of its kind, run by libxml2 (lxml.etree.XMLSchema).

libxml2 decides. What it reports is made readable here: its error log gives the kind of error, the node and the
line; the XSD read by xsd.py gives the element's name, type, codes and facets, so every problem says rule, path,
line, found and expected in Dutch and English.

Two things libxml2 does not do well enough on its own:
- A hostile message can hold a hundred thousand siblings that are each wrong. libxml2 reports them all, and lxml
  computes each one's path by counting its preceding siblings: quadratic, minutes of CPU for one request. So a
  large message is validated in slices: a list element (Clienten, Prestaties, …: an element whose only child
  repeats) with more than SLICE children is validated SLICE children at a time, and validation stops as soon as
  MAX_PROBLEMEN problems are known. A slice is valid exactly when those children are (the XSDs have no identity
  constraints and a list's only bound is at least one), so a message is valid exactly when every slice is.
- The standard knows some XSD facets by a rule id of its own; libxml2 does not (RULE_IDS below).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .problemen import MAX_PROBLEMEN, ParseError, masked, problem, te_veel
from .release import Berichtsoort
from .xsd import Element, SimpleType

SLICE = 256  # children of one list validated at a time in a large message
LARGE_MESSAGE_BYTES = 64 * 1024  # below this, the worst case of validating whole is a fraction of a second

# Constraints the standard gives a rule id of its own while the XSD expresses them as a facet.
RULE_IDS = {
    ("323", "DeclaratieNummer"): "CS319",  # letters and digits only (pattern on the 323's DeclaratieNummer)
    (None, "BerichtCode"): "RS010",  # the fixed BerichtCode of the message type
}
EMPTY_RULE = "RS033"  # an element is never empty


# --------------------------------------------------------------------------- readable descriptions of types

_PATTERNS = {
    "[0-9]{9}": "9 digits", "[0-9]{8}": "8 digits", "[0-9]{4}": "4 digits", "[0-9]*": "digits only",
    ".*[^\\s].*": "not blank", "([a-zA-Z0-9])+": "letters and digits only",
    "([.\\s]*\\S+[.\\s]*)+": "not only whitespace", "[^:Z]*": "without time zone", "[^Z+-]+": "without time zone",
    "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)": "version n.n.n", "([a-zA-ZÀ-ỳ])+": "letters only",
}


def describe(t: SimpleType) -> str:
    """What a value of this type looks like, in a few words (English; the type name is the standard's)."""
    if t.codes:
        codes = list(t.codes)
        shown = ", ".join(codes) if len(codes) <= 12 else f"{', '.join(codes[:8])}, … ({len(codes)} codes)"
        return f"one of {shown} ({t.name})"
    parts: list[str] = []
    if t.base == "integer":
        if t.patterns and len(t.patterns[-1]) <= 3:
            return f"{t.patterns[-1]}"
        parts.append("whole number" + (f" {t.minimum}–{t.maximum}" if t.minimum is not None and t.maximum is not None
                                       else ""))
    elif t.base == "date":
        parts.append("date YYYY-MM-DD without time zone")
    elif t.base == "time":
        parts.append("time hh:mm:ss without time zone")
    else:
        if t.patterns and len(t.patterns) == 1 and t.patterns[0].isdigit():
            return t.patterns[0]  # a fixed value such as a BerichtCode
        if t.min_length is not None or t.max_length is not None:
            lo, hi = t.min_length or 0, t.max_length
            parts.append(f"{lo}–{hi} characters" if hi is not None else f"at least {lo} character(s)")
        for p in t.patterns:
            parts.append(_PATTERNS.get(p, f"matching {p}"))
    return ", ".join(parts) + f" ({t.name})" if parts else t.name


# --------------------------------------------------------------------------- paths

_REPEATED_NAMES = {"Client", "Prestatie", "RetourCode"}


def path_of(el: etree._Element) -> str:
    """/Bericht/Declaratie/Clienten/Client[2]/… computed from the tree, only when a problem is reported."""
    parts = []
    while el is not None:
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is not None:
            # Counted by lxml's own sibling iterators: a Python loop over 100,000 siblings per problem is minutes.
            before = sum(1 for _ in el.itersiblings(el.tag, preceding=True))
            after = next(el.itersiblings(el.tag), None) is not None
            if before or after or name in _REPEATED_NAMES:
                name = f"{name}[{before + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


def element_at(root: etree._Element, path: str) -> etree._Element | None:
    """The element our own path (/Bericht/Declaratie/Clienten/Client[2]/Bsn) names, if present."""
    el = root
    for part in path.strip("/").split("/")[1:]:
        name, _, index = part.partition("[")
        if name.startswith("@"):
            break
        matches = [k for k in el.iterchildren(etree.Element) if etree.QName(k).localname == name]
        position = int(index.rstrip("]")) - 1 if index else 0
        if position >= len(matches):
            return None
        el = matches[position]
    return el


def line_of(root: etree._Element, path: str) -> int | None:
    """Source line of the element a problem path names, or of its nearest existing ancestor."""
    while path:
        el = element_at(root, path)
        if el is not None:
            return el.sourceline
        path = path.rpartition("/")[0]
    return None


def _node_of(root: etree._Element, libxml_path: str | None) -> etree._Element | None:
    """The element libxml2's path (/jw323:Bericht/jw323:Declaratie/…/jw323:Client[3]) names, in the tree as it is
    now (during sliced validation: the slice)."""
    if not libxml_path or not libxml_path.startswith("/"):
        return None
    el = root
    for part in libxml_path.strip("/").split("/")[1:]:
        name, _, index = part.partition("[")
        if name.startswith("@") or name.endswith("()"):
            break
        matches = [k for k in el.iterchildren(etree.Element)
                   if (f"{k.prefix}:{etree.QName(k).localname}" if k.prefix else etree.QName(k).localname) == name]
        position = int(index.rstrip("]")) - 1 if index else 0
        if position >= len(matches):
            return el
        el = matches[position]
    return el


# --------------------------------------------------------------------------- libxml2's errors made readable

_QUOTED = re.compile(r"'([^']*)'")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_CLARK = re.compile(r"\{[^}]*\}")
_ATTRIBUTE = re.compile(r"attribute '([^']*)'")
_FOUND_VALUE = re.compile(r"The value '(.*)' (?:is not|has a length|is less|is greater)|^'(.*)' is not a valid value",
                          re.S)


@dataclass
class _Found:
    """A problem found during (possibly sliced) validation, with the element it is about kept alive, so that its
    final path is computed once the whole tree is back together."""

    element: etree._Element | None
    suffix: str  # appended to the element's path: "/Name" of a missing child, "/@attr" of an attribute
    rule: str
    line: int | None
    found: str | None
    expected: str
    nl: str
    en: str
    key: tuple


class _Index:
    """Our XSD tree of one message kind by element path without indices: the type behind each failing element."""

    def __init__(self, soort: Berichtsoort):
        self.soort = soort
        self.by_path: dict[str, Element] = {p: e for p, e in soort.schema.root.walk()}

    def element(self, el: etree._Element | None) -> Element | None:
        if el is None:
            return None
        names = []
        while el is not None:
            names.append(etree.QName(el).localname)
            el = el.getparent()
        return self.by_path.get("/" + "/".join(reversed(names)))


@functools.cache
def _index(soort: Berichtsoort) -> _Index:
    return _Index(soort)


def _names(text: str) -> str:
    return ", ".join(n.strip() for n in _CLARK.sub("", text).split(","))


def _readable(entry, root: etree._Element, index: _Index) -> _Found:
    el = _node_of(root, entry.path)
    decl = index.element(el)
    name = etree.QName(el).localname if el is not None else "Bericht"
    msg = entry.message
    kind = entry.type_name
    line = entry.line or (el.sourceline if el is not None else None)

    def found(text: str | None) -> str | None:
        return _shown(name, text)

    if kind == "SCHEMAV_ELEMENT_CONTENT":
        expected = _EXPECTED.search(msg)
        names = _names(expected.group(1)) if expected else ""
        if "Missing child element" in msg:
            first = names.split(",")[0].strip() or "?"
            return _Found(el, f"/{first}", "XSD", line, None, f"element {names}",
                          f"Verplicht element {first} ontbreekt (of staat niet op zijn plaats)",
                          f"Required element {first} is missing (or out of place)", (id(el), "missing", names))
        parent = el.getparent() if el is not None else None
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        parent_decl = index.element(parent)
        if parent is not None and parent_decl is not None and len(wanted) == 1:
            missing = next((c for c in parent_decl.children or () if c.name == wanted[0]), None)
            present = {etree.QName(k).localname for k in parent.iterchildren(etree.Element)}
            if missing is not None and missing.min >= 1 and missing.name not in present:
                # libxml2 names the element where it expected another; what the sender must fix is the absent one.
                return _Found(parent, f"/{missing.name}", "XSD", line, name, f"element {missing.name}",
                              f"Verplicht element {missing.name} ontbreekt (of staat niet op zijn plaats)",
                              f"Required element {missing.name} is missing (or out of place)",
                              (id(parent), "missing", missing.name))
        return _Found(el, "", "XSD", line, name,
                      f"here: {names}" if names else "no element here (see the message's element order)",
                      f"Element {name} is hier niet toegestaan" + (f" (verwacht: {names})" if names else ""),
                      f"Element {name} is not allowed here" + (f" (expected: {names})" if names else ""),
                      (id(parent), "unexpected"))
    if kind in ("SCHEMAV_CVC_TYPE_3_1_1", "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1", "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2"):
        attr = _ATTRIBUTE.search(msg)
        attr_name = _CLARK.sub("", attr.group(1)) if attr else "?"
        return _Found(el, f"/@{attr_name}", "XSD", line, attr_name, "no attributes",
                      "Attribuut is niet toegestaan", "Attribute is not allowed", (id(el), "attr", attr_name))
    if kind == "SCHEMAV_CVC_COMPLEX_TYPE_2_3":
        texts = [el.text or ""] + [k.tail or "" for k in el] if el is not None else []
        text = next((t.strip() for t in texts if t.strip()), "")
        return _Found(el, "", "XSD", line, found(text[:40] or None), "only child elements",
                      "Tekst tussen elementen is niet toegestaan", "Text between elements is not allowed",
                      (id(el), "text"))
    if "Element content is not allowed" in msg or kind in ("SCHEMAV_CVC_TYPE_3_1_2", "SCHEMAV_CVC_ELT_4_2"):
        return _Found(el, "", "XSD", line, None, decl.type.name if decl and decl.type else "a value",
                      f"{name} mag geen elementen bevatten", f"{name} may not contain elements", (id(el), "value"))
    return _invalid_value(el, decl, name, msg, line, index)


def _shown(name: str, text: str | None) -> str | None:
    """A found value as a problem may show it: a Bsn never, anything else masked and short."""
    if text is None:
        return None
    return "***" if name == "Bsn" else masked(text[:80])


def _invalid_value(el: etree._Element | None, decl: Any, name: str, msg: str, line: int | None,
                   index: _Index) -> _Found:
    """A value that does not fit its type: datatype, pattern, enumeration, length or range."""
    value_match = _FOUND_VALUE.search(msg)
    value: str | None = next((g for g in value_match.groups() if g is not None), None) if value_match else None
    if el is not None and len(el) == 0 and value is None:
        value = el.text or ""
    expected = describe(decl.type) if decl is not None and decl.type is not None else "a valid value"
    if value == "":
        return _Found(el, "", EMPTY_RULE, line, "", expected, f"Element {name} is leeg", f"Element {name} is empty",
                      (id(el), "value"))
    rule = RULE_IDS.get((index.soort.berichttype, name)) or RULE_IDS.get((None, name)) or "XSD"
    return _Found(el, "", rule, line, _shown(name, value), expected, f"{name} heeft geen geldige waarde",
                  f"{name} has an invalid value", (id(el), "value"))


# --------------------------------------------------------------------------- validation

class _Collector:
    def __init__(self, root: etree._Element, soort: Berichtsoort):
        self.root, self.soort, self.index = root, soort, _index(soort)
        self.found: list[_Found] = []
        self.keys: set[tuple] = set()
        self.full = False

    def validate(self) -> bool:
        schema = self.soort.xmlschema
        if schema.validate(self.root):
            return True
        for entry in schema.error_log:
            if len(self.found) >= MAX_PROBLEMEN:
                self.full = True
                break
            f = _readable(entry, self.root, self.index)
            if f.key not in self.keys:  # libxml2 may report one value twice (facet, then type)
                self.keys.add(f.key)
                self.found.append(f)
        return False


def _list_elements(soort: Berichtsoort) -> tuple[str, ...]:
    """Tags of the list elements of a message kind: elements whose only child repeats without bound."""
    return tuple(sorted({e.tag for _, e in soort.schema.root.walk()
                         if e.children and len(e.children) == 1 and e.children[0].max is None}))


_LIST_TAGS: dict[Berichtsoort, tuple[str, ...]] = {}


def _big_lists(root: etree._Element, soort: Berichtsoort) -> list[etree._Element]:
    tags = _LIST_TAGS.get(soort)
    if tags is None:
        tags = _LIST_TAGS[soort] = _list_elements(soort)
    return [el for el in root.iter(*tags) if len(el) > SLICE] if tags else []


def _attached(el: etree._Element, root: etree._Element) -> bool:
    while el.getparent() is not None:
        el = el.getparent()
    return el is root


def _set_children(parent: etree._Element, children: list[etree._Element]) -> None:
    for k in list(parent):
        parent.remove(k)
    parent.extend(children)


def _validate_sliced(c: _Collector, lists: list[etree._Element]) -> None:
    """Validate with every large list cut to one slice at a time. The outermost lists are cut to their first slice;
    then each list in turn shows its further slices while the others keep their first. Lists inside the slice being
    shown are cut the same way. The work is about one validation of the whole message; a problem in a slice that is
    validated more than once is reported once."""
    if not lists:
        c.validate()
        return
    outer = [w for w in lists if not any(a in lists for a in w.iterancestors())]
    inner = [w for w in lists if w not in outer]
    kids = [list(w) for w in outer]
    for w, ks in zip(outer, kids):
        _set_children(w, ks[:SLICE])
    try:
        _validate_sliced(c, [w for w in inner if _attached(w, c.root)])
        for w, ks in zip(outer, kids):
            for start in range(SLICE, len(ks), SLICE):
                if c.full:
                    return
                _set_children(w, ks[start:start + SLICE])
                _validate_sliced(c, [x for x in inner if _attached(x, c.root)])
            _set_children(w, ks[:SLICE])
    finally:
        for w, ks in zip(outer, kids):
            _set_children(w, ks)


def validate(root: etree._Element, soort: Berichtsoort, size: int | None = None) -> None:
    """Level 1 of one message. Raises ParseError with every problem found (at most MAX_PROBLEMEN)."""
    c = _Collector(root, soort)
    lists = _big_lists(root, soort) if size is None or size > LARGE_MESSAGE_BYTES else []
    if lists:
        _validate_sliced(c, lists)
    elif c.validate():
        return
    if not c.found and not c.full:
        return
    problems = [problem(f.rule, (path_of(f.element) if f.element is not None else "/Bericht") + f.suffix, f.line,
                        f.found, f.expected, f.nl, f.en) for f in c.found]
    if c.full:
        problems.append(te_veel())
    raise ParseError(problems, soort.domein, soort.berichttype)
