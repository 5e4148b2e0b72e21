"""Seeded random mutations of valid messages, guided by the message's XSD (shared.istandaard.xsd): dates shifted,
amounts and volumes changed, codes swapped for other codes of their list, BSNs replaced (passing the 11-proef or
not), D and C swapped, values copied from elsewhere in the message (so that keys collide), blocks duplicated or
removed, optional parts added with plausible values, and now and then an element put out of order. Values are
written in their plain lexical form (no leading zeros, signs or surrounding whitespace), the form senders use:
see the README of shared/istandaard on lexical variants.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import string
from collections.abc import Callable
from typing import ClassVar

from lxml import etree

from shared.istandaard.release import Berichtsoort
from shared.istandaard.xsd import Element, SimpleType


def _local_path(el: etree._Element) -> str:
    names = []
    while el is not None:
        names.append(etree.QName(el).localname)
        el = el.getparent()
    return "/" + "/".join(reversed(names))


def _elfproef_bsn(rnd: random.Random, valid: bool) -> str:
    while True:
        digits = [rnd.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        last = total % 11
        if valid and last < 10:
            return "".join(map(str, digits)) + str(last)
        if not valid:
            wrong = (last + rnd.randrange(1, 10)) % 11
            if wrong < 10:
                return "".join(map(str, digits)) + str(wrong)


def _date(rnd: random.Random) -> dt.date:
    return dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(-2200, 400))


def value_for(t: SimpleType, name: str, rnd: random.Random) -> str:
    """A plausible value of a simple type: valid for the XSD most of the time."""
    if t.codes:
        return rnd.choice(list(t.codes))
    if t.base == "date":
        return _date(rnd).isoformat()
    if t.base == "time":
        return f"{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}"
    if t.base == "integer":
        if t.patterns and t.patterns[-1].isdigit():
            return t.patterns[-1]
        lo = t.minimum or 0
        hi = min(t.maximum if t.maximum is not None else 10**6, lo + 100_000)
        return str(rnd.choice([lo, lo + 1, rnd.randint(lo, hi)]))
    pattern = t.patterns[-1] if t.patterns else ""
    if name == "Bsn":
        return _elfproef_bsn(rnd, rnd.random() < 0.7)
    if name == "Postcode":
        return rnd.choice(["3447GX", "1011AB", "0123AB", "3447 GX", "B-1000", "3447gx"])
    if name == "LandCode" or pattern.startswith("[0-9]{"):
        n = int(pattern[6:-1]) if pattern.startswith("[0-9]{") else 2
        return "".join(rnd.choice(string.digits) for _ in range(n))
    if pattern.isdigit():
        return pattern
    if "\\." in pattern:  # a version n.n.n
        return rnd.choice(["1.0.0", "1.2.0"])
    if pattern == "([a-zA-ZÀ-ỳ])+":
        return rnd.choice(["A", "AB", "JPM"])
    if pattern == "[0-9]*":
        return "".join(rnd.choice(string.digits) for _ in range(rnd.randint(1, 10)))
    hi = t.max_length or 12
    return rnd.choice(["A1", "X", "Ref 1", "R" + str(rnd.randint(1, 999))])[:hi]


def _build(decl: Element, rnd: random.Random) -> etree._Element:
    el = etree.Element(decl.tag)
    if decl.children is None:
        el.text = value_for(decl.type, decl.name, rnd)  # type: ignore[arg-type]
    else:
        for c in decl.children:
            if c.min >= 1 or rnd.random() < 0.3:
                el.append(_build(c, rnd))
    return el


class Mutator:
    """Mutations of messages of one kind."""

    def __init__(self, soort: Berichtsoort):
        self.soort = soort
        self.by_path: dict[str, Element] = {p: e for p, e in soort.schema.root.walk()}

    def decl(self, el: etree._Element) -> Element | None:
        return self.by_path.get(_local_path(el))

    def mutate(self, data: bytes, rnd: random.Random, steps: int) -> tuple[bytes, list[str]]:
        root = etree.fromstring(data)
        done = []
        for _ in range(steps):
            op = rnd.choices(list(self.OPS), weights=[w for w, _ in self.OPS.values()])[0]
            what = self.OPS[op][1](self, root, rnd)
            if what:
                done.append(what)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), done

    # ------------------------------------------------------------------ operations

    def _elements(self, root: etree._Element) -> list[etree._Element]:
        return [el for el in root.iter(etree.Element) if el is not root]

    def _leaves(self, root: etree._Element, base: str | None = None, codes: bool | None = None,
                name: str | None = None) -> list[tuple[etree._Element, Element]]:
        out = []
        for el in self._elements(root):
            d = self.decl(el)
            if d is None or d.type is None or (base and d.type.base != base) or \
                    (codes is not None and bool(d.type.codes) != codes) or (name and d.name != name):
                continue
            if "Header" in _local_path(el) and d.name in ("BerichtCode", "BerichtVersie", "BerichtSubversie"):
                continue
            out.append((el, d))
        return out

    def shift_date(self, root, rnd) -> str | None:
        leaves = self._leaves(root, base="date")
        if not leaves:
            return None
        el, d = rnd.choice(leaves)
        old = dt.date.fromisoformat(el.text.strip())
        how = rnd.choice(["days", "month", "year", "first", "last", "copy", "far"])
        if how == "days":
            new = old + dt.timedelta(days=rnd.choice([-31, -2, -1, 1, 2, 31]))
        elif how == "month":
            new = (old.replace(day=1) + dt.timedelta(days=rnd.choice([-1, 32]))).replace(day=min(old.day, 28))
        elif how == "year":
            new = old.replace(year=old.year + rnd.choice([-6, -5, -1, 1]), day=min(old.day, 28))
        elif how == "first":
            new = old.replace(day=1)
        elif how == "last":
            new = (old.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        elif how == "far":
            new = rnd.choice([dt.date(1900, 1, 1), dt.date(2020, 12, 31), dt.date(1890, 6, 1), dt.date(2030, 1, 1)])
        else:
            others = [e.text for e, _ in leaves if e is not el]
            if not others:
                return None
            el.text = rnd.choice(others)
            return f"{d.name} := another date"
        el.text = new.isoformat()
        return f"{d.name} {old} → {new}"

    def change_number(self, root, rnd) -> str | None:
        leaves = [(e, d) for e, d in self._leaves(root, base="integer") if not (d.type and d.type.patterns)]
        if not leaves:
            return None
        el, d = rnd.choice(leaves)
        old = int(el.text)
        others = [int(e.text) for e, _ in leaves if e is not el]
        new = rnd.choice([0, max(old - 1, 0), old + 1, old * 2, rnd.choice(others) if others else 7])
        el.text = str(new)
        return f"{d.name} {old} → {new}"

    def change_code(self, root, rnd) -> str | None:
        leaves = self._leaves(root, codes=True)
        if not leaves:
            return None
        el, d = rnd.choice(leaves)
        old, el.text = el.text, rnd.choice(list(d.type.codes))  # type: ignore[union-attr]
        return f"{d.name} {old} → {el.text}"

    def change_bsn(self, root, rnd) -> str | None:
        leaves = self._leaves(root, name="Bsn")
        if not leaves:
            return None
        el, _d = rnd.choice(leaves)
        others = [e.text for e, _ in leaves if e is not el]
        how = rnd.choice(["valid", "invalid", "zeros"] + (["copy"] if others else []))
        el.text = {"valid": lambda: _elfproef_bsn(rnd, True), "invalid": lambda: _elfproef_bsn(rnd, False),
                   "zeros": lambda: "000000000", "copy": lambda: rnd.choice(others)}[how]()
        return f"Bsn: {how}"

    # Codes the in-message rules turn on: a code change aims at these half of the time.
    RULE_CODES: ClassVar[dict[str, list[str]]] = {
                  "RedenWijziging": ["13", "01"], "NaamGebruik": ["6", "5", "1"], "VerzoekAntwoord": ["1", "2"],
                  "RedenAfwijzingVerzoek": ["8", "3"], "StatusAanlevering": ["2", "9", "1"], "Frequentie": ["2", "1"],
                  "Eenheid": ["83", "14", "04"], "DatumGebruik": ["1", "2", "3"], "Soort": ["04", "01", "03", "02"],
                  "Type": ["02", "06"], "LandCode": ["NL", "BE"], "Vorm": ["1", "2"]}

    def rule_code(self, root, rnd) -> str | None:
        """A value a rule turns on, for an element chosen by name (so a rare element is as likely as a common one)."""
        by_name: dict[str, list] = {}
        for e, d in self._leaves(root):
            if d.name in self.RULE_CODES or d.name == "Postcode":
                by_name.setdefault(d.name, []).append((e, d))
        if not by_name:
            return None
        el, d = rnd.choice(by_name[rnd.choice(sorted(by_name))])
        if d.name == "Postcode":
            codes = ["1011AB", "0123AB", "3447 GX", "3447gx", "B-1000"]
        else:
            codes = [c for c in self.RULE_CODES[d.name] if c in (d.type.codes or {})]  # type: ignore[union-attr]
        if not codes:
            return None
        old, el.text = el.text, rnd.choice(codes)
        return f"{d.name} {old} → {el.text}"

    def swap_dc(self, root, rnd) -> str | None:
        leaves = self._leaves(root, name="DebetCredit")
        if not leaves:
            return None
        el, _d = rnd.choice(leaves)
        el.text = "C" if el.text == "D" else "D"
        return f"DebetCredit → {el.text}"

    def copy_string(self, root, rnd) -> str | None:
        """A string value set to the value of another element of the same name: keys collide."""
        leaves = self._leaves(root, base="string", codes=False)
        by_name: dict[str, list] = {}
        for e, d in leaves:
            by_name.setdefault(d.name, []).append(e)
        pairs = [v for v in by_name.values() if len(v) > 1]
        if not pairs:
            if not leaves:
                return None
            el, d = rnd.choice(leaves)
            el.text = value_for(d.type, d.name, rnd)  # type: ignore[arg-type]
            return f"{d.name} := {el.text!r}"
        group = rnd.choice(pairs)
        a, b = rnd.sample(group, 2)
        a.text = b.text
        return f"{etree.QName(a).localname} copied"

    def copy_to_sibling(self, root, rnd) -> str | None:
        """A whole value copied from a sibling block: e.g. two lines with the same product and period."""
        groups = [list(p) for p in root.iter(etree.Element) if len(p) > 1]
        candidates = []
        for kids in groups:
            tags = [k.tag for k in kids if isinstance(k.tag, str)]
            for tag in set(tags):
                same = [k for k in kids if k.tag == tag]
                if len(same) > 1:
                    candidates.append(same)
        if not candidates:
            return None
        a, b = rnd.sample(rnd.choice(candidates), 2)
        leaves_a = [e for e in a.iter(etree.Element) if len(e) == 0]
        if not leaves_a:
            return None
        leaf = rnd.choice(leaves_a)
        chain = []
        el = leaf
        while el is not a:
            parent = el.getparent()
            chain.append((el.tag, [k for k in parent if k.tag == el.tag].index(el)))
            el = parent
        target = b
        for tag, i in reversed(chain):
            same = [k for k in target if k.tag == tag]
            if i >= len(same):
                return None
            target = same[i]
        if target is b:
            return None
        leaf.text = target.text
        return f"{etree.QName(leaf).localname} copied from a sibling {etree.QName(a).localname}"

    # Values that rules compare across element names: a credit pointing at a line of the same message, an end date
    # equal to or before a start date, a period on another period's dates.
    RELATED: ClassVar[dict[str, str]] = {
        "VorigReferentieNummer": "ReferentieNummer", "ReferentieNummer": "VorigReferentieNummer",
        "Einddatum": "Ingangsdatum", "Ingangsdatum": "Einddatum", "ToewijzingEinddatum": "ToewijzingIngangsdatum",
        "Begindatum": "Einddatum"}

    def cross_copy(self, root, rnd) -> str | None:
        leaves = [(e, d) for e, d in self._leaves(root) if d.name in self.RELATED]
        if not leaves:
            return None
        el, d = rnd.choice(leaves)
        sources = [e for e, dd in self._leaves(root, name=self.RELATED[d.name])]
        if not sources:
            return None
        el.text = rnd.choice(sources).text
        return f"{d.name} := a {self.RELATED[d.name]}"

    def zero_credit(self, root, rnd) -> str | None:
        amounts = [e for e in self._elements(root) if etree.QName(e).localname in
                   ("IngediendBedrag", "TotaalIngediendBedrag", "TotaalToegekendBedrag")]
        if not amounts:
            return None
        el = rnd.choice(amounts)
        el[0].text, el[1].text = "0", "C"
        return f"{etree.QName(el).localname} := 0 C"

    def duplicate(self, root, rnd) -> str | None:
        els = [e for e in self._elements(root) if (d := self.decl(e)) is not None and d.repeated]
        if not els:
            return None
        el = rnd.choice(els)
        el.addnext(copy.deepcopy(el))
        return f"{etree.QName(el).localname} duplicated"

    def remove(self, root, rnd) -> str | None:
        els = [e for e in self._elements(root) if (d := self.decl(e)) is not None and
               (d.min == 0 or (d.repeated and len([s for s in e.getparent() if s.tag == e.tag]) > 1))]
        if not els:
            return None
        by_name: dict[str, list] = {}
        for e in els:  # by name first: a rare optional element is as likely to go as a repeated common one
            by_name.setdefault(etree.QName(e).localname, []).append(e)
        el = rnd.choice(by_name[rnd.choice(sorted(by_name))])
        el.getparent().remove(el)
        return f"{etree.QName(el).localname} removed"

    def add_optional(self, root, rnd) -> str | None:
        options = []
        for el in [root, *self._elements(root)]:
            d = self.decl(el)
            if d is None or not d.children:
                continue
            present = {k.tag for k in el}
            for c in d.children:
                if c.min == 0 and c.tag not in present:
                    options.append((el, d, c))
        if not options:
            return None
        el, d, c = rnd.choice(options)
        new = _build(c, rnd)
        order = [x.tag for x in d.children]
        position = order.index(c.tag)
        before = [k for k in el if isinstance(k.tag, str) and k.tag in order and order.index(k.tag) > position]
        if before:
            before[0].addprevious(new)
        else:
            el.append(new)
        return f"{c.name} added"

    def out_of_order(self, root, rnd) -> str | None:
        els = [e for e in self._elements(root) if e.getnext() is not None]
        if not els:
            return None
        el = rnd.choice(els)
        sibling = el.getnext()
        el.getparent().remove(sibling)
        el.addprevious(sibling)
        return f"{etree.QName(el).localname} swapped with its next sibling"

    OPS: ClassVar[dict[str, tuple[float, Callable]]] = {
        "shift_date": (5, shift_date), "change_number": (4, change_number), "change_code": (4, change_code),
        "change_bsn": (2, change_bsn), "swap_dc": (2, swap_dc), "copy_string": (2, copy_string),
        "copy_to_sibling": (3, copy_to_sibling), "duplicate": (3, duplicate), "remove": (2, remove),
        "add_optional": (4, add_optional), "out_of_order": (0.5, out_of_order), "cross_copy": (2, cross_copy),
        "zero_credit": (0.5, zero_credit), "rule_code": (6, rule_code),
    }
