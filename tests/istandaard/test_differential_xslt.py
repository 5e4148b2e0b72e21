"""Agreement with the official artefacts, per message, on seeded mutations of valid messages of every kind in both
domains (tests/mutaties.py):

- level 1: the reader refuses a message exactly when the official XSD (libxml2) does;
- level 2: for a message that passes level 1, the set of rule ids this back office reports is the set the official
  stylesheet reports (lxml.etree.XSLT running the release's tr-cd-cs-*.xsl).

Any difference fails the test, with the mutations that led to it and both rule sets; the messages are written to
test-artifacts/differential/. Known, explained differences are listed in EXCEPTIONS (none yet). Every rule of
each domain's stylesheet must have failed at least once over the run, so the mutations reach them all.

DIFF_MUTATIONS scales the run (default 1: eight mutations of each seed per rule of its kind, 25 for a retour message,
two seeds per kind, about 5,000 messages in all); DIFF_SEED changes it.
"""

from __future__ import annotations

import functools
import os
import random
from pathlib import Path

import pytest
from lxml import etree

from shared.istandaard.lezen import lees, parse_323
from shared.istandaard.niveau2 import niveau2, niveau2_323, regel_ids
from shared.istandaard.problemen import ParseError
from shared.istandaard.release import HUIDIGE
from tests.berichten import DOMAINS, TYPES, boundary, example
from tests.mutaties import Mutator

SCALE = float(os.environ.get("DIFF_MUTATIONS", "1"))
RETOUR_TYPES = {"302", "306", "308", "316", "318", "320"}
SEED = int(os.environ.get("DIFF_SEED", "20261202"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "differential"
EXCEPTIONS: dict[str, str] = {}  # rule id → why the stylesheet is wrong there (none found)


@functools.cache
def stylesheet(domein: str) -> etree.XSLT:
    return etree.XSLT(etree.parse(str(HUIDIGE.xslt_paden[domein])))


def theirs(data: bytes, domein: str) -> set[str]:
    report = stylesheet(domein)(etree.fromstring(data))
    return {f.findtext("{*}Code") for f in report.getroot().iter("{*}Fout")}


def xsd_valid(data: bytes, domein: str, berichttype: str) -> bool:
    return HUIDIGE.soort(domein, berichttype).xmlschema.validate(etree.fromstring(data))


def ours(data: bytes) -> set[str] | None:
    """Our rule ids at level 2, or None when level 1 refuses the message."""
    try:
        soort, _root, values = lees(data)
    except ParseError:
        return None
    rules = {p.rule for p in niveau2(soort, values)}
    if soort.berichttype == "323":  # the hot path reads the 323 by position: it must judge the same
        fast = {p.rule for p in niveau2_323(parse_323(data))}
        assert fast == rules, (fast, rules)
    return rules


def _kinds() -> list[tuple[str, str]]:
    return [(d, t) for d in DOMAINS for t in TYPES]


def mutations(berichttype: str) -> int:
    """Per seed: more for a kind with more rules of its own (a retour message has only the basisschema's)."""
    rules = 0 if berichttype in RETOUR_TYPES else len(regel_ids("jw", berichttype))
    return max(1, round(max(25, 8 * rules) * SCALE))


FAILED: dict[str, set[str]] = {d: set() for d in DOMAINS}  # rule ids the stylesheet reported, per domain
MESSAGES: list[int] = []


def check_list(domein: str) -> set[str]:
    """The rule ids of the stylesheet's mode="check" template: every rule it checks."""
    xsl = "{http://www.w3.org/1999/XSL/Transform}"
    root = etree.parse(str(HUIDIGE.xslt_paden[domein])).getroot()
    check = next(t for t in root.iter(f"{xsl}template") if t.get("mode") == "check" and t.get("match") == "*")
    return {a.get("mode") for a in check.iter(f"{xsl}apply-templates")}


@pytest.mark.parametrize("domein", DOMAINS)
def test_every_rule_of_the_stylesheet_has_a_function_here(domein):
    ours_ids = set().union(*(regel_ids(domein, t) for t in TYPES))
    assert ours_ids == check_list(domein)


@pytest.mark.parametrize("domein, berichttype", _kinds(), ids=[f"{d}{t}" for d, t in _kinds()])
def test_every_mutation_gets_the_official_verdict(domein, berichttype):
    mutator = Mutator(HUIDIGE.soort(domein, berichttype))
    rnd = random.Random(f"{SEED}-{domein}{berichttype}")
    differences, level2 = [], 0
    seeds = [example(domein, berichttype), example(domein, berichttype, True), boundary(domein, berichttype)]
    for full, seed in enumerate(s for s in seeds if s is not None):
        for n in range(mutations(berichttype)):
            data, steps = mutator.mutate(seed, rnd, rnd.choice([1, 1, 2, 3]))
            valid = xsd_valid(data, domein, berichttype)
            mine = ours(data)
            if (mine is not None) != valid:
                differences.append((n, full, steps, "level 1", "valid" if mine is not None else "refused",
                                    "valid" if valid else "refused", data))
                continue
            if mine is None:
                continue
            level2 += 1
            official = theirs(data, domein)
            FAILED[domein] |= official
            if (mine - set(EXCEPTIONS)) != (official - set(EXCEPTIONS)):
                differences.append((n, full, steps, "level 2", sorted(mine), sorted(official), data))
    if differences:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, full, _steps, *_rest, data in differences:
            (ARTIFACTS / f"{domein}{berichttype}-seed{full}-{n}.xml").write_bytes(data)
    report = "\n".join(f"  #{n} (seed {full}) {'; '.join(steps)}: {lvl} ours {a} official {b}"
                       for n, full, steps, lvl, a, b, _ in differences[:40])
    MESSAGES.append(len([s for s in seeds if s is not None]) * mutations(berichttype))
    assert not differences, \
        f"{len(differences)} of {2 * mutations(berichttype)} mutated {domein}{berichttype} differ:\n{report}"
    assert level2 > 0, "no mutation passed level 1: the comparison at level 2 saw nothing"


@pytest.mark.parametrize("domein", DOMAINS)
def test_the_mutations_made_every_rule_fail_somewhere(domein):
    """Runs after the comparisons above (pytest keeps a module's order): the run proves little about a rule that
    never failed in it."""
    if not MESSAGES:
        pytest.fail("run this module whole: the comparisons collect which rules failed")
    assert sum(MESSAGES) >= 2000 * SCALE
    assert check_list(domein) - FAILED[domein] == set()


def test_listed_exception_a_value_the_stylesheet_compares_as_text_is_compared_here_as_the_xsd_reads_it():
    """TR358 compares the total's text with the sum of the lines written out: 0595000 is no 595000 to it. The XSD
    makes both the integer 595000, and so does this back office (README: the one listed exception)."""
    data = example("jw", "323").replace(b"<ijw:TotaalBedrag>595000<", b"<ijw:TotaalBedrag>0595000<")
    assert xsd_valid(data, "jw", "323")
    assert "TR358" in theirs(data, "jw")
    assert "TR358" not in (ours(data) or set())
