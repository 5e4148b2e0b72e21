"""`python -m tools.function_lengths [--max N] [paths]`: every function of the production code (services/, shared/,
tools/) is shorter than N lines (default 60), decorators and docstrings included. Part of `make lint`: a
function that long hides a second one."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from tools.checkout import PROJECT_ROOT

PRODUCTION = ("services", "shared", "tools")


def lengths(paths: list[Path]) -> list[tuple[int, str]]:
    found = []
    for path in paths:
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            tree = ast.parse(file.read_text(), str(file))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    name = f"{file.relative_to(PROJECT_ROOT)}:{node.lineno} {node.name}"
                    found.append(((node.end_lineno or node.lineno) - first + 1, name))
    return sorted(found, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=60, help="a function must be shorter than this (lines)")
    parser.add_argument("--top", type=int, default=0, help="also list the N longest functions")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    found = lengths([p.resolve() for p in args.paths] or [PROJECT_ROOT / p for p in PRODUCTION])
    for n, name in found[:args.top]:
        print(f"{n:4d}  {name}")
    too_long = [(n, name) for n, name in found if n >= args.max]
    for n, name in too_long:
        print(f"{name}: {n} lines; split it below {args.max} (what is the second function in it?)", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    raise SystemExit(main())
