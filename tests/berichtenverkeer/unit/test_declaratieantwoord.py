"""The gateway finds a rejected client's BSN in the archived 323 by the position the verdict names, and writes it
into the 325 with its codes (the verdict event itself carries no BSN)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from berichtenverkeer.domain.antwoord import declaratieantwoord
from shared.istandaard import parse_323, write_325
from shared.platform.events import DeclaratieBeoordeeld, PrestatieOordeel
from tests.conftest import FIXTURES

BERICHT = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())


def verdict(per_positie: dict[int, list[str]]) -> DeclaratieBeoordeeld:
    regels = [p for _c, p in BERICHT.prestaties()]
    return DeclaratieBeoordeeld(
        event_id="e", bericht_id="b", domein="jw", aanbieder="87654321", gemeente="0632",
        declaratienummer=BERICHT.declaratie.declaratienummer, header_retourcodes=["0200"],
        client_retourcodes_per_positie=per_positie,
        oordelen=[PrestatieOordeel(referentienummer=p.referentienummer, retourcodes=[]) for p in regels],
        goedgekeurd=[], totaal_toegekend_bedrag=0, totaal_toegekend_debet_credit="D")


def test_the_client_at_the_named_position_gets_its_codes_in_the_325_and_the_others_none():
    clienten = BERICHT.declaratie.clienten
    antwoord = declaratieantwoord(BERICHT, verdict({1: ["8187"]}), "RB0000000001", dt.date(2026, 5, 6))
    assert antwoord.client_retourcodes == {clienten[1].bsn: ["8187"]}
    root = etree.fromstring(write_325(antwoord))
    echoed = root.xpath("//*[local-name()='Client']")
    assert [(c.xpath("string(*[local-name()='Bsn'])"),
             c.xpath("*[local-name()='RetourCodes']/*/text()")) for c in echoed] == [(clienten[1].bsn, ["8187"])]


def test_no_rejected_client_means_no_client_in_the_325():
    antwoord = declaratieantwoord(BERICHT, verdict({}), "RB0000000002", dt.date(2026, 5, 6))
    assert antwoord.client_retourcodes == {}
    assert etree.fromstring(write_325(antwoord)).xpath("//*[local-name()='Client']") == []
