"""Valid messages of every kind in both domains to start tests from: the release's examples, fuller variants that
use every optional part, and the iWmo twins made from the iJw ones (namespaces, BerichtCode, product categories
rewritten and the Jeugdwet-only elements dropped)."""

from __future__ import annotations

import functools
import re

from lxml import etree

from shared.istandaard.release import HUIDIGE

VOORBEELDEN = HUIDIGE.voorbeelden
BERICHTCODES = HUIDIGE.berichtcodes
RETOUR = {"302": "301", "306": "305", "308": "307", "316": "315", "318": "317", "320": "319"}
# Elements of the iJw XSDs that the iWmo ones lack (WMO315.xsd, WMO319.xsd; domain brief §4.1).
JW_ONLY = {"315": "GezagsdragerBekend", "316": "GezagsdragerBekend", "319": "Woonplaatsbeginsel",
           "320": "Woonplaatsbeginsel"}
WMO_CATEGORIES = {b"45": b"02", b"54": b"07", b"43": b"03"}
TYPES = tuple(sorted(HUIDIGE.berichttypes))
DOMAINS = ("jw", "wmo")


def voorbeeld(t: str) -> bytes:
    name = "jw325-voorbeeld-0611.xml" if t == "325" else f"jw{t}-voorbeeld.xml"
    return (VOORBEELDEN / name).read_bytes()


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
        for el in list(root.iter(f"{{{HUIDIGE.soort('wmo', t).namespace}}}{JW_ONLY[t]}")):
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
    """The example of type t (full: with every optional part; the 323 and 325 have no fuller variant)."""
    data = fuller_jw(t) if full and t not in ("323", "325") else voorbeeld(t)
    return data if domain == "jw" else as_wmo(data, t)




def boundary(domain: str, t: str) -> bytes | None:
    """The fuller variant with values right at the boundary of rules whose conditions take several steps to reach
    at random (the 301: a product deleted with RedenWijziging 13, end date equal to its start), or None."""
    if t != "301":
        return None
    p = "jw301"
    data = sub(fuller_jw(t), f"<{p}:RedenWijziging>04</{p}:RedenWijziging>",
               f"<{p}:RedenWijziging>13</{p}:RedenWijziging>")
    data = sub(data, f"<{p}:Einddatum>2026-12-31</{p}:Einddatum>", f"<{p}:Einddatum>2026-04-01</{p}:Einddatum>")
    return data if domain == "jw" else as_wmo(data, t)
