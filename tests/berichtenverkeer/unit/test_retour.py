"""Retour messages the back office makes (306, 308, 316, 318): the heen header unchanged (IV028) plus the retour
fields, valid for the official XSD and level 2, in both domains; rejected as a whole with a code on the header."""

from __future__ import annotations

import datetime as dt

import pytest

from berichtenverkeer.domain.retour import retourbericht
from shared.istandaard import controleer_uitgaand, lees, write_bericht
from tests.berichten import example


def retour(heen: str, retour_type: str, domein: str, codes: list[str] | None = None) -> tuple[dict, dict]:
    _soort, _root, values = lees(example(domein, heen))
    xml = write_bericht(domein, retour_type, retourbericht(domein, heen, values, "RB0000000007", dt.date(2026, 4, 6),
                                                          codes))
    controleer_uitgaand(xml)  # levels 1 and 2, as the provider's system will check it
    soort, _root, gelezen = lees(xml)
    assert (soort.domein, soort.berichttype) == (domein, retour_type)
    return values, gelezen


@pytest.mark.parametrize("heen, retour_type", [("305", "306"), ("307", "308"), ("315", "316"), ("317", "318")])
@pytest.mark.parametrize("domein", ["jw", "wmo"])
def test_an_accepting_retour_copies_the_heen_header_and_is_valid(heen, retour_type, domein):
    values, gelezen = retour(heen, retour_type, domein)
    h = gelezen["Header"]
    expected_code = {("jw", "306"): "439", ("jw", "308"): "441", ("wmo", "306"): "419", ("wmo", "308"): "421",
                     ("jw", "316"): "447", ("jw", "318"): "487", ("wmo", "316"): "445", ("wmo", "318"): "481"}
    assert h["BerichtCode"] == expected_code[(domein, retour_type)]
    # IV028: Afzender and Ontvanger stay those of the heen message (the provider is still the Afzender).
    heen_header = values["Header"]
    assert (h["Afzender"], h["Ontvanger"]) == (heen_header["Afzender"], heen_header["Ontvanger"])
    assert h["BerichtIdentificatie"] == heen_header["BerichtIdentificatie"]
    assert (h["IdentificatieRetour"], h["DagtekeningRetour"]) == ("RB0000000007", dt.date(2026, 4, 6))
    assert "RetourCodes" not in h and "Client" not in gelezen  # nothing rejected: no client listed (OP065)


@pytest.mark.parametrize("codes", [["9056"], ["0001"]], ids=["identificatie-reused", "level-2"])
@pytest.mark.parametrize("heen, retour_type", [("305", "306"), ("315", "316")])
def test_a_retour_rejecting_the_whole_message_carries_its_code_on_the_header_only(heen, retour_type, codes):
    _values, gelezen = retour(heen, retour_type, "jw", codes)
    assert gelezen["Header"]["RetourCodes"]["RetourCode"] == codes
    assert "Client" not in gelezen
