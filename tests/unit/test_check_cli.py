"""`backoffice check`: one JSON verdict per file, exit 0 only when all pass."""

from __future__ import annotations

import json

from shared.check import main
from tests.conftest import FIXTURES


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
