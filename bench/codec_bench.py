"""Codec benchmark: parse + level-1/level-2 validate a generated corpus of 323s, and write 325s, on one core.

    .venv/bin/python bench/codec_bench.py [--messages 2000] [--max-lines 200]

Prints lines/s and messages/s, and the same-run baseline of a bare lxml parse of the same bytes (the ceiling
for any reader built on lxml), with the ratio. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402

from shared.bsn import test_bsns  # noqa: E402
from shared.codec import BERICHTCODES, parse_323, write_323, write_325  # noqa: E402
from shared.models import (Client, Declaratie, Declaratieantwoord, Declaratiebericht, Header, Periode,  # noqa: E402
                           Prestatie)
from shared.regio import DEFAULT_REGIO, load_regio  # noqa: E402
from shared.validatie import level2_323  # noqa: E402


def corpus(n: int, max_lines: int, seed: int = 7) -> list[tuple[bytes, int]]:
    rnd = random.Random(seed)
    regio = load_regio(DEFAULT_REGIO)
    bsns = itertools.cycle(list(test_bsns()))  # ~9,000 test BSNs; unique within any one message
    april = Periode(begindatum=dt.date(2026, 4, 1), einddatum=dt.date(2026, 4, 30))
    out = []
    ref = 0
    for i in range(n):
        contract = rnd.choice(regio.contracten)
        lines = rnd.randint(1, max_lines)
        clienten = []
        while lines > 0:
            k = min(lines, rnd.randint(1, 4))
            prestaties = []
            for _ in range(k):
                ref += 1
                p = rnd.choice(contract.producten)
                vol = rnd.randint(1, 40) if p.eenheid != "83" else rnd.randint(1000, 90000)
                tarief = p.tarief_op(april.begindatum)
                prestaties.append(Prestatie(
                    referentienummer=f"B{ref:012d}", toewijzingnummer=ref, productcategorie=p.categorie,
                    productcode=p.code, productperiode=april, geleverd_volume=vol, eenheid=p.eenheid,
                    producttarief=None if p.eenheid == "83" else tarief,
                    ingediend_bedrag=vol if p.eenheid == "83" else vol * tarief, debet_credit="D"))
            clienten.append(Client(bsn=next(bsns), prestaties=prestaties))
            lines -= k
        total = sum(p.ingediend_bedrag for c in clienten for p in c.prestaties)
        b = Declaratiebericht(domein=contract.domein, header=Header(
            berichtcode=BERICHTCODES[contract.domein]["323"], berichtversie=3, berichtsubversie=2,
            afzender=contract.aanbieder, ontvanger=rnd.choice(contract.gemeenten), identificatie=f"BN{i:08d}",
            dagtekening=dt.date(2026, 5, 4), basisschema_xsd_versie="1.0.0", bericht_xsd_versie="1.0.0"),
            declaratie=Declaratie(declaratienummer=f"BN{i:08d}", declaratieperiode=april,
                                  declaratiedagtekening=dt.date(2026, 5, 4), totaal_ingediend_bedrag=total,
                                  totaal_debet_credit="D", clienten=clienten))
        out.append((write_323(b), sum(len(c.prestaties) for c in clienten)))
    return out


def timed(label: str, fn, messages: int, lines: int) -> float:
    t0 = time.perf_counter()
    fn()
    s = time.perf_counter() - t0
    print(f"{label:<44} {lines / s:>10,.0f} lines/s {messages / s:>9,.0f} messages/s  ({s:.2f} s)")
    return lines / s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--max-lines", type=int, default=200)
    a = ap.parse_args()
    print(f"generating {a.messages} messages of 1–{a.max_lines} lines …", file=sys.stderr)
    msgs = corpus(a.messages, a.max_lines)
    n_lines = sum(n for _, n in msgs)
    print(f"corpus: {a.messages} messages, {n_lines:,} lines, {sum(len(x) for x, _ in msgs) / 1e6:.1f} MB; one core")

    parsed = []
    baseline = timed("baseline: bare lxml parse", lambda: [etree.fromstring(x) for x, _ in msgs], a.messages, n_lines)
    ours = timed("parse + level 1 + level 2 (ours)",
                 lambda: parsed.extend(b for x, _ in msgs if not level2_323(b := parse_323(x))), a.messages, n_lines)
    assert len(parsed) == len(msgs), "the corpus must be valid"
    header = Header(berichtcode="491", berichtversie=3, berichtsubversie=2, afzender="0632", ontvanger="87654321",
                    identificatie="RB0000000001", dagtekening=dt.date(2026, 5, 11), basisschema_xsd_versie="1.0.0",
                    bericht_xsd_versie="1.0.0")
    antwoorden = [Declaratieantwoord(domein=b.domein, header=header, declaratie_header=b.header,
                                     header_retourcodes=["0200"], declaratie=b.declaratie,
                                     regel_retourcodes=[["0611"]], totaal_toegekend_bedrag=0) for b in parsed]
    timed("write 325 (one rejected line each)", lambda: [write_325(x) for x in antwoorden], a.messages, n_lines)
    print(f"ratio ours / bare lxml parse: {ours / baseline:.3f}   (target: ≥ 50,000 lines/s parsed and validated)")


if __name__ == "__main__":
    main()
