"""Writing iJw/iWmo messages in the element order of the official XSD, and checking what we write before it leaves.

The writer follows the same element tree the reader uses (read from the XSD by xsd.py), so element order and
namespaces cannot drift from the standard. It writes what it is given; `controleer_uitgaand` then holds the bytes
against levels 1 and 2 exactly as a receiver would. A message the back office makes that fails is a bug: it is
never sent (UitgaandBerichtOngeldig).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..models import Declaratieantwoord, Declaratiebericht, Header, Periode, Prestatie
from .problemen import ParseError, Problem
from .release import HUIDIGE, Berichtsoort, Release
from .xsd import Element

# (tag, name, repeated, children) per element, children None for a value: the writer's hot loop does no lookups.
_Node = tuple


@functools.cache
def _nodes(soort: Berichtsoort) -> tuple[_Node, ...]:
    def compile_(e: Element) -> _Node:
        return (e.tag, e.name, e.repeated, tuple(compile_(c) for c in e.children) if e.children is not None else None)
    return compile_(soort.schema.root)[3]


def prefixes(soort: Berichtsoort) -> dict[str, str]:
    """The prefixes the standard's own examples use: jw325 for the message, ijw/iwmo for the basisschema."""
    basis = soort.release.basis_namespace[soort.domein]
    return {soort.namespace.split("/")[5]: soort.namespace, basis.split("/")[3]: basis}


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _write_sequence(parent: etree._Element, values: dict, nodes: tuple[_Node, ...]) -> None:
    for tag, name, repeated, children in nodes:
        value = values.get(name)
        if value is None:
            continue
        for v in (value if repeated else (value,)):
            el = etree.SubElement(parent, tag)
            if children is not None:
                _write_sequence(el, v, children)
            else:
                el.text = _text(v)


def write_bericht(domein: str, berichttype: str, values: dict, release: Release = HUIDIGE) -> bytes:
    """Any message type from its values, shaped as the reader returns them (element names as keys, lists for
    repeated elements, absent or None for missing optional ones)."""
    soort = release.soort(domein, berichttype)
    root = etree.Element(soort.schema.root.tag, nsmap=prefixes(soort))
    _write_sequence(root, values, _nodes(soort))
    return _serialize(root)


def _serialize(root: etree._Element) -> bytes:
    # UTF-8 without BOM, with declaration; LF line ends (receivers must accept LF or CR/LF).
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------- 323 and 325 from the domain models


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
        clienten: dict[str, list] | None = None
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


# --------------------------------------------------------------------------- what we write, checked


@dataclass
class UitgaandBerichtOngeldig(Exception):
    """A message the back office made breaks the standard: a bug, never sent. The problems name rules and paths
    (BSNs masked), never a value that could identify a client."""

    berichttype: str
    problems: list[Problem]

    def __str__(self) -> str:
        rules = sorted({p.rule for p in self.problems})
        return f"outgoing {self.berichttype} breaks {', '.join(rules)} (first at {self.problems[0].path})"


def controleer_uitgaand(data: bytes) -> None:
    """Levels 1 and 2 of a message we are about to send, as its receiver will check them. Raises
    UitgaandBerichtOngeldig."""
    from .lezen import lees
    from .niveau2 import niveau2

    try:
        soort, _root, values = lees(data)
    except ParseError as exc:
        raise UitgaandBerichtOngeldig(exc.berichttype or "?", exc.problems) from None
    problems = niveau2(soort, values)
    if problems:
        raise UitgaandBerichtOngeldig(soort.berichttype, problems)
