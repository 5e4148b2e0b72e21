"""`backoffice check`: one JSON verdict per file, exit 0 only when all pass."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES
from tools.check import main


def run(capsys, *files) -> tuple[int, list[dict]]:
    code = main([str(f) for f in files])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_valid_declaration_and_answer_pass(capsys):
    code, out = run(capsys, FIXTURES / "jw323-voorbeeld.xml", FIXTURES / "jw325-voorbeeld-0611.xml")
    assert code == 0
    assert [(v["type"], v["domain"], v["ok"], v["level"]) for v in out] == [("323", "jw", True, 2),
                                                                           ("325", "jw", True, 2)]


def test_level1_and_level2_failures_are_reported_with_rule_path_and_reason(capsys, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes((FIXTURES / "jw323-voorbeeld.xml").read_bytes().replace(b">12<", b">twaalf<"))
    wrong_total = tmp_path / "total.xml"
    wrong_total.write_bytes((FIXTURES / "jw323-voorbeeld.xml").read_bytes().replace(b">595000<", b">595001<"))
    code, (v1, v2) = run(capsys, broken, wrong_total)
    assert code == 1
    assert v1["level"] == 1 and not v1["ok"]
    (p,) = v1["problems"]
    assert p["path"].endswith("Prestatie[1]/GeleverdVolume") and p["found"] == "twaalf" and p["line"] == 46
    assert v2["level"] == 2 and [q["rule"] for q in v2["problems"]] == ["TR358"]
    assert v2["problems"][0]["line"] == 26  # <jw323:TotaalIngediendBedrag> in the example
    assert set(p) == {"rule", "path", "line", "found", "expected", "message"}


def test_unreadable_file_is_a_verdict_not_a_crash(capsys, tmp_path):
    code, (v,) = run(capsys, tmp_path / "missing.xml")
    assert code == 1 and v["problems"][0]["rule"] == "FILE"


def test_every_example_of_the_release_is_checked_at_level_2(capsys, tmp_path):
    """All of the release's examples pass levels 1 and 2, in both domains, but one: the iWmo 317 the public copy
    carried after its WMO315.xsd asks for a product from its own Dagtekening, which TR380 refuses — and so does
    the official stylesheet (tests/istandaard/test_differential_xslt.py compares the two on every message)."""
    from tests.berichten import TYPES, example

    twins = []
    for t in TYPES:
        path = tmp_path / f"wmo{t}.xml"
        path.write_bytes(example("wmo", t))
        twins.append(path)
    code, out = run(capsys, *sorted(FIXTURES.glob("*.xml")), *twins)
    assert code == 1
    failing = {(v["type"], v["domain"]): sorted({p["rule"] for p in v["problems"]}) for v in out if not v["ok"]}
    assert failing == {("317", "wmo"): ["TR380"]}
    assert all(v["level"] == 2 and v["release"] == "3.2" for v in out)
    assert {v["type"] for v in out} >= set(TYPES)
