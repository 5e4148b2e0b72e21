"""Reading and writing messages against the standard's own examples (§13) and the official XSDs, and hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from shared.istandaard import (
    HUIDIGE,
    MAX_BERICHT_BYTES,
    ParseError,
    controleer_uitgaand,
    parse_323,
    read_bericht,
    write_323,
    write_325,
)
from shared.models import Declaratieantwoord, Header
from tests.conftest import FIXTURES

ANTWOORD_HEADER = Header(berichtcode="491", berichtversie=3, berichtsubversie=2, afzender="0632",
                         ontvanger="87654321", identificatie="ANT2605-0001", dagtekening=dt.date(2026, 5, 11),
                         basisschema_xsd_versie="1.0.0", bericht_xsd_versie="1.0.0")


def canon(xml: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    return etree.tostring(etree.fromstring(xml, parser), method="c14n")


def xsd(domain: str, berichttype: str) -> etree.XMLSchema:
    return HUIDIGE.soort(domain, berichttype).xmlschema


@pytest.fixture(scope="module")
def voorbeeld(fixture_bytes):
    return parse_323(fixture_bytes("jw323-voorbeeld.xml"))


def test_reads_the_standard_example_323(voorbeeld):
    d = voorbeeld.declaratie
    assert voorbeeld.domein == "jw"
    assert voorbeeld.header.afzender == "87654321" and voorbeeld.header.ontvanger == "0632"
    assert d.declaratienummer == "D202604001"
    assert d.totaal_ingediend_bedrag == 595000 and d.totaal_debet_credit == "D"
    lines = [p for _, p in voorbeeld.prestaties()]
    assert [p.referentienummer for p in lines] == [f"P2026050400000{i}" for i in range(1, 6)]
    assert lines[2].vorig_referentienummer == "P20260403000017" and lines[2].debet_credit == "C"
    assert lines[4].eenheid == "83" and lines[4].producttarief is None


def test_writes_323_that_round_trips_and_matches_the_example(voorbeeld, fixture_bytes):
    assert canon(write_323(voorbeeld)) == canon(fixture_bytes("jw323-voorbeeld.xml"))


def test_writes_the_325_of_the_standard_example_exactly(voorbeeld, fixture_bytes):
    antwoord = Declaratieantwoord(domein="jw", header=ANTWOORD_HEADER, declaratie_header=voorbeeld.header,
                                  header_retourcodes=["0200"], declaratie=voorbeeld.declaratie,
                                  regel_retourcodes=[[], ["0611"], [], [], []], totaal_toegekend_bedrag=143500)
    assert canon(write_325(antwoord)) == canon(fixture_bytes("jw325-voorbeeld-0611.xml"))


def test_fully_approved_325_has_8001_and_no_clients(voorbeeld):
    antwoord = Declaratieantwoord(domein="jw", header=ANTWOORD_HEADER, declaratie_header=voorbeeld.header,
                                  header_retourcodes=["0200"], declaratie=voorbeeld.declaratie,
                                  totaal_toegekend_bedrag=595000)
    root = etree.fromstring(write_325(antwoord))
    ns = {"a": HUIDIGE.soort("jw", "325").namespace}
    assert root.xpath("a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()", namespaces=ns) == ["8001"]
    assert root.xpath("a:DeclaratieAntwoord/a:Clienten", namespaces=ns) == []


def test_client_rejection_echoes_all_its_lines_with_0233(voorbeeld):
    antwoord = Declaratieantwoord(domein="jw", header=ANTWOORD_HEADER, declaratie_header=voorbeeld.header,
                                  header_retourcodes=["0200"], declaratie=voorbeeld.declaratie,
                                  client_retourcodes={"999990044": ["8187"]}, totaal_toegekend_bedrag=569700)
    root = etree.fromstring(write_325(antwoord))
    ns = {"a": HUIDIGE.soort("jw", "325").namespace}
    client = root.xpath("//a:Client", namespaces=ns)
    assert len(client) == 1
    assert client[0].xpath("a:RetourCodes/a:RetourCode/text()", namespaces=ns) == ["8187"]
    assert client[0].xpath("a:Prestaties/a:Prestatie/a:RetourCodes/a:RetourCode/text()", namespaces=ns) == ["0233"] * 3


@pytest.mark.parametrize("header_codes, with_declaratie", [(["0200"], True), (["9056"], False)])
def test_written_325_is_valid_against_the_official_xsd(voorbeeld, header_codes, with_declaratie):
    antwoord = Declaratieantwoord(domein="jw", header=ANTWOORD_HEADER, declaratie_header=voorbeeld.header,
                                  header_retourcodes=header_codes,
                                  declaratie=voorbeeld.declaratie if with_declaratie else None,
                                  regel_retourcodes=[[], ["0611"], [], [], []], totaal_toegekend_bedrag=143500)
    schema = xsd("jw", "325")
    assert schema.validate(etree.fromstring(write_325(antwoord))), schema.error_log


def test_generated_demo_messages_are_valid_at_levels_1_and_2():
    from shared.platform.regio import load_regio
    from tools.checkout import DEFAULT_REGIO
    from tools.demo import generate_month, voorgeschiedenis_voorbeeld, vorige_maand

    berichten = generate_month(load_regio(DEFAULT_REGIO), vorige_maand(dt.date(2026, 11, 23)), clients_per_bericht=2)
    berichten += voorgeschiedenis_voorbeeld()
    soorten = set()
    for b in berichten:
        domein, berichttype, _root = read_bericht(b.xml)
        soorten.add((domein, berichttype))
        schema = xsd(domein, berichttype)
        assert schema.validate(etree.fromstring(b.xml)), schema.error_log
        controleer_uitgaand(b.xml)  # levels 1 and 2, as the gateway will check them
    assert soorten == {("jw", "301"), ("wmo", "301"), ("jw", "323"), ("wmo", "323")}


# --- hostile and broken input: a specific problem, never a crash


def _problems(data: bytes) -> list:
    with pytest.raises(ParseError) as info:
        parse_323(data)
    return info.value.problems


def test_refuses_xxe():
    data = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    assert _problems(data)[0].rule == "XML-DTD"


def test_refuses_entity_expansion_bomb():
    data = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>')
    assert _problems(data)[0].rule == "XML-DTD"


def test_refuses_oversize_before_parsing():
    assert _problems(b" " * (MAX_BERICHT_BYTES + 1))[0].rule == "OP179"


def test_refuses_bom(fixture_bytes):
    assert _problems(b"\xef\xbb\xbf" + fixture_bytes("jw323-voorbeeld.xml"))[0].rule == "OP192"


def test_refuses_non_xml_with_a_line_number():
    p = _problems(b"<a>\n<b></a>")[0]
    assert p.rule == "XML" and p.line == 2


def test_refuses_unknown_namespace():
    assert _problems(b'<Bericht xmlns="http://example.org/x"/>')[0].rule == "NS"


def test_refuses_other_message_type_as_323(fixture_bytes):
    assert _problems(fixture_bytes("jw301-voorbeeld.xml"))[0].rule == "TYPE"


def test_reads_crlf_line_endings(fixture_bytes):
    data = fixture_bytes("jw323-voorbeeld.xml").replace(b"\n", b"\r\n")
    assert parse_323(data).declaratie.declaratienummer == "D202604001"


def test_missing_element_names_path_and_line(fixture_bytes):
    data = fixture_bytes("jw323-voorbeeld.xml").replace(b"<jw323:ToewijzingNummer>400124</jw323:ToewijzingNummer>", b"")
    (p,) = _problems(data)
    assert p.path == "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/ToewijzingNummer"
    assert p.line is not None and "ToewijzingNummer" in p.message


def test_every_problem_is_reported_not_just_the_first(fixture_bytes):
    data = (fixture_bytes("jw323-voorbeeld.xml").replace(b"<ijw:DebetCredit>D</ijw:DebetCredit>",
                                                         b"<ijw:DebetCredit>X</ijw:DebetCredit>", 2))
    assert len(_problems(data)) == 2


def test_a_malformed_bsn_is_never_echoed(fixture_bytes):
    data = fixture_bytes("jw323-voorbeeld.xml").replace(b"999990019", b"99999001X")
    (p,) = _problems(data)
    assert p.found == "***" and "99999001" not in p.message


def test_wrong_berichtcode_is_refused(fixture_bytes):
    data = fixture_bytes("jw323-voorbeeld.xml").replace(b"<jw323:BerichtCode>490", b"<jw323:BerichtCode>484")
    assert _problems(data)[0].rule == "RS010"


def test_refuses_external_dtd_without_fetching():
    data = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
    assert _problems(data)[0].rule == "XML-DTD"


def test_deep_nesting_is_refused_by_the_parser_depth_limit():
    # libxml2 without huge_tree stops at depth 256: no unbounded recursion or memory.
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    (p,) = _problems(data)
    assert p.rule == "XML" and "depth" in p.message.lower()


def test_invalid_utf8_is_refused():
    data = (FIXTURES / "jw323-voorbeeld.xml").read_bytes().replace(b"D202604001", b"D2026\xff4001")
    assert _problems(data)[0].rule == "XML"
