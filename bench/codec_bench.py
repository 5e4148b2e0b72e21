"""Codec benchmark: parse + level 1 (the official XSD, libxml2) + level 2 of a generated corpus of 323s, and
writing 325s, on one core.

    .venv/bin/python bench/codec_bench.py [--messages 2000] [--max-lines 200] [--repeat 3]

Prints lines/s and messages/s of each step next to two same-run baselines: a bare lxml parse of the same bytes
(the ceiling for any reader on lxml) and parse + the official XSD validated by libxml2 alone (the cost of level 1
that no reader can avoid), with the ratios. Each figure is the best of --repeat passes over the corpus, with the
garbage collector off during a pass, and nothing is kept between messages (keeping 2,000 trees alive measures the
allocator, not the parser). Figures only; nothing is asserted. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree

from shared.bsn import test_bsns
from shared.istandaard import BERICHTCODES, detect, niveau2_323, parse_323, parse_xml, write_323, write_325
from shared.models import Client, Declaratie, Declaratieantwoord, Declaratiebericht, Header, Periode, Prestatie
from shared.platform.regio import load_regio
from tools.checkout import DEFAULT_REGIO


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


def best_of(repeat: int, items: list, fn: Callable) -> float:
    """Seconds of the fastest pass of fn over every item, the garbage collector off within a pass."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            for item in items:
                fn(item)
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best


def line(label: str, seconds: float, messages: int, lines: int) -> float:
    print(f"{label:<48} {lines / seconds:>10,.0f} lines/s {messages / seconds:>9,.0f} messages/s  ({seconds:.2f} s)")
    return lines / seconds


def xsd_only(data: bytes) -> None:
    root = etree.fromstring(data)
    if not detect(root).xmlschema.validate(root):
        raise AssertionError("the corpus must be valid")


def ours(data: bytes) -> None:
    if niveau2_323(parse_323(data)):
        raise AssertionError("the corpus must be valid at level 2")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--max-lines", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print(f"generating {a.messages} messages of 1–{a.max_lines} lines …", file=sys.stderr)
    msgs = corpus(a.messages, a.max_lines)
    data = [x for x, _ in msgs]
    n, lines = len(msgs), sum(k for _, k in msgs)
    print(f"corpus: {n} messages, {lines:,} lines, {sum(map(len, data)) / 1e6:.1f} MB; one core, best of {a.repeat}")
    bare = line("baseline: bare lxml parse", best_of(a.repeat, data, etree.fromstring), n, lines)
    xsd = line("baseline: parse + official XSD (libxml2)", best_of(a.repeat, data, xsd_only), n, lines)
    hardened = line("hardened parse (ours, level 0)", best_of(a.repeat, data, parse_xml), n, lines)
    level1 = line("parse + level 1 + 323 model (ours)", best_of(a.repeat, data, parse_323), n, lines)
    full = line("parse + level 1 + level 2 (ours)", best_of(a.repeat, data, ours), n, lines)
    parsed = [parse_323(x) for x in data]
    header = Header(berichtcode="491", berichtversie=3, berichtsubversie=2, afzender="0632", ontvanger="87654321",
                    identificatie="RB0000000001", dagtekening=dt.date(2026, 5, 11), basisschema_xsd_versie="1.0.0",
                    bericht_xsd_versie="1.0.0")
    antwoorden = [Declaratieantwoord(domein=b.domein, header=header, declaratie_header=b.header,
                                     header_retourcodes=["0200"], declaratie=b.declaratie,
                                     regel_retourcodes=[["0611"]], totaal_toegekend_bedrag=0) for b in parsed]
    line("write 325 (one rejected line each)", best_of(a.repeat, antwoorden, write_325), n, lines)
    print(f"ratio ours / bare lxml parse:        {full / bare:.3f}   (target ≥ 0.4; absolute target ≥ 50,000 lines/s)")
    print(f"ratio ours / parse + XSD alone:      {full / xsd:.3f}")
    print(f"ratio hardened parse / bare parse:   {hardened / bare:.3f}")
    print(f"level 2 costs {1e6 / full - 1e6 / level1:.2f} µs a line; "
          f"level 1 + model {1e6 / level1 - 1e6 / hardened:.2f} µs")


if __name__ == "__main__":
    main()
