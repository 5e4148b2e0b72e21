"""The system benchmark's own arithmetic: what a 325 and a ledger must hold, how a 325 is read and compared,
how messages become ZIP batches, and how figures are judged against the issue's targets."""

from __future__ import annotations

import random

from bench.gateway_bench import Bericht
from bench.system_bench import (
    Antwoord325,
    Decl,
    Verwacht325,
    beoordeel,
    grootboek_verwacht,
    lees_325,
    verschillen_325,
    verschillen_grootboek,
    verwacht_325,
    zendingen,
)
from berichtenverkeer.domain.batch import MAX_BERICHTEN, berichten_uit_zip
from tests.conftest import FIXTURES

VOORBEELD_325 = FIXTURES / "jw325-voorbeeld-0611.xml"


def decl(cbs: str, regels) -> Decl:
    return Decl(Bericht("demo-aanbieder-71000000", b"<x/>", len(regels)), "D1", "71000000", cbs, tuple(regels))


def test_expected_325_counts_approved_lines_only_and_credits_subtract():
    v = verwacht_325([("R1", 1000, None), ("R2", -400, None), ("R3", 700, "0611"), ("R4", 50, "9338")])
    assert v == Verwacht325(afgewezen={"R3": "0611", "R4": "9338"}, toegekend=600)


def test_the_example_325_is_read_with_its_rejected_line_and_awarded_total():
    a = lees_325(VOORBEELD_325.read_bytes())
    assert a == Antwoord325(header=["0200"], declaratie=["0200"], afgewezen={"P20260504000002": ["0611"]},
                            toegekend=143500)


def test_a_325_as_expected_has_no_differences():
    v = Verwacht325({"R3": "0611"}, 600)
    assert verschillen_325(v, Antwoord325(["0200"], ["0200"], {"R3": ["0611"]}, 600)) == []
    assert verschillen_325(Verwacht325({}, 600), Antwoord325(["0200"], ["8001"], {}, 600)) == []


def test_every_kind_of_difference_in_a_325_is_named():
    v = Verwacht325({"R3": "0611", "R4": "9338"}, 600)
    d = verschillen_325(v, Antwoord325(["0200"], ["0200"], {"R3": ["8021"], "R5": ["0611"]}, 500))
    assert any("R3" in x and "expected 0611" in x for x in d)
    assert any("R4" in x and "approved, expected rejected" in x for x in d)
    assert any("R5" in x and "expected approved" in x for x in d)
    assert any("TotaalToegekendBedrag" in x for x in d)
    assert verschillen_325(Verwacht325({}, 600), Antwoord325(["0200"], ["0200"], {}, 600)) == [
        "declaration RetourCodes ['0200'], expected ['8001']"]
    assert "rejected as a whole" in verschillen_325(v, Antwoord325(["0001"], None, {}, None))[0]


def test_ledger_expectation_per_municipality_credits_subtract_and_rejected_lines_book_nothing():
    verwacht = grootboek_verwacht([
        decl("0632", [("R1", 1000, None), ("R2", -300, None), ("R3", 999, "0611")]),
        decl("0632", [("R4", 200, None)]),
        decl("1904", [("R5", 50, "9338")]),
    ])
    assert verwacht == {"0632": {"kosten_cent": 900, "te_betalen_cent": -900, "posten": 3},
                        "1904": {"kosten_cent": 0, "te_betalen_cent": 0, "posten": 0}}


def test_ledger_differences_name_the_municipality_and_the_amount():
    verwacht = {"0632": {"kosten_cent": 900, "te_betalen_cent": -900, "posten": 3}}
    assert verschillen_grootboek(verwacht, {"0632": dict(verwacht["0632"])}) == []
    d = verschillen_grootboek(verwacht, {"0632": {"kosten_cent": 1000, "te_betalen_cent": -900, "posten": 3},
                                         "1904": {"kosten_cent": 5, "te_betalen_cent": -5, "posten": 1}})
    assert len(d) == 4
    assert d[0].startswith("municipality 0632: kosten_cent 1,000 in the ledger, expected 900")
    assert all(x.startswith("municipality 1904") for x in d[1:])


def test_zip_batches_hold_at_most_30_messages_of_one_party_and_the_gateway_can_read_them():
    berichten = [Bericht(f"demo-aanbieder-{71000000 + i % 3}", f"<bericht n='{i}'/>".encode(), 1) for i in range(100)]
    batches = zendingen(berichten, MAX_BERICHTEN, random.Random(1))
    gezien = []
    for z, idx in batches:
        assert 1 <= len(z.berichten) <= MAX_BERICHTEN
        assert {berichten[i].token for i in idx} == {z.token}
        inhoud = [x for _naam, x in berichten_uit_zip(z.body, 25 * 1024 * 1024)]
        assert inhoud == [berichten[i].xml for i in idx]
        assert z.headers["Content-Type"] == "application/zip"
        gezien.extend(idx)
    assert sorted(gezien) == list(range(100))


def test_figures_are_marked_against_the_targets_and_information_has_no_verdict():
    r = {"phases": [{"name": "month", "via": "zip", "end_to_end_lines_per_s": 12_000},
                    {"name": "compare", "via": "xml", "end_to_end_lines_per_s": 1_500}],
         "latency": {"offered_lines_per_s": 1000, "p50_ms": 50, "p95_ms": 400, "p99_ms": 1200},
         "peak_rss_mb": {"berichtenverkeer": 120.0, "declaratie": 310.0, "load_generator": 900.0},
         "ceiling": {"lines_per_s": 40_000, "ratio": 0.3},
         "month": {"lines": 100_000, "seconds": 61.0},
         "correctness": {"declarations": 10, "answers_matching": 10, "missing_answers": 0, "municipalities": 5,
                         "ledgers_matching": 4}}
    rows = {naam: met for naam, _v, _t, met in beoordeel(r)}
    assert rows["end-to-end lines/s, month (ZIP batches)"] is True
    assert rows["end-to-end lines/s, compare (one XML per POST)"] is False
    assert rows["POST -> 325 p50 / p95 / p99 at 1,000 lines/s"] is False
    assert rows["peak RSS berichtenverkeer (VmHWM)"] is True
    assert rows["peak RSS declaratie (VmHWM)"] is False
    assert not any("load_generator" in naam for naam in rows)
    assert rows["raw ceiling: Kafka + COPY of the month's payloads"] is None
    assert rows["system / ceiling (month run)"] is True
    assert rows["month run: 100,000 lines, first POST -> all 325s + booked"] is False
    assert rows["325s exactly as the generator expects"] is True
    assert rows["ledgers matching the approved amounts"] is False
