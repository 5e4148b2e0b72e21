"""Retour messages accepting a start (305 → 306) or stop (307 → 308): the heen header unchanged (IV028) plus the
retour fields, valid for the official XSD and our own level 1, in both domains."""

from __future__ import annotations

import datetime as dt

import pytest

from berichtenverkeer.domain.retour import retourbericht
from shared.berichtmodellen import lees
from shared.codec import read_bericht, validate_structure, write_bericht
from tests import xsd_oracle
from tests.conftest import FIXTURES
from tests.unit.test_roundtrip import as_wmo


@pytest.mark.parametrize("heen, retour", [("305", "306"), ("307", "308"), ("315", "316"), ("317", "318")])
@pytest.mark.parametrize("domein", ["jw", "wmo"])
def test_an_accepting_retour_copies_the_heen_header_and_is_valid(heen, retour, domein):
    raw = (FIXTURES / f"jw{heen}-voorbeeld.xml").read_bytes()
    if domein == "wmo":
        raw = as_wmo(raw, heen)
    d, t, root = read_bericht(raw)
    assert (d, t) == (domein, heen)
    values = validate_structure(root, domein, heen)
    xml = write_bericht(domein, retour, retourbericht(domein, heen, values, "RB0000000007", dt.date(2026, 4, 6)))
    if domein == "jw":
        assert xsd_oracle.xsd_valid(xsd_oracle.schema("jw", f"JW{retour}.xsd"), xml)
    gelezen = lees(xml)
    assert (gelezen.domein, gelezen.berichttype) == (domein, retour)
    h = gelezen.bericht.Header
    expected_code = {("jw", "306"): "439", ("jw", "308"): "441", ("wmo", "306"): "419", ("wmo", "308"): "421",
                     ("jw", "316"): "447", ("jw", "318"): "487", ("wmo", "316"): "445", ("wmo", "318"): "481"}
    assert h.BerichtCode == expected_code[(domein, retour)]
    # IV028: Afzender and Ontvanger stay those of the heen message (the provider is still the Afzender).
    heen_header = values["Header"]
    assert (h.Afzender, h.Ontvanger) == (heen_header["Afzender"], heen_header["Ontvanger"])
    assert h.BerichtIdentificatie.Identificatie == heen_header["BerichtIdentificatie"]["Identificatie"]
    assert (h.IdentificatieRetour, h.DagtekeningRetour) == ("RB0000000007", dt.date(2026, 4, 6))
    assert gelezen.bericht.Client is None  # nothing rejected: no client listed (OP065)


@pytest.mark.parametrize("heen, retour", [("305", "306"), ("315", "316")])
def test_a_retour_rejecting_a_reused_identificatie_carries_9056_on_its_header(heen, retour):
    raw = (FIXTURES / f"jw{heen}-voorbeeld.xml").read_bytes()
    _d, _t, root = read_bericht(raw)
    values = validate_structure(root, "jw", heen)
    xml = write_bericht("jw", retour, retourbericht("jw", heen, values, "RB0000000008", dt.date(2026, 4, 6),
                                                    ["9056"]))
    assert xsd_oracle.xsd_valid(xsd_oracle.schema("jw", f"JW{retour}.xsd"), xml)
    h = lees(xml).bericht.Header
    assert h.RetourCodes.RetourCode == ["9056"]
    assert lees(xml).bericht.Client is None
