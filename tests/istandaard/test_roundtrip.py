"""Round trips over every message type in both domains: read(write(values)) == values, what is written is valid
for the official XSD, and reading does not depend on line ends. Over the release's examples, their fuller
variants and seeded mutations of them that pass level 1."""

from __future__ import annotations

import random

import pytest

from shared.istandaard import HUIDIGE, ParseError, lees, parse_323, write_323, write_bericht
from tests.berichten import DOMAINS, TYPES, example
from tests.conftest import FIXTURES
from tests.mutaties import Mutator

KINDS = [(d, t, full) for d in DOMAINS for t in TYPES for full in (False, True)]


def roundtrip(data: bytes) -> None:
    soort, _root, values = lees(data)
    written = write_bericht(soort.domein, soort.berichttype, values, soort.release)
    assert not written.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM"
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    again_soort, _root, again = lees(written)  # level 1 by the official XSD: raises when invalid
    assert again_soort is soort and again == values


@pytest.mark.parametrize("domein, berichttype, full", KINDS, ids=[f"{d}{t}{'-full' if f else ''}" for d, t, f in KINDS])
def test_every_example_round_trips_in_both_domains(domein, berichttype, full):
    data = example(domein, berichttype, full)
    soort, _root, _values = lees(data)
    assert (soort.domein, soort.berichttype) == (domein, berichttype)
    roundtrip(data)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml")), ids=lambda p: p.name)
def test_crlf_and_lf_read_the_same(path):
    data = path.read_bytes().replace(b"\r\n", b"\n")
    assert lees(data.replace(b"\n", b"\r\n"))[2] == lees(data)[2]


def test_every_message_type_of_the_release_has_an_example():
    types = {t for _d, t in HUIDIGE.soorten}
    assert types == {"301", "302", "305", "306", "307", "308", "315", "316", "317", "318", "319", "320", "323", "325"}
    assert {lees(p.read_bytes())[0].berichttype for p in FIXTURES.glob("jw*.xml")} == types


def test_the_declaration_writer_round_trips_the_business_model():
    bericht = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())
    assert parse_323(write_323(bericht)) == bericht


@pytest.mark.parametrize("domein, berichttype", [(d, t) for d in DOMAINS for t in TYPES])
def test_any_message_level_1_accepts_round_trips(domein, berichttype):
    mutator = Mutator(HUIDIGE.soort(domein, berichttype))
    rnd = random.Random(f"roundtrip-{domein}{berichttype}")
    accepted = 0
    for _ in range(25):
        data, _steps = mutator.mutate(example(domein, berichttype, True), rnd, 2)
        try:
            lees(data)
        except ParseError:
            continue
        roundtrip(data)
        accepted += 1
    assert accepted > 0
