"""What is wrong with a message, said so that a provider can fix it without a helpdesk call.

Every problem names the rule, the element path, the line, the value found and the value expected, in Dutch and
English. A BSN is personal data: a problem never echoes one (a Bsn's value is shown as ***, and any other nine-digit
number is masked, because text out of place may be a BSN whose tag went missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    rule: str
    path: str
    line: int | None
    found: str | None
    expected: str
    message: str

    def tekst(self) -> str:
        """One line for a message's status and the 325's readable reasons (samenvatting.header_redenen)."""
        found = f"; gevonden/found {self.found}, verwacht/expected {self.expected}" if self.found is not None else ""
        return f"{self.rule} {self.path}: {self.message}{found}"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "path": self.path, "line": self.line, "found": self.found,
                "expected": self.expected, "message": self.message}


@dataclass
class ParseError(Exception):
    """The message is not acceptable at control level 1 (XSD, or not XML at all): no answer is made for it."""

    problems: list[Problem] = field(default_factory=list)
    domein: str | None = None
    berichttype: str | None = None

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


def problem(rule: str, path: str, line: int | None, found: str | None, expected: str, nl: str, en: str) -> Problem:
    return Problem(rule, path, line, masked(found), expected, f"{nl} / {en}")


_NEGEN_CIJFERS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


def masked(text: str | None) -> str | None:
    """Text with every nine-digit number masked."""
    return _NEGEN_CIJFERS.sub("*********", text) if text else text


MAX_PROBLEMEN = 100  # a hostile message with a million faults gets the first hundred, not a minute of CPU


def begrensd(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMEN problems and a note that there are more: what is reported, stored or answered about
    one message stays small however broken it is."""
    return problems if len(problems) <= MAX_PROBLEMEN else [*problems[:MAX_PROBLEMEN], te_veel()]


def te_veel(path: str = "/Bericht") -> Problem:
    return problem("MAX", path, None, None, "a message with fewer problems",
                   f"Meer dan {MAX_PROBLEMEN} problemen; alleen de eerste staan hier",
                   f"More than {MAX_PROBLEMEN} problems; only the first are listed")
