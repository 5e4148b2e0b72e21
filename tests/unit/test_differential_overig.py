"""Level 1 of 302, 305–308 and 315–320 against the official XSDs (test oracle), in iJw and iWmo: the example,
a fuller variant that uses every optional part, hand-made broken variants and random mutations must get the same
verdict from our structure (shared/structuur_overig.py) and from the XSD.

The iWmo variants are made from the iJw examples by rewriting namespaces, BerichtCode and product categories and
by dropping the Jeugdwet-only elements. The XSD mirror has no WMO302/306/308/316/318/320: those oracles are made
in memory from the JW retour XSD the same way (namespaces, BerichtCode pattern, without the elements the WMO heen
XSD lacks), importing the iWmo basisschema. Nothing is written to disk.
"""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from shared.codec import BERICHTCODES, ParseError, read_bericht, validate_structure
from shared.structuur_overig import structures_overig
from tests import xsd_oracle
from tests.conftest import FIXTURES, XSD_DIR
from tests.xsd_oracle import mutate, ours_valid

HEEN = ("305", "307", "315", "317", "319")
RETOUR = {"302": "301", "306": "305", "308": "307", "316": "315", "318": "317", "320": "319"}
TYPES = ("302", "305", "306", "307", "308", "315", "316", "317", "318", "319", "320")
DOMAINS = ("jw", "wmo")
# Elements of the iJw XSDs that the iWmo ones lack (WMO315.xsd, WMO319.xsd; domain brief §4.1).
JW_ONLY = {"315": "GezagsdragerBekend", "316": "GezagsdragerBekend", "319": "Woonplaatsbeginsel",
           "320": "Woonplaatsbeginsel"}
WMO_CATEGORIES = {b"45": b"02", b"54": b"07"}

XS = "{http://www.w3.org/2001/XMLSchema}"


# --------------------------------------------------------------------------- the oracle


@functools.cache
def schema(domain: str, t: str) -> etree.XMLSchema:
    path = XSD_DIR / domain / f"{domain.upper()}{t}.xsd"
    derived = not path.exists()
    if derived:  # an iWmo retour XSD the mirror lacks: the iJw one with iWmo namespaces and BerichtCode
        assert domain == "wmo" and t in RETOUR, path
        text = (XSD_DIR / "jw" / f"JW{t}.xsd").read_text(encoding="utf-8")
        text = (text.replace("http://www.istandaarden.nl/ijw/3_2/", "http://www.istandaarden.nl/iwmo/3_2/")
                .replace(f"/3_2/jw{t}/", f"/3_2/wmo{t}/")
                .replace(f'<xs:pattern value="{BERICHTCODES["jw"][t]}"/>',
                         f'<xs:pattern value="{BERICHTCODES["wmo"][t]}"/>'))
    else:
        text = path.read_text(encoding="utf-8")
    # WMO315.xsd in the mirror has an example message pasted after the schema: keep the schema only.
    text = text[:text.index("</xs:schema>") + len("</xs:schema>")]
    # base_url makes the import of basisschema.xsd resolve next to the domain's own message XSDs.
    doc = etree.fromstring(text.encode(), etree.XMLParser(no_network=True),
                           base_url=str(XSD_DIR / domain / f"{domain.upper()}{t}.xsd"))
    if derived and t in JW_ONLY:
        for el in doc.iter(f"{XS}element"):
            if el.get("name") == JW_ONLY[t]:
                el.getparent().remove(el)
                break
        else:
            raise AssertionError(f"{JW_ONLY[t]} not in JW{t}.xsd")
    return etree.XMLSchema(doc)


def xsd_valid(data: bytes, domain: str, t: str) -> bool:
    return xsd_oracle.xsd_valid(schema(domain, t), data)


# --------------------------------------------------------------------------- documents


def voorbeeld(t: str) -> bytes:
    return (FIXTURES / f"jw{t}-voorbeeld.xml").read_bytes()


def sub(data: bytes, old: str, new: str, count: int = 1) -> bytes:
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode(), count)


def as_wmo(data: bytes, t: str) -> bytes:
    """The iWmo twin of an iJw message of type t."""
    data = data.replace(f"jw{t}".encode(), f"wmo{t}".encode()).replace(b"ijw", b"iwmo")
    data = re.sub(rb"(BerichtCode>)(\d+)(<)", lambda m: m[1] + BERICHTCODES["wmo"][t].encode() + m[3], data)
    data = re.sub(rb"(Categorie>)(\d+)(<)", lambda m: m[1] + WMO_CATEGORIES.get(m[2], m[2]) + m[3], data)
    if t in JW_ONLY:
        root = etree.fromstring(data)
        for el in list(root.iter(f"{{http://www.istandaarden.nl/iwmo/3_2/wmo{t}/schema}}{JW_ONLY[t]}")):
            el.getparent().remove(el)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def rc(p: str, *codes: str) -> str:
    return f"<{p}:RetourCodes>" + "".join(f"<{p}:RetourCode>{c}</{p}:RetourCode>" for c in codes or ("0200",)) + \
        f"</{p}:RetourCodes>"


def _fuller_subs(t: str, p: str, r: str) -> list[tuple[str, str]]:
    """(old, new) replacements that fill every optional part of an example of type t (prefix p); r is the
    RetourCodes a retour message needs in every added class, "" in a heen message."""
    kind = RETOUR.get(t, t)
    naam = [("</ijw:Datum>", "</ijw:Datum><ijw:DatumGebruik>2</ijw:DatumGebruik>"),
            ("<ijw:Voorletters>", "<ijw:Voornamen>Anna Maria</ijw:Voornamen><ijw:Voorletters>")]
    if kind == "301":
        return naam + [
            ("</ijw:Geslachtsnaam>", "</ijw:Geslachtsnaam><ijw:Partnernaam><ijw:Achternaam>Jansen</ijw:Achternaam>"
                                     "<ijw:Voorvoegsel>de</ijw:Voorvoegsel></ijw:Partnernaam>"),
            ("<ijw:Huisnummer>1</ijw:Huisnummer>", "<ijw:Huisnummer>1</ijw:Huisnummer>"
                                                   "<ijw:Huisletter>a</ijw:Huisletter>"
                                                   "<ijw:HuisnummerToevoeging>bis</ijw:HuisnummerToevoeging>"
                                                   "<ijw:AanduidingWoonadres>BY</ijw:AanduidingWoonadres>"),
            (f"</{p}:Adres>", f"</{p}:Adres><{p}:Organisatie>Gezinshuis De Linde</{p}:Organisatie>"
                              f"<{p}:Telefoon><ijw:Telefoon01><ijw:Telefoonnummer>0348123456</ijw:Telefoonnummer>"
                              f"<ijw:Landnummer>0031</ijw:Landnummer></ijw:Telefoon01><ijw:Telefoon02>"
                              f"<ijw:Telefoonnummer>0612345678</ijw:Telefoonnummer>"
                              f"<ijw:Landnummer>0031</ijw:Landnummer>"
                              f"</ijw:Telefoon02></{p}:Telefoon><{p}:Emailadres>info@example.org</{p}:Emailadres>"
                              f"<{p}:Periode><ijw:Begindatum>2026-01-01</ijw:Begindatum></{p}:Periode>"),
            (f"<{p}:Contactgegevens>", f"<{p}:Communicatie><ijw:Vorm>2</ijw:Vorm><ijw:Taal>Nederlands</ijw:Taal>"
                                       f"</{p}:Communicatie><{p}:JuridischeStatus>01</{p}:JuridischeStatus>"
                                       f"<{p}:WettelijkeVertegenwoordiging>06</{p}:WettelijkeVertegenwoordiging>"
                                       f"<{p}:Commentaar>Let op:\n  tweede regel.</{p}:Commentaar>"
                                       f"<{p}:Relaties><{p}:Relatie><{p}:Nummer>R1</{p}:Nummer>"
                                       f"<{p}:Volgorde>1</{p}:Volgorde><{p}:Soort>03</{p}:Soort>"
                                       f"<{p}:Geboortedatum><ijw:Datum>1985-01-31</ijw:Datum></{p}:Geboortedatum>"
                                       f"<{p}:Geslacht>1</{p}:Geslacht><{p}:Naam><ijw:Geslachtsnaam>"
                                       f"<ijw:Achternaam>Berg</ijw:Achternaam></ijw:Geslachtsnaam>"
                                       f"<ijw:NaamGebruik>1</ijw:NaamGebruik></{p}:Naam><{p}:Contact>"
                                       f"<{p}:Soort>02</{p}:Soort><{p}:Emailadres>a.berg@example.org</{p}:Emailadres>"
                                       f"{r}</{p}:Contact>{r}</{p}:Relatie></{p}:Relaties><{p}:Contactgegevens>"),
            (f"</{p}:ToegewezenProducten>", f"<{p}:ToegewezenProduct>"
                                            f"<{p}:ToewijzingNummer>400125</{p}:ToewijzingNummer>"
                                            f"<{p}:ReferentieAanbieder>VOT-2026-0001</{p}:ReferentieAanbieder>"
                                            f"<{p}:Product><ijw:Categorie>54</ijw:Categorie></{p}:Product>"
                                            f"<{p}:Toewijzingsdatum>2026-03-20</{p}:Toewijzingsdatum>"
                                            f"<{p}:Toewijzingstijd>10:15:00.5</{p}:Toewijzingstijd>"
                                            f"<{p}:Ingangsdatum>2026-04-01</{p}:Ingangsdatum>"
                                            f"<{p}:Einddatum>2026-12-31</{p}:Einddatum>"
                                            f"<{p}:RedenWijziging>04</{p}:RedenWijziging>"
                                            f"<{p}:Budget>250000</{p}:Budget>"
                                            f"<{p}:Commentaar>Budget voor diagnostiek</{p}:Commentaar>{r}"
                                            f"</{p}:ToegewezenProduct></{p}:ToegewezenProducten>"),
        ]
    if kind in ("305", "307"):
        item = "StartProduct" if kind == "305" else "StopProduct"
        stop = (f"<{p}:RedenBeeindiging>39</{p}:RedenBeeindiging><{p}:Einddatum>2026-05-31</{p}:Einddatum>"
                if kind == "307" else "")
        return naam + [
            ("</ijw:Achternaam>", "</ijw:Achternaam><ijw:Voorvoegsel>van</ijw:Voorvoegsel>"),
            (f"</{p}:{item}en>", f"<{p}:{item}><{p}:Product><ijw:Categorie>54</ijw:Categorie></{p}:Product>"
                                f"<{p}:Begindatum>2026-04-02</{p}:Begindatum>{stop}"
                                f"<{p}:StatusAanlevering>9</{p}:StatusAanlevering>{r}</{p}:{item}></{p}:{item}en>"),
        ]
    if kind == "315":
        return naam + [
            (f"<{p}:AangevraagdeProducten>", f"<{p}:GezagsdragerBekend>1</{p}:GezagsdragerBekend>"
                                             f"<{p}:Commentaar>Graag snel.\nTweede regel.</{p}:Commentaar>"
                                             f"<{p}:AangevraagdeProducten>"),
            (f"</{p}:ReferentieAanbieder>", f"</{p}:ReferentieAanbieder>"
                                            f"<{p}:BeschikkingNummer>77001</{p}:BeschikkingNummer>"),
            (f"</{p}:Product>", f"</{p}:Product><{p}:BeschikkingIngangsdatum>2026-04-20</{p}:BeschikkingIngangsdatum>"),
            (f"</{p}:Omvang>", f"</{p}:Omvang><{p}:Budget>120000</{p}:Budget>"),
            (f"</{p}:Verwijzer>", f"</{p}:Verwijzer><{p}:Raamcontract>2</{p}:Raamcontract>"
                                  f"<{p}:Commentaar>Zie verwijsbrief</{p}:Commentaar>"),
            (f"</{p}:AangevraagdeProducten>", f"<{p}:AangevraagdProduct>"
                                              f"<{p}:ReferentieAanbieder>VOT-2026-0008</{p}:ReferentieAanbieder>"
                                              f"<{p}:ToewijzingIngangsdatum>2026-05-01</{p}:ToewijzingIngangsdatum>"
                                              f"<{p}:Verwijzer><ijw:Type>06</ijw:Type></{p}:Verwijzer>{r}"
                                              f"</{p}:AangevraagdProduct></{p}:AangevraagdeProducten>"),
        ]
    if kind == "317":
        return [
            (f"<{p}:RedenVerzoek>1<", f"<{p}:RedenVerzoek>2<"),
            (f"</{p}:Omvang>", f"</{p}:Omvang><{p}:Budget>1000</{p}:Budget>"),
            (f"<{p}:TeWijzigenProducten>", f"<{p}:OngewijzigdeProducten><{p}:OngewijzigdProduct>"
                                           f"<{p}:ToewijzingNummer>400124</{p}:ToewijzingNummer>{r}"
                                           f"</{p}:OngewijzigdProduct><{p}:OngewijzigdProduct>"
                                           f"<{p}:ToewijzingNummer>400126</{p}:ToewijzingNummer>{r}"
                                           f"</{p}:OngewijzigdProduct></{p}:OngewijzigdeProducten>"
                                           f"<{p}:TeWijzigenProducten>"),
            (f"</{p}:TeWijzigenProducten>", f"</{p}:TeWijzigenProducten><{p}:NieuweProducten><{p}:NieuwProduct>"
                                            f"<{p}:Product><ijw:Categorie>54</ijw:Categorie><ijw:Code>54B02</ijw:Code>"
                                            f"</{p}:Product>"
                                            f"<{p}:GewensteIngangsdatum>2026-06-01</{p}:GewensteIngangsdatum>"
                                            f"<{p}:Einddatum>2026-12-31</{p}:Einddatum>"
                                            f"<{p}:Omvang><ijw:Volume>1</ijw:Volume><ijw:Eenheid>83</ijw:Eenheid>"
                                            f"<ijw:Frequentie>4</ijw:Frequentie></{p}:Omvang>"
                                            f"<{p}:Budget>250000</{p}:Budget>{r}</{p}:NieuwProduct><{p}:NieuwProduct>"
                                            f"<{p}:GewensteIngangsdatum>2026-07-01</{p}:GewensteIngangsdatum>{r}"
                                            f"</{p}:NieuwProduct></{p}:NieuweProducten>"),
        ]
    assert kind == "319", t
    return [
        (f"<{p}:RedenAfwijzingVerzoek>3<", f"<{p}:RedenAfwijzingVerzoek>8<"),
        (f"</{p}:RedenAfwijzingVerzoek>", f"</{p}:RedenAfwijzingVerzoek><{p}:Woonplaatsbeginsel>"
                                          f"<{p}:Gemeente>0344</{p}:Gemeente>{r}</{p}:Woonplaatsbeginsel>"),
    ]


def fuller_jw(t: str) -> bytes:
    p = f"jw{t}"
    data = voorbeeld(t)
    subs = _fuller_subs(t, p, rc(p) if t in RETOUR else "")
    if t in RETOUR:
        subs += [(f"</{p}:DagtekeningRetour>", f"</{p}:DagtekeningRetour><{p}:XsltVersie>1.2.0</{p}:XsltVersie>"),
                 (f"</{p}:XsdVersieRetour>", f"</{p}:XsdVersieRetour>{rc(p, '0200', '8848')}")]
    for old, new in subs:
        data = sub(data, old, new)
    return data


@functools.cache
def example(domain: str, t: str, full: bool = False) -> bytes:
    data = fuller_jw(t) if full else voorbeeld(t)
    return data if domain == "jw" else as_wmo(data, t)


# --------------------------------------------------------------------------- examples and fuller variants


def test_every_type_is_known_to_the_codec_in_both_domains():
    for t in TYPES:
        for d in DOMAINS:
            domein, berichttype, root = read_bericht(example(d, t))
            assert (domein, berichttype) == (d, t)
            validate_structure(root, d, t)


@pytest.mark.parametrize("full", [False, True], ids=["example", "fuller"])
@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("t", TYPES)
def test_the_example_and_the_fuller_variant_are_valid_for_both(t, domain, full):
    data = example(domain, t, full)
    assert xsd_valid(data, domain, t), schema(domain, t).error_log
    assert ours_valid(data)


def _names(spec) -> set[str]:
    out = set()
    for e in spec:
        out.add(e.name)
        if isinstance(e.type, tuple):
            out |= _names(e.type)
    return out


@pytest.mark.parametrize("t", TYPES)
def test_the_fuller_variant_uses_every_element_of_the_structure(t):
    used = {etree.QName(el).localname for el in etree.fromstring(example("jw", t, True)).iter(etree.Element)}
    assert _names(structures_overig(BERICHTCODES)[t]) - used == set()


# --------------------------------------------------------------------------- hand-made variants


def _cases() -> dict[str, tuple[str, str, bytes]]:
    cases: dict[str, tuple[str, str, bytes]] = {}

    def prefixes(domain: str, t: str) -> dict[str, str]:
        return {"p": f"{'jw' if domain == 'jw' else 'wmo'}{t}", "b": "ijw" if domain == "jw" else "iwmo"}

    def add(name: str, t: str, old: str, new: str, domain: str = "jw", full: bool = True, count: int = 1):
        """A plain text replacement in the example ({p}/{b} are the message and basisschema prefixes)."""
        f = prefixes(domain, t)
        cases[f"{domain}{t}: {name}"] = (domain, t, sub(example(domain, t, full), old.format(**f), new.format(**f),
                                                         count))

    def rx(name: str, t: str, pattern: str, repl: str, domain: str = "jw", full: bool = True):
        """A regex replacement ({p}/{b} as in add; DOTALL), which must match."""
        f = prefixes(domain, t)
        data, n = re.subn(pattern.format(**f).encode(), repl.format(**f).encode(), example(domain, t, full),
                          count=1, flags=re.S)
        assert n == 1, (name, pattern)
        cases[f"{domain}{t}: {name}"] = (domain, t, data)

    def drop(name: str, t: str, element: str, domain: str = "jw", full: bool = True, last: bool = False):
        """Remove the first (or last) occurrence of a message-namespace element with everything in it."""
        data = example(domain, t, full)
        root = etree.fromstring(data)
        ns = f"http://www.istandaarden.nl/{'ijw' if domain == 'jw' else 'iwmo'}/3_2/{prefixes(domain, t)['p']}/schema"
        found = list(root.iter(f"{{{ns}}}{element}"))
        assert found, (name, element)
        el = found[-1] if last else found[0]
        el.getparent().remove(el)
        cases[f"{domain}{t}: {name}"] = (domain, t, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    # Every type, both domains: header
    for t in TYPES:
        for d in DOMAINS:
            add("wrong BerichtCode", t, "<{p}:BerichtCode>", "<{p}:BerichtCode>9", d)
            add("the 323's BerichtCode", t, f">{BERICHTCODES[d][t]}<", f">{BERICHTCODES[d]['323']}<", d)
            add("BerichtSubversie 1", t, "<{p}:BerichtSubversie>2<", "<{p}:BerichtSubversie>1<", d)
            rx("Afzender and Ontvanger values swapped", t,
               r"<{p}:Afzender>(\d+)</{p}:Afzender>(\s*)<{p}:Ontvanger>(\d+)</{p}:Ontvanger>",
               r"<{p}:Afzender>\3</{p}:Afzender>\2<{p}:Ontvanger>\1</{p}:Ontvanger>", d)
            drop("without BerichtIdentificatie", t, "BerichtIdentificatie", d)
        rx("empty Identificatie", t, r"<{b}:Identificatie>[^<]*<", "<{b}:Identificatie><")
        rx("Identificatie 13 characters", t, r"<{b}:Identificatie>[^<]*<", "<{b}:Identificatie>ABCDEFGHIJKLM<")
        add("unknown element after the header", t, "</{p}:Header>", "</{p}:Header><{p}:Extra>x</{p}:Extra>")
        add("BerichtXsdVersie 1.0", t, "<{b}:BerichtXsdVersie>1.0.0<", "<{b}:BerichtXsdVersie>1.0<")
        add("attribute on the header", t, "<{p}:Header>", '<{p}:Header id="h">')
        add("text between header elements", t, "</{p}:BerichtVersie>", "</{p}:BerichtVersie>tekst")

    # Retour headers and RetourCodes
    for t in RETOUR:
        for d in DOMAINS:
            drop("without IdentificatieRetour", t, "IdentificatieRetour", d)
            rx("without the body (nothing rejected)", t, r"(</{p}:Header>).*(</{p}:Bericht>)", r"\1\2", d, False)
            drop("without the header RetourCodes (optional)", t, "RetourCodes", d)
        drop("without DagtekeningRetour", t, "DagtekeningRetour")
        drop("without XsdVersieRetour", t, "XsdVersieRetour")
        rx("DagtekeningRetour 2026-02-29", t, r"<{p}:DagtekeningRetour>[^<]*<", "<{p}:DagtekeningRetour>2026-02-29<")
        rx("IdentificatieRetour 13 characters", t, r"<{p}:IdentificatieRetour>([^<]*)<",
           r"<{p}:IdentificatieRetour>XXXXXXXXXXXXX<")
        rx("IdentificatieRetour blank", t, r"<{p}:IdentificatieRetour>[^<]*<", "<{p}:IdentificatieRetour>   <")
        add("XsltVersie 1.2", t, ">1.2.0</{p}:XsltVersie>", ">1.2</{p}:XsltVersie>")
        rx("XsltVersie after XsdVersieRetour", t, r"(<{p}:XsltVersie>[^<]*</{p}:XsltVersie>)(\s*)"
           r"(<{p}:XsdVersieRetour>.*?</{p}:XsdVersieRetour>)", r"\3\2\1")
        rx("IdentificatieRetour after DagtekeningRetour", t,
           r"(<{p}:IdentificatieRetour>[^<]*</{p}:IdentificatieRetour>)(\s*)"
           r"(<{p}:DagtekeningRetour>[^<]*</{p}:DagtekeningRetour>)", r"\3\2\1")
        add("empty header RetourCodes", t, "<{p}:RetourCode>0200</{p}:RetourCode><{p}:RetourCode>8848</{p}:RetourCode>",
            "")
        add("unknown RetourCode", t, "<{p}:RetourCode>8848<", "<{p}:RetourCode>9999<")
        add("empty RetourCode", t, "<{p}:RetourCode>8848<", "<{p}:RetourCode><")
        add("RetourCode with a space", t, "<{p}:RetourCode>8848<", "<{p}:RetourCode>8848 <")
        add("RetourCode in the basisschema namespace", t, "<{p}:RetourCode>8848</{p}:RetourCode>",
            "<{b}:RetourCode>8848</{b}:RetourCode>")
        add("RetourCodes after XsdVersie", t, "</{p}:XsdVersie>", "</{p}:XsdVersie>" + rc("{p}"))
        drop("last RetourCodes of the body missing", t, "RetourCodes", last=True)
        add("two RetourCodes wrappers in the body", t, "</{p}:RetourCodes>", "</{p}:RetourCodes>" + rc("{p}"),
            count=2)
        drop("without XsltVersie (optional)", t, "XsltVersie")

    # Heen messages: no retour parts, body required
    for t in HEEN:
        add("retour header in a heen message", t, "</{p}:XsdVersie>",
            "</{p}:XsdVersie><{p}:IdentificatieRetour>R1</{p}:IdentificatieRetour>"
            "<{p}:DagtekeningRetour>2026-05-01</{p}:DagtekeningRetour>"
            "<{p}:XsdVersieRetour><{b}:BasisschemaXsdVersie>1.0.0</{b}:BasisschemaXsdVersie>"
            "<{b}:BerichtXsdVersie>1.0.0</{b}:BerichtXsdVersie></{p}:XsdVersieRetour>")
        rx("without the body", t, r"(</{p}:Header>).*(</{p}:Bericht>)", r"\1\2", full=False)
        add("RetourCodes in a heen message", t, "</{p}:Header>", rc("{p}") + "</{p}:Header>")

    # Start and stop
    for t in ("305", "306", "307", "308"):
        item = "StartProduct" if t in ("305", "306") else "StopProduct"
        add("StatusAanlevering 4", t, "<{p}:StatusAanlevering>1<", "<{p}:StatusAanlevering>4<")
        add("StatusAanlevering 2 (level 2 forbids it, the XSD allows it)", t, "<{p}:StatusAanlevering>1<",
            "<{p}:StatusAanlevering>2<")
        drop("without Begindatum", t, "Begindatum")
        drop("without StatusAanlevering", t, "StatusAanlevering")
        drop("without ToewijzingNummer (optional)", t, "ToewijzingNummer")
        rx("ToewijzingIngangsdatum after Begindatum", t,
           r"(<{p}:ToewijzingIngangsdatum>[^<]*</{p}:ToewijzingIngangsdatum>)(\s*)"
           r"(<{p}:Begindatum>[^<]*</{p}:Begindatum>)",
           r"\3\2\1")
        add("Naam with NaamGebruik (only in the full name)", t, "</{b}:Voorletters>",
            "</{b}:Voorletters><{b}:NaamGebruik>1</{b}:NaamGebruik>")
        add("Naam with Partnernaam", t, "</{b}:Geslachtsnaam>",
            "</{b}:Geslachtsnaam><{b}:Partnernaam><{b}:Achternaam>X</{b}:Achternaam></{b}:Partnernaam>")
        rx(f"empty {item}en", t, f"<{{p}}:{item}en>.*</{{p}}:{item}en>", f"<{{p}}:{item}en></{{p}}:{item}en>")
        add("Geslacht 3", t, "<{p}:Geslacht>2<", "<{p}:Geslacht>3<")
        add("DatumGebruik 4", t, "<{b}:DatumGebruik>2<", "<{b}:DatumGebruik>4<")
        add("Product without Categorie", t, "<{b}:Categorie>45</{b}:Categorie>", "")
        add("Bsn 10 digits", t, ">999990019<", ">9999900190<")
        add("Bsn failing the 11-proef (level 2, valid here)", t, ">999990019<", ">999990018<")
        add("ToewijzingNummer negative", t, ">400123<", ">-400123<")
        add("ToewijzingNummer +400123", t, ">400123<", ">+400123<")
        add("Voorletters 7", t, "<{b}:Voorletters>A<", "<{b}:Voorletters>ABCDEFG<")
    for t in ("307", "308"):
        for d, code in (("jw", "32"), ("jw", "19"), ("jw", "21"), ("jw", "2"), ("wmo", "19"), ("wmo", "23"),
                        ("wmo", "32"), ("wmo", "35")):
            add(f"RedenBeeindiging {code}", t, "<{p}:RedenBeeindiging>20<", f"<{{p}}:RedenBeeindiging>{code}<", d)
        drop("without Einddatum", t, "Einddatum")
        drop("without RedenBeeindiging", t, "RedenBeeindiging")
        rx("Einddatum before RedenBeeindiging", t,
           r"(<{p}:RedenBeeindiging>[^<]*</{p}:RedenBeeindiging>)(\s*)(<{p}:Einddatum>[^<]*</{p}:Einddatum>)",
           r"\3\2\1")

    # Requests for an allocation (VOT)
    for t in ("315", "316"):
        add("ReferentieAanbieder 36", t, ">VOT-2026-0007<", ">" + "V" * 36 + "<")
        add("ReferentieAanbieder 37", t, ">VOT-2026-0007<", ">" + "V" * 37 + "<")
        add("ReferentieAanbieder blank", t, ">VOT-2026-0007<", ">  <")
        add("Verwijzer Type 07", t, "<{b}:Type>02<", "<{b}:Type>07<")
        add("Verwijzer Type 2", t, "<{b}:Type>02<", "<{b}:Type>2<")
        add("Verwijzer without Type", t, "<{b}:Type>02</{b}:Type>", "")
        add("Verwijzer Naam 64", t, ">Huisartsenpraktijk Voorbeeld<", ">" + "H" * 64 + "<")
        add("Verwijzer Naam 65", t, ">Huisartsenpraktijk Voorbeeld<", ">" + "H" * 65 + "<")
        add("ZorgverlenerCode 7 digits", t, ">01234567<", ">0123456<")
        drop("without Verwijzer", t, "Verwijzer", last=True)
        drop("without ToewijzingIngangsdatum", t, "ToewijzingIngangsdatum")
        drop("without ReferentieAanbieder", t, "ReferentieAanbieder")
        add("Raamcontract 0", t, "<{p}:Raamcontract>2<", "<{p}:Raamcontract>0<")
        add("Omvang without Frequentie", t, "<{b}:Frequentie>2</{b}:Frequentie>", "")
        add("Frequentie 3", t, "<{b}:Frequentie>2<", "<{b}:Frequentie>3<")
        add("Eenheid 05", t, "<{b}:Eenheid>04<", "<{b}:Eenheid>05<")
        add("BeschikkingNummer with letter", t, ">77001<", ">7700A<")
        add("Budget 100000000", t, ">120000<", ">100000000<")
        add("Commentaar only whitespace", t, ">Zie verwijsbrief<", "> \n <")
        add("GezagsdragerBekend 3", t, "<{p}:GezagsdragerBekend>1<", "<{p}:GezagsdragerBekend>3<")
        rx("GezagsdragerBekend after Commentaar", t, r"(<{p}:GezagsdragerBekend>1</{p}:GezagsdragerBekend>)"
           r"(<{p}:Commentaar>[^<]*</{p}:Commentaar>)", r"\2\1")
        add("wmo category in jw", t, "<{b}:Categorie>45<", "<{b}:Categorie>02<")
        add("jw category in wmo", t, "<{b}:Categorie>02<", "<{b}:Categorie>45<", "wmo")
        add("GezagsdragerBekend in iWmo", t, "<{p}:AangevraagdeProducten>",
            "<{p}:GezagsdragerBekend>1</{p}:GezagsdragerBekend><{p}:AangevraagdeProducten>", "wmo", False)
        add("empty GezagsdragerBekend in iWmo", t, "<{p}:AangevraagdeProducten>",
            "<{p}:GezagsdragerBekend></{p}:GezagsdragerBekend><{p}:AangevraagdeProducten>", "wmo", False)
        add("Bsn with letter", t, ">123456782<", ">12345678X<")

    # Requests for a change (VOW)
    for t in ("317", "318"):
        add("RedenVerzoek 3", t, "<{p}:RedenVerzoek>2<", "<{p}:RedenVerzoek>3<")
        add("RedenVerzoek 01", t, "<{p}:RedenVerzoek>2<", "<{p}:RedenVerzoek>01<")
        drop("without ReferentieAanbieder", t, "ReferentieAanbieder")
        add("OngewijzigdProduct without ToewijzingNummer", t, "<{p}:ToewijzingNummer>400124</{p}:ToewijzingNummer>",
            "")
        add("OngewijzigdProduct with GewensteIngangsdatum", t, "<{p}:ToewijzingNummer>400124</{p}:ToewijzingNummer>",
            "<{p}:ToewijzingNummer>400124</{p}:ToewijzingNummer>"
            "<{p}:GewensteIngangsdatum>2026-06-01</{p}:GewensteIngangsdatum>")
        drop("TeWijzigenProduct without GewensteIngangsdatum", t, "GewensteIngangsdatum")
        add("NieuwProduct with ToewijzingNummer", t, "<{p}:NieuwProduct><{p}:Product>",
            "<{p}:NieuwProduct><{p}:ToewijzingNummer>1</{p}:ToewijzingNummer><{p}:Product>")
        rx("NieuweProducten before TeWijzigenProducten", t,
           r"(<{p}:TeWijzigenProducten>.*</{p}:TeWijzigenProducten>)(<{p}:NieuweProducten>.*</{p}:NieuweProducten>)",
           r"\2\1")
        rx("empty NieuweProducten", t, r"<{p}:NieuweProducten>.*</{p}:NieuweProducten>",
           "<{p}:NieuweProducten></{p}:NieuweProducten>")
        rx("Verzoek without product lists (the XSD allows it)", t,
           r"<{p}:TeWijzigenProducten>.*</{p}:TeWijzigenProducten>", "", full=False)
        add("Budget -1", t, "<{p}:Budget>1000<", "<{p}:Budget>-1<")
        add("Volume 100000000", t, "<{b}:Volume>6<", "<{b}:Volume>100000000<")
        drop("Client without Bsn", t, "Bsn")
        add("Client with Geboortedatum (not in a VOW)", t, "</{p}:Bsn>",
            "</{p}:Bsn><{p}:Geboortedatum><{b}:Datum>2014-06-15</{b}:Datum></{p}:Geboortedatum>")

    # Answers to requests
    for t in ("319", "320"):
        add("VerzoekAntwoord 3", t, "<{p}:VerzoekAntwoord>1<", "<{p}:VerzoekAntwoord>3<")
        add("VerzoekAntwoord 2", t, "<{p}:VerzoekAntwoord>1<", "<{p}:VerzoekAntwoord>2<")
        add("RedenAfwijzingVerzoek 10", t, "<{p}:RedenAfwijzingVerzoek>8<", "<{p}:RedenAfwijzingVerzoek>10<")
        add("RedenAfwijzingVerzoek 0", t, "<{p}:RedenAfwijzingVerzoek>8<", "<{p}:RedenAfwijzingVerzoek>0<")
        add("RedenAfwijzingVerzoek 08", t, "<{p}:RedenAfwijzingVerzoek>8<", "<{p}:RedenAfwijzingVerzoek>08<")
        drop("without RedenAfwijzingVerzoek", t, "RedenAfwijzingVerzoek")
        drop("without VerzoekAntwoord", t, "VerzoekAntwoord")
        add("Woonplaatsbeginsel Gemeente 5 digits", t, ">0344<", ">03440<")
        add("Woonplaatsbeginsel without Gemeente", t, "<{p}:Gemeente>0344</{p}:Gemeente>", "")
        rx("Woonplaatsbeginsel before RedenAfwijzingVerzoek", t,
           r"(<{p}:RedenAfwijzingVerzoek>8</{p}:RedenAfwijzingVerzoek>)(<{p}:Woonplaatsbeginsel>.*"
           r"</{p}:Woonplaatsbeginsel>)", r"\2\1")
        drop("Antwoord without ReferentieAanbieder", t, "ReferentieAanbieder")
        add("Antwoord with Bsn", t, "<{p}:ReferentieAanbieder>",
            "<{p}:Bsn>999990019</{p}:Bsn><{p}:ReferentieAanbieder>")
        for full in (False, True):
            add("Woonplaatsbeginsel in iWmo" + (" (fuller)" if full else ""), t, "</{p}:RedenAfwijzingVerzoek>",
                "</{p}:RedenAfwijzingVerzoek><{p}:Woonplaatsbeginsel><{p}:Gemeente>0344</{p}:Gemeente>"
                + (rc("{p}") if t == "320" else "") + "</{p}:Woonplaatsbeginsel>", "wmo", full)
        add("empty Woonplaatsbeginsel in iWmo", t, "</{p}:RedenAfwijzingVerzoek>",
            "</{p}:RedenAfwijzingVerzoek><{p}:Woonplaatsbeginsel/>", "wmo")
    add("Woonplaatsbeginsel without RetourCodes", "320", "</{p}:Gemeente>" + rc("{p}"), "</{p}:Gemeente>")
    drop("Antwoord without RetourCodes", "320", "RetourCodes", last=True)

    # Allocation retour (302)
    add("Relatie without RetourCodes", "302", "</{p}:Contact>" + rc("{p}") + "</{p}:Relatie>",
        "</{p}:Contact></{p}:Relatie>")
    add("Relatie Contact without RetourCodes", "302",
        "<{p}:Emailadres>a.berg@example.org</{p}:Emailadres>" + rc("{p}"),
        "<{p}:Emailadres>a.berg@example.org</{p}:Emailadres>")
    add("ToegewezenProduct RetourCodes before Commentaar", "302",
        "<{p}:Commentaar>Budget voor diagnostiek</{p}:Commentaar>" + rc("{p}"),
        rc("{p}") + "<{p}:Commentaar>Budget voor diagnostiek</{p}:Commentaar>")
    add("Toewijzingstijd with zone", "302", ">10:15:00<", ">10:15:00Z<")
    add("RedenWijziging 15", "302", ">04</{p}:RedenWijziging>", ">15</{p}:RedenWijziging>")
    add("SoortRelatie 02", "302", "<{p}:Soort>03<", "<{p}:Soort>02<")
    add("Voorletters with digit", "302", "<{b}:Voorletters>A<", "<{b}:Voorletters>A1<")
    drop("without ToegewezenProducten", "302", "ToegewezenProducten")
    drop("without Contactgegevens", "302", "Contactgegevens")
    rx("Naam without NaamGebruik", "302", r"<{b}:NaamGebruik>1</{b}:NaamGebruik>(\s*</{p}:Naam>)", r"\1")
    add("jw category in wmo", "302", "<{b}:Categorie>02<", "<{b}:Categorie>45<", "wmo")
    add("wmo category 18", "302", "<{b}:Categorie>07<", "<{b}:Categorie>18<", "wmo")
    add("wmo category 19", "302", "<{b}:Categorie>07<", "<{b}:Categorie>19<", "wmo")
    return cases


CASES = _cases()


@pytest.mark.parametrize("name", CASES)
def test_level1_agrees_with_the_official_xsd(name):
    domain, t, data = CASES[name]
    ours, xsd = ours_valid(data), xsd_valid(data, domain, t)
    assert ours == xsd, f"{name}: ours={ours} xsd={xsd}\n{schema(domain, t).error_log}"


@pytest.mark.parametrize("t", TYPES)
def test_the_cases_cover_both_verdicts_per_type(t):
    verdicts = {xsd_valid(data, d, tt) for d, tt, data in CASES.values() if tt == t}
    assert verdicts == {True, False}


@pytest.mark.parametrize("name, valid", [
    ("jw320: without IdentificatieRetour", False), ("wmo306: without IdentificatieRetour", False),
    ("jw302: without the body (nothing rejected)", True), ("wmo316: GezagsdragerBekend in iWmo", False),
    ("wmo319: Woonplaatsbeginsel in iWmo", False),
    ("jw307: RedenBeeindiging 19", False), ("wmo308: RedenBeeindiging 19", True),
    ("wmo307: RedenBeeindiging 32", False), ("jw318: Verzoek without product lists (the XSD allows it)", True),
    ("jw306: StatusAanlevering 2 (level 2 forbids it, the XSD allows it)", True)])
def test_some_verdicts_are_what_the_standard_says(name, valid):
    domain, t, data = CASES[name]
    assert (ours_valid(data), xsd_valid(data, domain, t)) == (valid, valid)


@pytest.mark.parametrize("t, element", sorted(JW_ONLY.items()))
def test_a_jeugdwet_only_element_in_iwmo_is_reported_by_name(t, element):
    domein, berichttype, root = read_bericht(CASES[f"wmo{t}: {element} in iWmo"][2])
    with pytest.raises(ParseError) as exc:
        validate_structure(root, domein, berichttype)
    assert any(element in p.path for p in exc.value.problems), exc.value.problems


# --------------------------------------------------------------------------- random mutations


TEXTS = st.one_of(st.sampled_from(["", " ", "0", "-1", "+1", "1", "2", "3", "4", "8", "9", "10", "01", "02", "06",
                                   "07", "08", "19", "20", "23", "32", "35", "39", "45", "54", "0200", "8848", "9999",
                                   "0344", "87654321", "1.0.0", "1.0", "2026-02-29", "2024-02-29", "10:15:00",
                                   "999990019", "V" * 37, "...", " . ", "é", "  12  "]),
                  st.text(max_size=12))


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("t", TYPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_get_the_same_verdict_as_the_xsd(t, domain, data):
    mutated = mutate(example(domain, t, True), data, TEXTS)
    ours, xsd = ours_valid(mutated), xsd_valid(mutated, domain, t)
    assert ours == xsd, f"ours={ours} xsd={xsd}\n{mutated.decode()[:4000]}"
