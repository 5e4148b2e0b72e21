"""Differential test: the project's own level-1 verdict must agree with the official 3.2 XSDs (test oracle,
kept outside the repository) on the example, on hand-made broken variants and on random mutations."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from shared.codec import ParseError, parse_323, validate_structure, write_325
from shared.models import Declaratieantwoord, Header
from tests import xsd_oracle
from tests.conftest import FIXTURES
from tests.xsd_oracle import mutate

VOORBEELD = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()


SCHEMA_323 = {"jw": xsd_oracle.schema("jw", "JW323.xsd"), "wmo": xsd_oracle.schema("wmo", "WMO323.xsd")}
SCHEMA_325 = xsd_oracle.schema("jw", "JW325.xsd")


def ours_valid(data: bytes) -> bool:
    try:
        parse_323(data)
        return True
    except ParseError:
        return False


def xsd_valid(data: bytes, domain: str = "jw") -> bool:
    return xsd_oracle.xsd_valid(SCHEMA_323[domain], data)


def agree(data: bytes, domain: str = "jw") -> tuple[bool, bool]:
    return ours_valid(data), xsd_valid(data, domain)


def sub(old: str, new: str, count: int = 1) -> bytes:
    assert old.encode() in VOORBEELD, old
    return VOORBEELD.replace(old.encode(), new.encode(), count)


P = "<jw323:"
CASES = {
    "example": VOORBEELD,
    "missing DeclaratieNummer": sub("<jw323:DeclaratieNummer>D202604001</jw323:DeclaratieNummer>", ""),
    "DeclaratieNummer with dash (CS319)": sub(">D202604001<", ">D2026-0401<"),
    "DeclaratieNummer 13 chars": sub(">D202604001<", ">D202604001XY<"),
    "DeclaratieNummer 12 chars": sub(">D202604001<", ">D202604001X<"),
    "Identificatie 13 chars": sub(">DCL2605-0001<", ">DCL2605-00001<"),
    "Identificatie blank": sub(">DCL2605-0001<", ">   <"),
    "empty ProductCode": sub(">45A07<", "><"),
    "ProductCode 6 chars": sub(">45A07<", ">45A070<"),
    "ProductCode with spaces only": sub(">45A07<", ">  <"),
    "ReferentieNummer 21 chars": sub(">P20260504000001<", ">P2026050400000100000<"),
    "ReferentieNummer 20 chars": sub(">P20260504000001<", ">P202605040000010000<"),
    "ReferentieNummer whitespace only": sub(">P20260504000001<", "> <"),
    "wmo category in jw message": sub("ProductCategorie>45<", "ProductCategorie>02<", 2),
    "unknown Eenheid": sub("<jw323:Eenheid>04<", "<jw323:Eenheid>05<"),
    "Eenheid with space": sub("<jw323:Eenheid>04<", "<jw323:Eenheid> 04<"),
    "DebetCredit X": sub("<ijw:DebetCredit>D<", "<ijw:DebetCredit>X<"),
    "DebetCredit lower case": sub("<ijw:DebetCredit>D<", "<ijw:DebetCredit>d<"),
    "negative amount": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>-118200<"),
    "amount with plus sign": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>+118200<"),
    "amount with spaces": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag> 118200 <"),
    "amount with leading zeros": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>00118200<"),
    "amount 99999999": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>99999999<"),
    "amount 100000000": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>100000000<"),
    "amount with decimals": sub("<ijw:Bedrag>118200<", "<ijw:Bedrag>1182.00<"),
    "text in volume": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>twaalf<"),
    "huge number": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>" + "9" * 40 + "<"),
    "date 2026-02-30": sub("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2026-02-30<"),
    "date with time zone Z": sub("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2026-05-04Z<"),
    "date with offset": sub("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2026-05-04+01:00<"),
    "date with spaces": sub("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening> 2026-05-04 <"),
    "date in Dutch notation": sub("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>04-05-2026<"),
    "BSN 8 digits": sub(">999990019<", ">99999001<"),
    "BSN with letter": sub(">999990019<", ">99999001A<"),
    "BSN failing 11-proef (level 2, valid here)": sub(">999990019<", ">999990018<"),
    "AGB 7 digits": sub("<jw323:Afzender>87654321<", "<jw323:Afzender>8765432<"),
    "CBS 5 digits": sub("<jw323:Ontvanger>0632<", "<jw323:Ontvanger>06320<"),
    "BerichtVersie 4": sub("<jw323:BerichtVersie>3<", "<jw323:BerichtVersie>4<"),
    "BerichtVersie 03": sub("<jw323:BerichtVersie>3<", "<jw323:BerichtVersie>03<"),
    "BerichtSubversie with spaces": sub("<jw323:BerichtSubversie>2<", "<jw323:BerichtSubversie> 2 <"),
    "wrong BerichtCode": sub("<jw323:BerichtCode>490<", "<jw323:BerichtCode>484<"),
    "XsdVersie 1.0": sub("<ijw:BasisschemaXsdVersie>1.0.0<", "<ijw:BasisschemaXsdVersie>1.0<"),
    "XsdVersie 01.0.0": sub("<ijw:BasisschemaXsdVersie>1.0.0<", "<ijw:BasisschemaXsdVersie>01.0.0<"),
    "elements swapped": sub("<jw323:ProductCategorie>45</jw323:ProductCategorie>\n            <jw323:ProductCode>45A07</jw323:ProductCode>",
                            "<jw323:ProductCode>45A07</jw323:ProductCode>\n            <jw323:ProductCategorie>45</jw323:ProductCategorie>"),
    "unknown element": sub("<jw323:GeleverdVolume>12</jw323:GeleverdVolume>",
                           "<jw323:GeleverdVolume>12</jw323:GeleverdVolume><jw323:Opmerking>x</jw323:Opmerking>"),
    "element in basisschema namespace": sub("<jw323:GeleverdVolume>12</jw323:GeleverdVolume>",
                                            "<ijw:GeleverdVolume>12</ijw:GeleverdVolume>"),
    "duplicated element": sub("<jw323:GeleverdVolume>12</jw323:GeleverdVolume>",
                              "<jw323:GeleverdVolume>12</jw323:GeleverdVolume><jw323:GeleverdVolume>12</jw323:GeleverdVolume>"),
    "attribute": sub("<jw323:GeleverdVolume>12<", '<jw323:GeleverdVolume unit="x">12<'),
    "xsi:schemaLocation": sub("<jw323:Header>", '<jw323:Header xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                                'xsi:schemaLocation="a b">'),
    "comment inside a value": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>1<!-- x -->2<"),
    "text between elements": sub("<jw323:GeleverdVolume>12</jw323:GeleverdVolume>",
                                 "<jw323:GeleverdVolume>12</jw323:GeleverdVolume>loose text"),
    "child inside a value": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume><jw323:X/>12<"),
    "ProductTarief absent (optional in XSD)": sub("<jw323:ProductTarief>9850</jw323:ProductTarief>", ""),
    "no Prestatie": sub("<jw323:Prestaties>", "<jw323:Prestaties></jw323:Prestaties><jw323:X>", 1),
    "CDATA value": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume><![CDATA[12]]><"),
    "character reference": sub("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>&#49;2<"),
}


@pytest.mark.parametrize("name", CASES)
def test_level1_agrees_with_the_official_xsd(name):
    ours, xsd = agree(CASES[name])
    assert ours == xsd, f"{name}: ours={ours} xsd={xsd}"


def test_the_cases_cover_both_verdicts():
    verdicts = {xsd_valid(data) for data in CASES.values()}
    assert verdicts == {True, False}


# ---- random mutations (property-based): agreement on every mutated document


TEXTS = st.one_of(st.sampled_from(["", " ", "0", "-1", "+1", "99999999", "100000000", "D", "C", "X", "04", "83",
                                   "2026-02-29", "2024-02-29", "2026-13-01", "12345678", "0632", "1.0.0", "abc",
                                   "999990019", "A" * 21, "é", "45", "02", "  12  "]),
                  st.text(max_size=14))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_get_the_same_verdict_as_the_xsd(data):
    mutated = mutate(VOORBEELD, data, TEXTS)
    ours, xsd = agree(mutated)
    assert ours == xsd, f"ours={ours} xsd={xsd}\n{mutated.decode()[:3000]}"


# ---- our own output: every 325 we write is valid for both the XSD and our own level 1


HEADER_325 = Header(berichtcode="491", berichtversie=3, berichtsubversie=2, afzender="0632", ontvanger="87654321",
                    identificatie="RB0000000001", dagtekening=dt.date(2026, 5, 11), basisschema_xsd_versie="1.0.0",
                    bericht_xsd_versie="1.0.0")


@pytest.mark.parametrize("header_codes, client_codes, line_codes", [
    (["0200"], {}, {}), (["0200"], {}, {"P20260504000002": ["0611", "9346"]}),
    (["0200"], {"999990019": ["8187"]}, {}), (["0001"], {}, {}), (["9056"], {}, {})])
def test_every_325_we_write_is_valid_for_xsd_and_for_our_level1(header_codes, client_codes, line_codes):
    b = parse_323(VOORBEELD)
    antwoord = Declaratieantwoord(domein="jw", header=HEADER_325, declaratie_header=b.header,
                                  header_retourcodes=header_codes,
                                  declaratie=b.declaratie if header_codes == ["0200"] else None,
                                  client_retourcodes=client_codes,
                                  regel_retourcodes=[line_codes.get(p.referentienummer, []) for _c, p in b.prestaties()],
                                  totaal_toegekend_bedrag=143500)
    root = etree.fromstring(write_325(antwoord))
    assert SCHEMA_325.validate(root), SCHEMA_325.error_log
    validate_structure(root, "jw", "325")  # raises on any level-1 problem


def as_wmo(data: bytes) -> bytes:
    return (data.replace(b"http://www.istandaarden.nl/ijw/3_2/jw323/schema", b"http://www.istandaarden.nl/iwmo/3_2/wmo323/schema")
            .replace(b"http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
                     b"http://www.istandaarden.nl/iwmo/3_2/basisschema/schema")
            .replace(b"<jw323:BerichtCode>490<", b"<jw323:BerichtCode>484<"))


@pytest.mark.parametrize("categories, valid", [((b"02", b"04", b"07"), True), ((b"45", b"43", b"54"), False),
                                               ((b"02", b"19", b"07"), False)])
def test_wmo_323_agrees_with_the_wmo_xsd(categories, valid):
    data = as_wmo(VOORBEELD)
    for old, new in zip((b"ProductCategorie>45<", b"ProductCategorie>43<", b"ProductCategorie>54<"), categories):
        data = data.replace(old, b"ProductCategorie>" + new + b"<")
    assert agree(data, "wmo") == (valid, valid)
    if valid:
        assert parse_323(data).domein == "wmo"


def test_jw_berichtcode_in_a_wmo_message_is_refused_by_both():
    data = as_wmo(VOORBEELD).replace(b"<jw323:BerichtCode>484<", b"<jw323:BerichtCode>490<")
    assert agree(data, "wmo") == (False, False)


@pytest.mark.parametrize("value", ["0&#13;", "&#13;0", "0&#10;", " 0", "&#160;", "0&#160;"])
def test_xsd_regex_semantics_for_not_blank_identifiers(value):
    # In XML Schema "." matches neither CR nor LF and "\s" is only space, tab, CR and LF.
    data = sub(">DCL2605-0001<", f">{value}<")
    assert agree(data) == (xsd_valid(data),) * 2


@pytest.mark.parametrize("between", ["&#160;", "&#9;", "&#13;"])
def test_xml_whitespace_between_elements(between):
    data = sub("<jw323:GeleverdVolume>12</jw323:GeleverdVolume>",
               f"<jw323:GeleverdVolume>12</jw323:GeleverdVolume>{between}")
    ours, xsd = agree(data)
    assert ours == xsd
