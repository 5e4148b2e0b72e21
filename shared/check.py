"""`backoffice check FILE...`: offline verdict per message file, one JSON object per line.

Level 1 (structure) for every 3.2 message type; level 2 (in-message rules) for 301 and 323.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from .codec import ParseError, declaratiebericht_from, line_of, parse_301, read_bericht, validate_structure
from .validatie import level2_301, level2_323


def verdict(path: Path) -> dict:
    result = {"file": str(path), "domain": None, "type": None, "level": 1, "ok": False, "problems": []}
    try:
        data = path.read_bytes()
    except OSError as exc:
        result["problems"] = [{"rule": "FILE", "path": "/", "line": None, "found": None, "expected": "a readable file",
                               "message": f"Bestand niet leesbaar / File not readable: {exc.strerror}"}]
        return result
    try:
        domein, berichttype, root = read_bericht(data)
        result.update(domain=domein, type=berichttype)
        if berichttype == "323":
            problems = level2_323(declaratiebericht_from(root, domein))
            result["level"] = 2
        elif berichttype == "301":
            problems = level2_301(parse_301(data))
            result["level"] = 2
        else:
            validate_structure(root, domein, berichttype)
            problems = []
        # Level-2 rules work on the model; the line comes from the tree.
        problems = [p if p.line is not None else replace(p, line=line_of(root, p.path)) for p in problems]
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
