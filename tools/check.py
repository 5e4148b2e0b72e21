"""`backoffice check FILE...`: offline verdict per message file, one JSON object per line.

Levels 1 (the official XSD) and 2 (the in-message rules of the official stylesheet) for every message type of
every release this back office knows. Exit 1 if any file fails.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from shared.istandaard import ParseError, detect, line_of, niveau2, parse_xml, validate_structure


def verdict(path: Path) -> dict:
    result: dict[str, Any] = {"file": str(path), "domain": None, "type": None, "release": None, "level": 1, "ok": False,
              "problems": []}
    try:
        data = path.read_bytes()
    except OSError as exc:
        result["problems"] = [{"rule": "FILE", "path": "/", "line": None, "found": None, "expected": "a readable file",
                               "message": f"Bestand niet leesbaar / File not readable: {exc.strerror}"}]
        return result
    try:
        root = parse_xml(data)
        soort = detect(root)
        result.update(domain=soort.domein, type=soort.berichttype, release=soort.release.naam)
        values = validate_structure(root, soort.domein, soort.berichttype, len(data))
        result["level"] = 2
        # Level-2 rules work on the values; the line comes from the tree.
        problems = [p if p.line is not None else replace(p, line=line_of(root, p.path))
                    for p in niveau2(soort, values)]
    except ParseError as exc:
        result.update(domain=exc.domein or result["domain"], type=exc.berichttype or result["type"])
        problems = exc.problems
    result["problems"] = [p.as_dict() for p in problems]
    result["ok"] = not problems
    return result


def main(files: list[str]) -> int:
    all_ok = True
    for name in files:
        v = verdict(Path(name))
        all_ok &= v["ok"]
        print(json.dumps(v, ensure_ascii=False), flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
