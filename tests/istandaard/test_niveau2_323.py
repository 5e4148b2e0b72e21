"""Level 2 of the 323 on the domain model (the hot path): what a failure does and what its problems say. Each rule's
boundary is in test_niveau2_grenzen.py; agreement with the official stylesheet in test_differential_xslt.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

from shared.istandaard import niveau2_323, parse_323
from shared.istandaard.niveau2 import REGELS_323, regel_id
from shared.models import Declaratiebericht
from tests.conftest import FIXTURES

VOORBEELD = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())


def with_line(b: Declaratiebericht, client: int, line: int, **changes) -> Declaratiebericht:
    clienten = list(b.declaratie.clienten)
    prestaties = list(clienten[client].prestaties)
    prestaties[line] = dataclasses.replace(prestaties[line], **changes)
    clienten[client] = dataclasses.replace(clienten[client], prestaties=prestaties)
    return with_decl(b, clienten=clienten)


def with_decl(b: Declaratiebericht, **changes) -> Declaratiebericht:
    return b.model_copy(update={"declaratie": b.declaratie.model_copy(update=changes)})


def test_the_standards_example_passes_every_rule_and_every_rule_is_named_by_its_id():
    assert niveau2_323(VOORBEELD) == []
    assert {regel_id(r) for r in REGELS_323} == {
        "CS002", "CS100", "CS325", "CS337", "CS339", "CS340", "CD060", "CD087", "TR101", "TR134", "TR137", "TR315",
        "TR316", "TR319", "TR335", "TR358", "TR416"}


def test_a_problem_names_the_line_and_never_the_bsn():
    bad = with_decl(VOORBEELD, clienten=[dataclasses.replace(VOORBEELD.declaratie.clienten[1], bsn="999990045"),
                                         *VOORBEELD.declaratie.clienten[1:]])
    (p,) = [p for p in niveau2_323(bad) if p.rule == "CS002"]
    assert p.path == "/Bericht/Declaratie/Clienten/Client[1]/Bsn" and p.found == "***"
    assert "999990045" not in p.message and "999990045" not in p.expected
    late = with_line(VOORBEELD, 1, 0, eenheid="83")
    (q,) = [p for p in niveau2_323(late) if p.rule == "CD087"]
    assert q.path == "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]/ProductTarief"
    assert " / " in q.message  # Dutch / English


def test_rules_judge_each_message_on_its_own():
    # The rules keep the lines of the message they last walked; a second message must not be judged on them.
    bad = with_decl(VOORBEELD, totaal_ingediend_bedrag=1)
    assert [p.rule for p in niveau2_323(bad)] == ["TR358"]
    assert niveau2_323(VOORBEELD) == []


def test_level2_failure_rejects_the_whole_message_with_0001():
    from declaratie.domain.beoordeling import beoordeel
    from declaratie.domain.context import Beoordelingscontext
    from shared.platform.regio import load_regio
    from tools.checkout import DEFAULT_REGIO

    v = beoordeel(with_decl(VOORBEELD, totaal_ingediend_bedrag=1), load_regio(DEFAULT_REGIO),
                  Beoordelingscontext(systeemdatum=dt.date(2026, 5, 5)), b"geheim")
    assert v.header_retourcodes == ["0001"] and v.oordelen == [] and v.goedgekeurd == []
    assert v.totaal_toegekend_bedrag == 0 and "TR358" in v.header_redenen[0]
