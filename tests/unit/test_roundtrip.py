"""Round trips over every message type: parse(write(m)) == m, written messages are valid for the official XSDs,
and reading does not depend on line ends. Runs over every example in shared/voorbeelden (one per type) and over
random mutations of them that our level 1 accepts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.berichtmodellen import lees, model, schrijf
from shared.codec import BERICHTCODES, parse_323, write_323
from tests import xsd_oracle
from tests.conftest import FIXTURES
from tests.xsd_oracle import mutate, ours_valid

VOORBEELDEN = sorted(FIXTURES.glob("*.xml"))
_SCHEMAS: dict = {}


def schema_for(domein: str, berichttype: str):
    """The official XSD, or None for the iWmo retour types the mirror lacks (302/306/308/316/318/320/325: they
    mirror the iJw ones, whose agreement with our level 1 the Jw cases check)."""
    key = (domein, berichttype)
    if key not in _SCHEMAS:
        path = xsd_oracle.XSD_DIR / domein / f"{domein.upper()}{berichttype}.xsd"
        _SCHEMAS[key] = xsd_oracle.schema(domein, path.name) if domein == "jw" or path.exists() else None
    return _SCHEMAS[key]


def as_wmo(data: bytes, berichttype: str) -> bytes:
    """The same message in the iWmo domain: other namespaces and BerichtCode (categories of the examples are
    changed where the Jw value does not exist in Wmo)."""
    text = data.decode()
    text = text.replace("http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
                        "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema")
    text = text.replace(f"http://www.istandaarden.nl/ijw/3_2/jw{berichttype}/schema",
                        f"http://www.istandaarden.nl/iwmo/3_2/wmo{berichttype}/schema")
    text = text.replace(f">{BERICHTCODES['jw'][berichttype]}</", f">{BERICHTCODES['wmo'][berichttype]}</", 1)
    for jw_categorie in ("45", "54", "43", "55"):
        text = text.replace(f"Categorie>{jw_categorie}<", "Categorie>02<")
    return text.encode()


def roundtrip(data: bytes) -> None:
    gelezen = lees(data)
    written = schrijf(gelezen.domein, gelezen.berichttype, gelezen.bericht)
    assert not written.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM"
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    schema = schema_for(gelezen.domein, gelezen.berichttype)
    assert schema is None or xsd_oracle.xsd_valid(schema, written)
    again = lees(written)
    assert (again.domein, again.berichttype) == (gelezen.domein, gelezen.berichttype)
    assert again.bericht == gelezen.bericht


@pytest.mark.parametrize("path", VOORBEELDEN, ids=lambda p: p.name)
@pytest.mark.parametrize("domein", ["jw", "wmo"])
def test_every_example_round_trips_in_both_domains(path, domein):
    data = path.read_bytes()
    berichttype = lees(data).berichttype
    if domein == "wmo":
        data = as_wmo(data, berichttype)
    gelezen = lees(data)
    assert (gelezen.domein, gelezen.berichttype) == (domein, berichttype)
    roundtrip(data)


@pytest.mark.parametrize("path", VOORBEELDEN, ids=lambda p: p.name)
def test_crlf_and_lf_read_the_same(path):
    data = path.read_bytes().replace(b"\r\n", b"\n")
    assert lees(data.replace(b"\n", b"\r\n")).bericht == lees(data).bericht


def test_every_message_type_of_the_standard_has_a_model_and_an_example():
    types = set(BERICHTCODES["jw"])
    assert types == {"301", "302", "305", "306", "307", "308", "315", "316", "317", "318", "319", "320", "323", "325"}
    for berichttype in types:
        assert model(berichttype).__name__ == f"Bericht{berichttype}"
    assert {lees(p.read_bytes()).berichttype for p in VOORBEELDEN} == types


def test_a_bsn_never_appears_in_a_models_repr():
    gelezen = lees((FIXTURES / "jw323-voorbeeld.xml").read_bytes())
    bsns = [c.Bsn for c in gelezen.bericht.Declaratie.Clienten.Client]
    assert bsns and all(bsn not in repr(gelezen.bericht) for bsn in bsns)


def test_the_declaration_writer_round_trips_the_business_model():
    bericht = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())
    assert parse_323(write_323(bericht)) == bericht


@pytest.mark.parametrize("path", VOORBEELDEN, ids=lambda p: p.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_message_our_level_1_accepts_round_trips(path, data):
    mutated = mutate(path.read_bytes(), data, st.text(max_size=12))
    if ours_valid(mutated):
        roundtrip(mutated)
