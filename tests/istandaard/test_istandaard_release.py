"""The standard ships inside the project: every release folder holds the official XSDs and stylesheets of both
domains, the facts the code needs are read from them, and the iWmo schemas the public copy lacks are derived in a
way that provably reproduces the official ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shared.istandaard import HUIDIGE, RELEASES
from shared.istandaard.afleiden import derive_wmo
from shared.istandaard.xsd import read_message_schema

ROOT = Path(__file__).resolve().parents[2]
HEEN_IN_BOTH = ("301", "305", "307", "315", "317", "319", "323")
# BerichtCodes of COD002-VEKT (domain brief §3), as a second source next to the XSDs' own patterns.
BERICHTCODES = {
    "jw": {"301": "436", "302": "437", "305": "438", "306": "439", "307": "440", "308": "441", "315": "446",
           "316": "447", "317": "486", "318": "487", "319": "488", "320": "489", "323": "490", "325": "491"},
    "wmo": {"301": "414", "302": "415", "305": "418", "306": "419", "307": "420", "308": "421", "315": "444",
            "316": "445", "317": "480", "318": "481", "319": "482", "320": "483", "323": "484", "325": "485"},
}
JW_ONLY = {"315": ["GezagsdragerBekend"], "319": ["Woonplaatsbeginsel"]}


def test_the_release_knows_every_message_of_both_domains_with_the_standards_codes():
    assert HUIDIGE.naam == "3.2" and (HUIDIGE.berichtversie, HUIDIGE.berichtsubversie) == (3, 2)
    assert HUIDIGE.berichtcodes == BERICHTCODES
    for (domein, t), soort in HUIDIGE.soorten.items():
        standaard = "ijw" if domein == "jw" else "iwmo"
        assert soort.namespace == f"http://www.istandaarden.nl/{standaard}/3_2/{domein}{t}/schema"
        assert soort.xmlschema is not None  # libxml2 compiles every schema
    assert all(p.exists() for p in HUIDIGE.xslt_paden.values())


def test_nothing_the_standard_needs_lies_outside_the_repository():
    for release in RELEASES.values():
        assert ROOT in release.folder.parents
        for soort in release.soorten.values():
            assert ROOT in soort.schema.path.parents


def _shape(schema) -> list[tuple]:
    """A schema's element tree with what level 1 decides: names, namespaces (as prefix-free positions),
    cardinality and value types."""
    out = []
    for path, e in schema.root.walk():
        t = e.type
        out.append((path, e.min, e.max, e.children is not None,
                    (t.base, tuple(t.codes or ()), t.patterns, t.min_length, t.max_length, t.minimum, t.maximum)
                    if t else None))
    return out


def _derived_schema(folder: Path, t: str, jw_text: str, berichtcode: str, zonder: list[str]):
    # Written next to a copy of the iWmo basisschema, which its import names.
    shutil.copy(HUIDIGE.folder / "xsd" / "wmo" / "basisschema.xsd", folder / "basisschema.xsd")
    path = folder / f"WMO{t}.xsd"
    path.write_text(derive_wmo(jw_text, t, berichtcode, "1.0.0", zonder), encoding="utf-8")
    return read_message_schema(path)


@pytest.mark.parametrize("t", HEEN_IN_BOTH)
def test_the_derivation_applied_to_a_message_both_domains_publish_yields_the_official_iwmo_schema(t, tmp_path):
    jw = (HUIDIGE.folder / "xsd" / "jw" / f"JW{t}.xsd").read_text(encoding="utf-8")
    derived = _derived_schema(tmp_path, t, jw, BERICHTCODES["wmo"][t], JW_ONLY.get(t, []))
    official = read_message_schema(HUIDIGE.folder / "xsd" / "wmo" / f"WMO{t}.xsd")
    assert derived.namespace == official.namespace and derived.berichtcode == official.berichtcode
    assert _shape(derived) == _shape(official)


@pytest.mark.parametrize("t", sorted(HUIDIGE.afgeleid))
def test_the_committed_derived_schemas_are_what_the_derivation_makes(t):
    spec = HUIDIGE.afgeleid[t]
    jw = (HUIDIGE.folder / "xsd" / "jw" / f"JW{t}.xsd").read_text(encoding="utf-8")
    committed = (HUIDIGE.folder / "xsd" / "wmo" / f"WMO{t}.xsd").read_text(encoding="utf-8")
    assert committed == derive_wmo(jw, t, spec["berichtcode"], spec["xsd_versie"], spec.get("zonder", []))
    assert "Derived mechanically" in committed


def test_a_jeugdwet_only_element_is_left_out_of_the_derived_iwmo_retour():
    shape = {p for p, *_ in _shape(HUIDIGE.soort("wmo", "316").schema)}
    assert not any("GezagsdragerBekend" in p for p in shape)
    assert any("GezagsdragerBekend" in p for p, *_ in _shape(HUIDIGE.soort("jw", "316").schema))


def test_a_derivation_that_names_an_element_the_jw_schema_lacks_fails_loudly():
    jw = (HUIDIGE.folder / "xsd" / "jw" / "JW302.xsd").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="no element Bestaatniet"):
        derive_wmo(jw, "302", "415", "1.0.0", ["Bestaatniet"])
