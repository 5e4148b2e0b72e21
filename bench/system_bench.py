"""System benchmark (issue 8): a generated region month through the whole back office on real Kafka and
PostgreSQL, from the providers' POSTs until every 325 exists and facturatie has booked every approved line.

    make bench                                   # installs what it needs, then the default run (~7 min on 2 cores)
    .venv/bin/python bench/system_bench.py [--smoke] [--month-lines 100000] [--compare-lines 25000]
                                           [--rate 1000] [--seconds 30] [--max-regels 500] [--aanbieders 200]
                                           [--gemeenten 5] [--clienten N] [--month-via zip|xml]
                                           [--json test-artifacts/bench/system.json]
                                           [--png test-artifacts/bench/system.png]
    --smoke: a small region (20 providers, ~25,000 October lines), about 2-3 minutes.

What happens (progress on stderr; the summary table on stdout; figures as JSON and a PNG chart):
1. generate a region month (bench/generator.py, seeded): providers, municipalities, clients with allocations of
   every kind the generator makes (hours, days and euro budgets), one 301 per client, a September history and the
   October declarations with late September lines, credits of September lines with replacement debits and ~5%
   rule violations of six kinds. October's 323 per provider x municipality is cut at client boundaries into
   messages of 1-`--max-regels` lines (default 500), each its own Identificatie and DeclaratieNummer, shuffled and
   dealt out to three phases (a client never spans two). For every message the generator knows the 325: which
   lines are rejected with which RetourCode and the TotaalToegekendBedrag. Every XML and ZIP body is made before
   any clock runs;
2. start throw-away Kafka and PostgreSQL and the three services (RATE_LIMIT_PER_PARTIJ=0);
3. not timed: the 301s and the September 323s through the API in ZIP batches, until every September 325 exists,
   every approved line is booked and the pipeline is idle;
4. the month run (`--month-lines`, default ~100,000 lines: the Utrecht-West month): every message submitted as
   fast as the gateway takes it, in ZIP batches of up to 30 messages of one provider (`--month-via zip`, the
   default) from `--concurrency-zip` clients; the clock runs from the first POST until every 325 exists AND
   facturatie's journal holds a posting for every approved line (polled in its database every 0.2 s). That
   time is the month figure, lines / time the end-to-end lines/s;
5. the same for `--compare-lines` lines with the other way of submitting (one XML message per POST from
   `--concurrency-xml` clients), so both are reported;
6. latency: an open-loop generator offers `--rate` lines/s (one XML per POST, each sent when its lines are due)
   for `--seconds`; per message POST -> 325 (the server's `beantwoord` timestamp) and POST -> last posting
   booked (`geboekt_at`), p50/p95/p99;
7. the same-run raw ceiling, on the idle system: the month run's payloads through Kafka alone (every 323's XML
   bytes plus every event the pipeline put on Kafka for the month, read back from the topics, produced to a
   scratch topic and consumed back) plus a PostgreSQL COPY of as many journal rows as the month booked; the month's
   lines over that time is the ceiling in lines/s, and system/ceiling the ratio;
8. correctness: every 325 (read from the archive) compared line by line with the generator's expectation
   (rejected lines and their RetourCodes, header and declaration codes, TotaalToegekendBedrag); the ledger of every
   municipality compared with the approved amounts (credits subtract): expenses, payables, number of postings.
   Any difference is printed and makes the exit code 1.

Targets of the issue, each printed next to its figure as met / not met (never asserted): >= 10,000 lines/s end to
end; p99 < 1 s at 1,000 lines/s; every service < 300 MB peak RSS (VmHWM); system/ceiling >= 0.25 (aim); the month
in < 60 s. Peak RSS, CPU per component and phase (cpu_ms_per_line) and the machine's load are in the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import json
import math
import os
import random
import signal
import sys
import tempfile
import time
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.gateway_bench import (
    SERVICES,
    Bericht,
    Cpu,
    Pijplijn,
    Resultaat,
    closed_loop,
    deel_bericht,
    in_delen,
    ms,
    op_systeem,
    open_loop,
    pct,
    regio_yaml,
    verdeling,
)
from bench.generator import (
    genereer,
    xml_301,
)
from bench.grootboek_bench import copy_journaalregels
from shared.istandaard import niveau2_323, read_bericht, validate_structure, write_323
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, TOPIC_ONTVANGEN, TOPIC_PRESTATIES_GEBOEKT
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.service import ensure_topics
from tools.cli import ServiceSet

PIPELINE_TOPICS = (TOPIC_ONTVANGEN, TOPIC_DECLARATIE_BEOORDEELD, TOPIC_PRESTATIES_GEBOEKT)
LINES_PER_CLIENT = 3.4  # October lines per client in a generated month (157k lines / 46k clients), for sizing
POLL = 0.2  # seconds between completion checks during a timed phase
STALL = 15.0  # a phase whose postings stop growing this long after its last 325 is reported, not waited for
SIZE_BINS = ((1, 9), (10, 49), (50, 99), (100, 199), (200, 299), (300, 399), (400, 500))
ZIP_HEADERS = "application/zip"

TARGETS = {"e2e_lines_per_s": 10_000, "p99_ms": 1000, "rss_mb": 300, "ratio": 0.25, "month_s": 60}
PROFILES = {  # --smoke fills in what was not given; the default run otherwise
    "default": {"aanbieders": 200, "month_lines": 100_000, "compare_lines": 25_000, "seconds": 30},
    "smoke": {"aanbieders": 20, "month_lines": 12_000, "compare_lines": 5_000, "seconds": 10},
}


def say(msg: str) -> None:
    print(f"[system-bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- what the generator expects (pure)

# ReferentieNummer, signed cents (credit negative), expected code (None: approved)
Regel = tuple[str, int, "str | None"]


@dataclass(frozen=True)
class Decl:
    """One 323 of the run, serialised, with what the generator expects of every line."""

    bericht: Bericht
    nummer: str  # DeclaratieNummer
    agb: str
    cbs: str
    regels: tuple[Regel, ...]

    @property
    def goedgekeurd(self) -> int:
        return sum(1 for _r, _b, code in self.regels if code is None)


@dataclass(frozen=True)
class Verwacht325:
    afgewezen: dict[str, str]  # ReferentieNummer -> the RetourCode it must carry
    toegekend: int  # signed cents: TotaalToegekendBedrag with D positive, C negative


@dataclass(frozen=True)
class Antwoord325:
    header: list[str]
    declaratie: list[str] | None  # None: no DeclaratieAntwoord (rejected as a whole)
    afgewezen: dict[str, list[str]]  # every line echoed in the 325 (only rejected ones are) -> its RetourCodes
    toegekend: int | None


def verwacht_325(regels: tuple[Regel, ...] | list[Regel]) -> Verwacht325:
    return Verwacht325(afgewezen={ref: code for ref, _b, code in regels if code},
                       toegekend=sum(b for _r, b, code in regels if code is None))


def lees_325(xml: bytes) -> Antwoord325:
    domein, berichttype, root = read_bericht(xml)
    v = validate_structure(root, domein, berichttype)
    header = list(v["Header"]["RetourCodes"]["RetourCode"])
    d = v.get("DeclaratieAntwoord")
    if not d:
        return Antwoord325(header, None, {}, None)
    afgewezen: dict[str, list[str]] = {}
    for c in (d.get("Clienten") or {}).get("Client", []):
        for p in c["Prestaties"]["Prestatie"]:
            afgewezen[p["ProductReferentie"]["ReferentieNummer"]] = list(p["RetourCodes"]["RetourCode"])
    t = d["TotaalToegekendBedrag"]
    return Antwoord325(header, list(d["RetourCodes"]["RetourCode"]), afgewezen,
                       t["TotaalBedrag"] if t["DebetCredit"] == "D" else -t["TotaalBedrag"])


def verschillen_325(v: Verwacht325, a: Antwoord325) -> list[str]:
    """Every way the 325 differs from what the generator intended (empty: it is exactly as expected)."""
    out = []
    if a.header != ["0200"]:
        return [f"header RetourCodes {a.header}, expected ['0200'] (message rejected as a whole)"]
    verwacht_decl = ["0200"] if v.afgewezen else ["8001"]  # 8001: declaration fully awarded
    if a.declaratie != verwacht_decl:
        out.append(f"declaration RetourCodes {a.declaratie}, expected {verwacht_decl}")
    for ref, code in v.afgewezen.items():
        codes = a.afgewezen.get(ref)
        if codes is None:
            out.append(f"line {ref}: approved, expected rejected with {code}")
        elif code not in codes:
            out.append(f"line {ref}: rejected with {codes}, expected {code}")
    for ref, codes in a.afgewezen.items():
        if ref not in v.afgewezen:
            out.append(f"line {ref}: rejected with {codes}, expected approved")
    if a.toegekend != v.toegekend:
        out.append(f"TotaalToegekendBedrag {a.toegekend} cents (signed), expected {v.toegekend}")
    return out


def grootboek_verwacht(decls) -> dict[str, dict[str, int]]:
    """Per municipality what its ledger must hold after these declarations: the approved amounts (credits
    subtract) as expenses, as much payable (a credit balance, negative), one posting per approved line."""
    out: dict[str, dict[str, int]] = {}
    for d in decls:
        g = out.setdefault(d.cbs, {"kosten_cent": 0, "te_betalen_cent": 0, "posten": 0})
        for _ref, bedrag, code in d.regels:
            if code is None:
                g["kosten_cent"] += bedrag
                g["te_betalen_cent"] -= bedrag
                g["posten"] += 1
    return out


def verschillen_grootboek(verwacht: dict[str, dict[str, int]], werkelijk: dict[str, dict[str, int]]) -> list[str]:
    out = []
    for cbs in sorted(set(verwacht) | set(werkelijk)):
        v = verwacht.get(cbs, {"kosten_cent": 0, "te_betalen_cent": 0, "posten": 0})
        w = werkelijk.get(cbs, {"kosten_cent": 0, "te_betalen_cent": 0, "posten": 0})
        for k in ("kosten_cent", "te_betalen_cent", "posten"):
            if v[k] != w.get(k, 0):
                out.append(f"municipality {cbs}: {k} {w.get(k, 0):,} in the ledger, expected {v[k]:,} "
                           f"(difference {w.get(k, 0) - v[k]:+,})")
    return out


@dataclass(frozen=True)
class Zending:
    """A ZIP of up to 30 messages of one party, as one POST."""

    token: str
    body: bytes
    berichten: tuple[Bericht, ...]

    @property
    def regels(self) -> int:
        return sum(b.regels for b in self.berichten)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": ZIP_HEADERS}


def zip_body(berichten: list[Bericht], namen: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for b, naam in zip(berichten, namen):
            z.writestr(naam, b.xml)
    return buf.getvalue()


def zendingen(berichten: list[Bericht], per_zip: int, rnd: random.Random) -> list[tuple[Zending, list[int]]]:
    """The messages as ZIPs of up to `per_zip` per party (in their order), shuffled; with each ZIP the indexes of
    its messages in `berichten`."""
    per_partij: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(berichten):
        per_partij[b.token].append(i)
    out = []
    for token, idx in per_partij.items():
        for k in range(0, len(idx), per_zip):
            deel = idx[k:k + per_zip]
            bs = [berichten[i] for i in deel]
            out.append((Zending(token, zip_body(bs, [f"bericht-{i:07d}.xml" for i in deel]), tuple(bs)), deel))
    rnd.shuffle(out)
    return out


def beoordeel(r: dict) -> list[tuple[str, str, str, bool | None]]:
    """The summary: (figure, value, target, met) per row; met None = no target (information)."""
    rows: list[tuple[str, str, str, bool | None]] = []
    t = TARGETS
    for fase in r["phases"]:
        if fase.get("end_to_end_lines_per_s") is None:
            continue
        wat = "ZIP batches" if fase["via"] == "zip" else "one XML per POST"
        rows.append((f"end-to-end lines/s, {fase['name']} ({wat})", f"{fase['end_to_end_lines_per_s']:,}",
                     f">= {t['e2e_lines_per_s']:,}", fase["end_to_end_lines_per_s"] >= t["e2e_lines_per_s"]))
    lat = r.get("latency")
    if lat and lat.get("p99_ms") is not None:
        rows.append((f"POST -> 325 p50 / p95 / p99 at {lat['offered_lines_per_s']:,.0f} lines/s",
                     f"{lat['p50_ms']:,.0f} / {lat['p95_ms']:,.0f} / {lat['p99_ms']:,.0f} ms",
                     f"p99 < {t['p99_ms']:,} ms", lat["p99_ms"] < t["p99_ms"]))
        if lat.get("booked_p99_ms") is not None:
            rows.append(("POST -> booked p50 / p95 / p99 (information)",
                         f"{lat['booked_p50_ms']:,.0f} / {lat['booked_p95_ms']:,.0f} / {lat['booked_p99_ms']:,.0f} ms",
                         "", None))
    for name, mb in r.get("peak_rss_mb", {}).items():
        if name in SERVICES:
            rows.append((f"peak RSS {name} (VmHWM)", "?" if mb is None else f"{mb:,.0f} MB", f"< {t['rss_mb']} MB",
                         None if mb is None else mb < t["rss_mb"]))
    c = r.get("ceiling")
    if c:
        rows.append(("raw ceiling: Kafka + COPY of the month's payloads", f"{c['lines_per_s']:,} lines/s", "", None))
        rows.append(("system / ceiling (month run)", f"{c['ratio']:.3f}", f">= {t['ratio']} (aim)",
                     c["ratio"] >= t["ratio"]))
    m = r.get("month")
    if m and m.get("seconds") is not None:
        rows.append((f"month run: {m['lines']:,} lines, first POST -> all 325s + booked", f"{m['seconds']:,.1f} s",
                     f"< {t['month_s']} s", m["seconds"] < t["month_s"]))
    k = r.get("correctness")
    if k:
        rows.append(("325s exactly as the generator expects", f"{k['answers_matching']:,} of {k['declarations']:,}",
                     "all", k["answers_matching"] == k["declarations"] and not k["missing_answers"]))
        rows.append(("ledgers matching the approved amounts", f"{k['ledgers_matching']} of {k['municipalities']}",
                     "all", k["ledgers_matching"] == k["municipalities"]))
    return rows


# --------------------------------------------------------------------------- preparing the work


@dataclass
class Werk:
    toewijzingen: list[tuple[Zending, list[int]]]
    september: list[Decl]
    september_zips: list[tuple[Zending, list[int]]]
    fases: dict[str, list[Decl]]  # month, compare, latency
    zips: dict[str, list[tuple[Zending, list[int]]]] = field(default_factory=dict)
    grootte: dict = field(default_factory=dict)


def als_decl(b, verwacht: dict, historie: bool = False) -> Decl:
    agb = b.header.afzender
    regels = tuple((p.referentienummer, p.signed_bedrag, None if historie else verwacht.get((agb, p.referentienummer)))
                   for _c, p in b.prestaties())
    bericht = Bericht(f"demo-aanbieder-{agb}", write_323(b), len(regels), sum(1 for r in regels if r[2]))
    return Decl(bericht, b.declaratie.declaratienummer, agb, b.header.ontvanger, regels)


def maak_werk(args: argparse.Namespace, regio_file: Path) -> tuple[Werk, dict]:
    latentie_regels = int(args.rate * args.seconds)
    nodig = args.month_lines + args.compare_lines + latentie_regels
    clienten = args.clienten or math.ceil(nodig / LINES_PER_CLIENT)
    t0 = time.monotonic()
    maand = genereer(aanbieders=args.aanbieders, clienten=clienten, seed=args.seed, gemeenten=args.gemeenten)
    say(f"generated in {time.monotonic() - t0:.1f}s: {len(maand.regio.aanbieders)} providers, "
        f"{len(maand.regio.gemeenten)} municipalities, {maand.clienten:,} clients with "
        f"{sum(len(t.toewijzingen) for t in maand.toewijzingen):,} allocations, {len(maand.september):,} September "
        f"and {len(maand.oktober):,} October declarations, {maand.regels:,} October lines "
        f"({sum(1 for c in maand.verwacht.values() if c) / max(1, maand.regels):.1%} violations)")
    rnd = random.Random(args.seed)
    delen = []
    for bericht in maand.oktober:
        for clienten_deel in in_delen(bericht, args.max_regels, rnd):
            delen.append(deel_bericht(bericht, clienten_deel, f"M{len(delen):07d}"))
    rnd.shuffle(delen)
    for b in delen[:50]:  # offline sanity check of a sample: valid at levels 1 and 2
        problems = niveau2_323(b)
        if problems:
            raise RuntimeError(f"generated part {b.declaratie.declaratienummer} breaks level 2: {problems[:2]}")

    t0 = time.monotonic()
    oktober = [als_decl(b, maand.verwacht) for b in delen]
    totaal = sum(d.bericht.regels for d in oktober)
    fases: dict[str, list[Decl]] = {"latency": [], "compare": [], "month": []}
    # The latency and comparison phases take what they need (at most a third each); the month run the rest.
    for naam, doel in (("latency", latentie_regels), ("compare", args.compare_lines)):
        n, doel = 0, min(doel, totaal // 3)
        while oktober and n < doel:
            fases[naam].append(oktober.pop())
            n += fases[naam][-1].bericht.regels
    fases["month"] = oktober
    september = [als_decl(b, maand.verwacht, historie=True) for b in maand.september]
    toewijzingen = [Bericht(f"demo-gemeente-{t.header.afzender}", xml_301(t), len(t.toewijzingen))
                    for t in maand.toewijzingen]
    werk = Werk(toewijzingen=zendingen(toewijzingen, args.zip_size, rnd), september=september,
                september_zips=zendingen([d.bericht for d in september], args.zip_size, rnd), fases=fases)
    for naam, via in (("month", args.month_via), ("compare", "xml" if args.month_via == "zip" else "zip")):
        if via == "zip":
            werk.zips[naam] = zendingen([d.bericht for d in fases[naam]], args.zip_size, rnd)
    werk.grootte = {naam: verdeling([d.bericht.regels for d in ds], SIZE_BINS) for naam, ds in fases.items()}
    werk.grootte["all"] = verdeling([d.bericht.regels for ds in fases.values() for d in ds], SIZE_BINS)
    mb = sum(len(d.bericht.xml) for ds in fases.values() for d in ds) / 1e6
    say(f"serialised in {time.monotonic() - t0:.1f}s: {len(toewijzingen):,} 301s in {len(werk.toewijzingen):,} ZIPs, "
        f"{len(september):,} September 323s, {len(delen):,} October 323s of 1-{args.max_regels} lines ({mb:.0f} MB): "
        + ", ".join(f"{n} {len(ds):,} messages / {sum(d.bericht.regels for d in ds):,} lines"
                    for n, ds in fases.items()))
    regio_yaml(maand, regio_file)
    params = {"providers": len(maand.regio.aanbieders), "municipalities": [g.cbs for g in maand.regio.gemeenten],
              "clients": maand.clienten, "allocation_messages": len(toewijzingen),
              "september_declarations": len(september),
              "september_lines": sum(d.bericht.regels for d in september), "october_lines": totaal,
              "max_lines_per_message": args.max_regels}
    return werk, params


# --------------------------------------------------------------------------- sending


async def post_zip(c: httpx.AsyncClient, item: tuple[Zending, list[int]]) -> list[Resultaat]:
    """One ZIP; one result per message in it (202 for all of them or for none: a batch is accepted whole)."""
    z, _idx = item
    t_send = time.time()
    try:
        r = await c.post("/v1/berichten", content=z.body, headers=z.headers)
    except httpx.HTTPError as exc:
        return [Resultaat(t_send, time.time(), 0, None, f"{type(exc).__name__}: {exc}") for _ in z.berichten]
    t_done = time.time()
    if r.status_code == 202:
        return [Resultaat(t_send, t_done, 202, x["bericht_id"]) for x in r.json()["berichten"]]
    return [Resultaat(t_send, t_done, r.status_code, None, r.text[:300]) for _ in z.berichten]


async def stuur_zips(url: str, items: list[tuple[Zending, list[int]]], n: int, concurrency: int,
                     wat: str) -> list[Resultaat]:
    """Every ZIP from `concurrency` closed-loop clients; the results per message, in message order."""
    per_zip = await closed_loop(url, items, concurrency, wat, send=post_zip)
    results: list[Resultaat | None] = [None] * n
    for (_z, idx), rs in zip(items, per_zip):
        for i, r in zip(idx, rs):
            results[i] = r
    return results  # type: ignore[return-value]


async def laad(url: str, items: list[tuple[Zending, list[int]]], n: int, concurrency: int,
               wat: str) -> list[Resultaat]:
    t0 = time.monotonic()
    results = await stuur_zips(url, items, n, concurrency, wat)
    fouten = [r for r in results if r.status != 202]
    if fouten:
        raise RuntimeError(f"{wat}: {len(fouten)} of {n} refused, e.g. {fouten[0].status} {fouten[0].fout}")
    say(f"  {n:,} {wat} accepted in {time.monotonic() - t0:.1f}s ({n / (time.monotonic() - t0):,.0f}/s)")
    return results


# --------------------------------------------------------------------------- waiting and reading back


class Systeem:
    def __init__(self, url: str, kafka: KafkaConnection, pool: asyncpg.Pool, cpu: Cpu, timeout: float) -> None:
        self.url, self.kafka, self.pool, self.cpu, self.timeout = url, kafka, pool, cpu, timeout
        self.pijp = Pijplijn(kafka, pool)

    async def posten(self) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM facturatie.journaalposten")

    async def journaalregels(self) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM facturatie.journaalregels")

    async def wacht_klaar(self, ids: list[uuid.UUID], posten_doel: int, wat: str) -> tuple[float | None, float | None]:
        """Until every message has its 325 and the journal holds `posten_doel` postings; returns when each was
        first seen (time.time()), None for what did not happen within the timeout (or stalled)."""
        t_325 = t_geboekt = None
        t0 = time.monotonic()
        getoond = laatste_posten_check = t0
        posten, posten_sinds, n = -1, t0, 0
        while True:
            nu = time.monotonic()
            if t_325 is None:
                n = await self.pool.fetchval(
                    "SELECT count(*) FROM berichtenverkeer.antwoorden WHERE bericht_id = ANY($1)", ids)
                if n >= len(ids):
                    t_325 = time.time()
            # The journal count costs more: once a second while 325s are still coming, then every poll.
            if t_geboekt is None and (t_325 is not None or nu - laatste_posten_check >= 1.0):
                laatste_posten_check = nu
                p = await self.posten()
                if p >= posten_doel:
                    t_geboekt = time.time()
                elif p != posten:
                    posten, posten_sinds = p, nu
                elif t_325 is not None and nu - posten_sinds > STALL:
                    say(f"  {wat}: postings stay at {p:,} of {posten_doel:,} for {STALL:.0f}s; not waiting longer")
                    return t_325, None
            if t_325 is not None and t_geboekt is not None:
                return t_325, t_geboekt
            if nu - t0 > self.timeout:
                say(f"  {wat}: not complete after {self.timeout:.0f}s; going on to report")
                return t_325, t_geboekt
            if nu - getoond > 5:
                getoond = nu
                say(f"  {wat}: {n:,}/{len(ids):,} answered, {max(posten, 0):,}/{posten_doel:,} postings")
            await asyncio.sleep(POLL)

    async def stempels(self, ids: list[uuid.UUID]) -> tuple[dict, dict]:
        """Per message the server's `beantwoord` moment and its last posting's geboekt_at (epoch seconds)."""
        rows = await self.pool.fetch("SELECT bericht_id, min(at) AS at FROM berichtenverkeer.tijdlijn "
                                     "WHERE stap = 'beantwoord' AND bericht_id = ANY($1) GROUP BY bericht_id", ids)
        beantwoord = {str(r["bericht_id"]): r["at"].timestamp() for r in rows}
        rows = await self.pool.fetch("SELECT bericht_id, max(geboekt_at) AS at FROM facturatie.journaalposten "
                                     "WHERE bericht_id = ANY($1::text[]) GROUP BY bericht_id", [str(i) for i in ids])
        geboekt = {r["bericht_id"]: r["at"].timestamp() for r in rows}
        return beantwoord, geboekt

    async def topic_eindes(self) -> dict[TopicPartition, int]:
        parts = await partities(self.kafka, PIPELINE_TOPICS)
        consumer = AIOKafkaConsumer(**self.kafka.client_kwargs())
        await consumer.start()
        try:
            return dict(await consumer.end_offsets(parts))
        finally:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await consumer.stop()


async def partities(kafka: KafkaConnection, topics) -> list[TopicPartition]:
    """Every partition of the topics, once each has a leader (a topic created just now takes a moment)."""
    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    await admin.start()
    try:
        for _ in range(100):
            beschrijvingen = await admin.describe_topics(list(topics))
            parts = [TopicPartition(b["topic"], p["partition"]) for b in beschrijvingen for p in b["partitions"]]
            if parts and all(b["error_code"] == 0 and b["partitions"] and all(p["leader"] >= 0 for p in b["partitions"])
                             for b in beschrijvingen):
                return parts
            await asyncio.sleep(0.1)
        raise RuntimeError(f"topics {topics} have no partition leaders")
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


async def lees_events(kafka: KafkaConnection, van: dict[TopicPartition, int], tot: dict[TopicPartition, int]) -> list:
    """(key, value) of every record between two snapshots of the pipeline topics' end offsets."""
    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False,
                                max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    out: list = []
    try:
        todo = {tp: end for tp, end in tot.items() if end > van.get(tp, 0)}
        if not todo:
            return out
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, van.get(tp, 0))
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000, max_records=10_000)
            for tp, records in batch.items():
                for r in records:
                    if r.offset < todo.get(tp, -1):
                        out.append((r.key, r.value))
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
        return out
    finally:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await consumer.stop()


async def kafka_heen_en_terug(kafka: KafkaConnection, topic: str, pairs: list) -> float:
    """Seconds to produce `pairs` to a fresh 6-partition topic and consume every one of them back (the consumer
    reads while the producer writes)."""
    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False,
                                max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
    producer = AIOKafkaProducer(**kafka.client_kwargs(), linger_ms=5, max_batch_size=1024 * 1024,
                                max_request_size=16 * 1024 * 1024)
    parts = await partities(kafka, (topic,))
    await consumer.start()
    await producer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        for p in parts:
            await consumer.position(p)

        async def lees() -> float:
            gezien = 0
            while gezien < len(pairs):
                batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
                gezien += sum(len(rs) for rs in batch.values())
            return time.monotonic()

        t0 = time.monotonic()
        lezer = asyncio.create_task(lees())
        futures = [await producer.send(topic, value=v, key=k) for k, v in pairs]
        await asyncio.gather(*futures)
        t_einde = await asyncio.wait_for(lezer, 300)
        return t_einde - t0
    finally:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await producer.stop()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await consumer.stop()


# --------------------------------------------------------------------------- the phases


async def doorvoer(s: Systeem, naam: str, decls: list[Decl], via: str, zips, concurrency: int) -> dict:
    """Every message as fast as the gateway takes it; the clock runs until every 325 exists and every approved
    line is booked."""
    berichten = [d.bericht for d in decls]
    regels = sum(b.regels for b in berichten)
    say(f"{naam}: {len(berichten):,} declarations, {regels:,} lines, "
        f"{'in ' + format(len(zips), ',') + ' ZIPs' if via == 'zip' else 'one XML per POST'}, "
        f"{concurrency} clients, as fast as accepted")
    posten_doel = await s.posten() + sum(d.goedgekeurd for d in decls)
    regels0 = await s.journaalregels()
    eindes0 = await s.topic_eindes()
    c0 = s.cpu.snapshot()
    if via == "zip":
        results = await stuur_zips(s.url, zips, len(berichten), concurrency, naam)
    else:
        results = await closed_loop(s.url, berichten, concurrency, naam)
    c1 = s.cpu.snapshot()
    start, einde = min(r.t_send for r in results), max(r.t_done for r in results)
    ok = [(d, r) for d, r in zip(decls, results) if r.status == 202]
    fouten = Counter(r.status for r in results if r.status != 202)
    for r in results:
        if r.status != 202:
            say(f"  ERROR {r.status}: {r.fout}")
            break
    ok_regels = sum(d.bericht.regels for d, _r in ok)
    duur = einde - start
    say(f"  accepted {len(ok):,} in {duur:.1f}s: {ok_regels / duur:,.0f} lines/s; {sum(fouten.values())} refused; "
        "waiting for every 325 and every posting")
    ids = [uuid.UUID(r.bericht_id) for _d, r in ok]
    t_325, t_geboekt = await s.wacht_klaar(ids, posten_doel, naam)
    c2 = s.cpu.snapshot()
    stil = await s.pijp.wacht_tot_stil(s.timeout)
    beantwoord, geboekt = await s.stempels(ids)
    klaar = max(t_325, t_geboekt) if t_325 and t_geboekt else None
    server = max([*beantwoord.values(), *geboekt.values()], default=None)
    fig = {"name": naam, "via": via, "concurrency": concurrency,
           "requests": len(zips) if via == "zip" else len(berichten),
           "messages": len(berichten), "lines": regels, "accepted": len(ok), "accepted_lines": ok_regels,
           "refused": dict(fouten), "accept_seconds": round(duur, 2), "accepted_lines_per_s": round(ok_regels / duur),
           "all_325_after_s": round(t_325 - start, 2) if t_325 else None,
           "all_booked_after_s": round(t_geboekt - start, 2) if t_geboekt else None,
           "end_to_end_seconds": round(klaar - start, 2) if klaar else None,
           "end_to_end_lines_per_s": round(ok_regels / (klaar - start)) if klaar else None,
           "server_stamps_end_to_end_s": round(server - start, 2) if server else None,
           "idle_after_s": round(stil, 1), "journal_rows": await s.journaalregels() - regels0,
           "cpu_until_done": Cpu.delta(c0, c2, ok_regels), "cpu_accept": Cpu.delta(c0, c1, ok_regels)}
    if klaar:
        say(f"  every 325 after {fig['all_325_after_s']}s, everything booked after {fig['all_booked_after_s']}s: "
            f"{fig['end_to_end_lines_per_s']:,} lines/s end to end")
    fig["_eindes"] = (eindes0, await s.topic_eindes())
    fig["_ok"] = ok
    return fig


async def latentie(s: Systeem, decls: list[Decl], rate: float) -> dict:
    berichten = [d.bericht for d in decls]
    regels = sum(b.regels for b in berichten)
    say(f"latency: {len(berichten):,} declarations, {regels:,} lines offered at {rate:,.0f} lines/s (open loop, one "
        f"XML per POST, ~{regels / rate:.0f}s)")
    posten_doel = await s.posten() + sum(d.goedgekeurd for d in decls)
    c0 = s.cpu.snapshot()
    results, aanbod = await open_loop(s.url, berichten, rate, 0)
    c1 = s.cpu.snapshot()
    aanbod.pop("probe_polls", None)
    aanbod.pop("probes_skipped_while_another_ran", None)
    ok = [(d, r) for d, r in zip(decls, results) if r.status == 202]
    fouten = Counter(r.status for r in results if r.status != 202)
    say(f"  all sent: achieved {aanbod['achieved_lines_per_s']:,} lines/s; {sum(fouten.values())} refused; waiting")
    ids = [uuid.UUID(r.bericht_id) for _d, r in ok]
    await s.wacht_klaar(ids, posten_doel, "latency")
    await s.pijp.wacht_tot_stil(s.timeout)
    beantwoord, geboekt = await s.stempels(ids)
    lat = [beantwoord[r.bericht_id] - r.t_send for _d, r in ok if r.bericht_id in beantwoord]
    lat_b = [geboekt[r.bericht_id] - r.t_send for d, r in ok if r.bericht_id in geboekt]
    post_lat = [r.t_done - r.t_send for _d, r in ok]
    fig = {"offered_lines_per_s": rate, **aanbod, "messages": len(berichten), "lines": regels, "accepted": len(ok),
           "refused": dict(fouten), "measured": len(lat),
           "p50_ms": ms(pct(lat, 50)), "p95_ms": ms(pct(lat, 95)), "p99_ms": ms(pct(lat, 99)),
           "max_ms": ms(max(lat)) if lat else None, "share_under_1s": round(sum(x < 1 for x in lat) / len(lat), 4)
           if lat else None,
           "booked_measured": len(lat_b), "booked_p50_ms": ms(pct(lat_b, 50)), "booked_p95_ms": ms(pct(lat_b, 95)),
           "booked_p99_ms": ms(pct(lat_b, 99)),
           "post_response_ms_p50": ms(pct(post_lat, 50)), "post_response_ms_p99": ms(pct(post_lat, 99)),
           "cpu_window": Cpu.delta(c0, c1, sum(d.bericht.regels for d, _r in ok))}
    say(f"  POST -> 325 p50 {fig['p50_ms']} ms, p95 {fig['p95_ms']} ms, p99 {fig['p99_ms']} ms; POST -> booked p99 "
        f"{fig['booked_p99_ms']} ms")
    fig["_ok"] = ok
    return fig


async def plafond(s: Systeem, maand: dict, decls: list[Decl]) -> dict:
    """The month's payloads through Kafka alone and its journal rows through a bare COPY, on the idle system."""
    topic = f"bench.plafond.{uuid.uuid4().hex[:8]}"
    await ensure_topics(s.kafka, topics=(topic,))  # first: its partitions have leaders by the time it is used
    xml = [(f"{d.agb}:{d.cbs}".encode(), d.bericht.xml) for d in decls]
    events = await lees_events(s.kafka, *maand["_eindes"])
    pairs = xml + events
    mb = sum(len(v) for _k, v in pairs) / 1e6
    say(f"ceiling: {len(xml):,} XML messages + {len(events):,} pipeline events ({mb:.0f} MB) through Kafka alone, "
        f"then a COPY of {maand['journal_rows']:,} journal rows")
    try:
        kafka_s = await kafka_heen_en_terug(s.kafka, topic, pairs)
    finally:
        admin = AIOKafkaAdminClient(**s.kafka.client_kwargs())
        with contextlib.suppress(Exception):
            await admin.start()
            await admin.delete_topics([topic])
        with contextlib.suppress(Exception):
            await admin.close()
    tabel = f"public.bench_plafond_{uuid.uuid4().hex[:8]}"
    async with s.pool.acquire() as conn:
        try:
            copy_s = await copy_journaalregels(conn, maand["journal_rows"], tabel)
        finally:
            await conn.execute(f"DROP TABLE IF EXISTS {tabel}")
    lines = maand["accepted_lines"]
    out = {"kafka_records": len(pairs), "kafka_xml_records": len(xml), "kafka_event_records": len(events),
           "kafka_mb": round(mb, 1), "kafka_seconds": round(kafka_s, 2), "copy_rows": maand["journal_rows"],
           "copy_seconds": round(copy_s, 2), "kafka_lines_per_s": round(lines / kafka_s),
           "copy_lines_per_s": round(lines / copy_s) if copy_s > 0 else None,
           "lines_per_s": round(lines / (kafka_s + copy_s))}
    out["ratio"] = round((maand["end_to_end_lines_per_s"] or 0) / out["lines_per_s"], 4)
    say(f"  Kafka {kafka_s:.1f}s + COPY {copy_s:.1f}s: {out['lines_per_s']:,} lines/s; "
        f"system/ceiling {out['ratio']:.3f}")
    return out


async def controleer(s: Systeem, alles: list[tuple[Decl, Resultaat]], verwacht_grootboek: dict) -> dict:
    say(f"correctness: reading {len(alles):,} 325s from the archive and the ledgers")
    ids = [uuid.UUID(r.bericht_id) for _d, r in alles]
    rows = await s.pool.fetch(
        "SELECT DISTINCT ON (a.bericht_id) a.bericht_id, ar.inhoud "
        "FROM berichtenverkeer.antwoorden a JOIN berichtenverkeer.archief ar ON ar.bericht_id = a.antwoord_id "
        "WHERE a.bericht_id = ANY($1) ORDER BY a.bericht_id, ar.id", ids)
    inhoud = {str(r["bericht_id"]): bytes(r["inhoud"]) for r in rows}
    verschillen, ontbrekend, goed = [], [], 0
    for d, r in alles:
        xml = inhoud.get(r.bericht_id)
        if xml is None:
            ontbrekend.append(f"{d.nummer} {r.bericht_id} ({d.agb} -> {d.cbs}): no 325")
            continue
        v = verschillen_325(verwacht_325(d.regels), lees_325(xml))
        if v:
            verschillen.append((r.bericht_id, d, v))
        else:
            goed += 1
    rows = await s.pool.fetch(
        "SELECT gemeente, coalesce(sum(saldo_cent) FILTER (WHERE code LIKE 'kosten:%'), 0) AS kosten, "
        "coalesce(sum(saldo_cent) FILTER (WHERE code LIKE 'crediteur:%' OR code LIKE 'ingehouden:%'), 0) AS betalen "
        "FROM facturatie.rekeningen GROUP BY gemeente")
    werkelijk = {r["gemeente"]: {"kosten_cent": r["kosten"], "te_betalen_cent": r["betalen"], "posten": 0}
                 for r in rows}
    for r in await s.pool.fetch("SELECT gemeente, count(*) AS n FROM facturatie.journaalposten GROUP BY gemeente"):
        werkelijk.setdefault(r["gemeente"], {"kosten_cent": 0, "te_betalen_cent": 0, "posten": 0})["posten"] = r["n"]
    gb = verschillen_grootboek(verwacht_grootboek, werkelijk)
    slecht = {x.split(":")[0].removeprefix("municipality ") for x in gb}
    gemeenten = sorted(set(verwacht_grootboek) | set(werkelijk))
    dead = await s.pijp.dead_letters()
    out = {"declarations": len(alles), "answers_matching": goed, "missing_answers": len(ontbrekend),
           "answers_differing": len(verschillen),
           "answer_differences": [{"bericht_id": b, "declaratienummer": d.nummer,
                                   "agb": d.agb, "cbs": d.cbs, "differences": v[:20]} for b, d, v in verschillen[:50]],
           "missing": ontbrekend[:50], "municipalities": len(gemeenten),
           "ledgers_matching": sum(1 for g in gemeenten if g not in slecht), "ledger_differences": gb,
           "ledgers": {g: {"expected": verwacht_grootboek.get(g), "actual": werkelijk.get(g)} for g in gemeenten},
           "dead_letters": dead}
    for m in ontbrekend[:20]:
        say(f"  MISSING {m}")
    for b, d, v in verschillen[:20]:
        say(f"  325 of {d.nummer} {b} ({d.agb} -> {d.cbs}): " + "; ".join(v[:5]))
    for x in gb:
        say(f"  LEDGER {x}")
    if dead:
        say(f"  {dead} dead letters (see `backoffice deadletter list`)")
    return out


async def fases(args: argparse.Namespace, werk: Werk, services: ServiceSet, infra, cpu: Cpu) -> dict:
    url = services.urls["berichtenverkeer"]
    pool = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=3)
    s = Systeem(url, infra.kafka_connection(), pool, cpu, args.timeout)
    out: dict = {"phases": [], "cpu": {}}
    try:
        # ---- history, not timed
        t0, c0 = time.monotonic(), cpu.snapshot()
        say(f"history: {sum(len(z.berichten) for z, _i in werk.toewijzingen):,} allocation messages (301) and "
            f"{len(werk.september):,} September declarations through the API in ZIPs (not timed)")
        await laad(url, werk.toewijzingen, sum(len(z.berichten) for z, _i in werk.toewijzingen), 8, "301s")
        sep = await laad(url, werk.september_zips, len(werk.september), 4, "September 323s")
        await s.wacht_klaar([uuid.UUID(r.bericht_id) for r in sep], sum(d.goedgekeurd for d in werk.september),
                            "September")
        await s.pijp.wacht_tot_stil(args.timeout)
        out["history_seconds"] = round(time.monotonic() - t0, 1)
        out["cpu"]["history"] = Cpu.delta(c0, cpu.snapshot())
        say(f"  history processed, pipeline idle after {out['history_seconds']:.0f}s")
        alles: list[tuple[Decl, Resultaat]] = list(zip(werk.september, sep))

        # ---- the month run, then the other way of submitting
        andere = "xml" if args.month_via == "zip" else "zip"
        maand = None
        for naam, via in (("month", args.month_via), ("compare", andere)):
            decls = werk.fases[naam]
            if not decls:
                continue
            conc = args.concurrency_zip if via == "zip" else args.concurrency_xml
            fig = await doorvoer(s, naam, decls, via, werk.zips.get(naam, []), conc)
            alles.extend(fig.pop("_ok"))
            out["phases"].append(fig)
            if naam == "month":
                maand = fig
        for fig in out["phases"]:
            if fig is not maand:
                fig.pop("_eindes", None)

        # ---- latency at a fixed offered load
        if werk.fases["latency"]:
            lat = await latentie(s, werk.fases["latency"], args.rate)
            alles.extend(lat.pop("_ok"))
            out["latency"] = lat

        # ---- the same run's raw ceiling, idle system
        if maand is not None:
            out["month"] = {"lines": maand["accepted_lines"], "messages": maand["accepted"], "via": maand["via"],
                            "seconds": maand["end_to_end_seconds"], "all_325_after_s": maand["all_325_after_s"],
                            "all_booked_after_s": maand["all_booked_after_s"]}
            if maand["end_to_end_lines_per_s"]:
                out["ceiling"] = await plafond(s, maand, werk.fases["month"])
            maand.pop("_eindes", None)

        # ---- correctness
        verwacht = grootboek_verwacht(d for d, _r in alles)
        out["correctness"] = await controleer(s, alles, verwacht)
        return out
    finally:
        await pool.close()


# --------------------------------------------------------------------------- reporting


def rapport(r: dict) -> None:
    p = print
    rows = beoordeel(r)
    breed = max(len(x[0]) for x in rows)
    waarde = max(len(x[1]) for x in rows)
    doel = max(len(x[2]) for x in rows)
    p(f"system benchmark on {r['cpus']} CPUs (load average {r['load_average'][0]} at start, "
      f"{r['load_average_at_end'][0]} at end), {r['duration_s']:.0f}s in all; {r['providers']} providers, "
      f"{len(r['municipalities'])} municipalities, {r['clients']:,} clients; history {r['allocation_messages']:,} 301s "
      f"+ {r['september_declarations']:,} September 323s ({r['september_lines']:,} lines) in {r['history_seconds']}s")
    g = r["sizes"]["all"]
    p(f"October 323s: {g['messages']:,} messages, {g['lines']:,} lines, 1-{r['max_lines_per_message']} lines each "
      f"(min {g['min']}, p50 {g['p50']}, mean {g['mean']}, p90 {g['p90']}, max {g['max']})")
    p("")
    p(f"{'figure':<{breed}}  {'value':>{waarde}}  {'target':<{doel}}  result")
    p(f"{'-' * breed}  {'-' * waarde}  {'-' * doel}  -------")
    for naam, v, t, met in rows:
        p(f"{naam:<{breed}}  {v:>{waarde}}  {t:<{doel}}  {'' if met is None else 'met' if met else 'NOT MET'}")
    p("")
    for f in r["phases"]:
        p(f"{f['name']} ({f['via']}, {f['concurrency']} clients, {f['requests']:,} requests): {f['accepted_lines']:,} "
          f"lines accepted in {f['accept_seconds']}s ({f['accepted_lines_per_s']:,} lines/s); every 325 after "
          f"{f['all_325_after_s']}s, everything booked after {f['all_booked_after_s']}s (server stamps "
          f"{f['server_stamps_end_to_end_s']}s); CPU ms per line: "
          + ", ".join(f"{k} {v * 1000 / max(1, f['accepted_lines']):.3f}" for k, v in f["cpu_until_done"].items()
                      if k in (*SERVICES, "postgresql", "kafka", "load_generator"))
          + f"; cores busy {f['cpu_until_done']['cores_busy']}, "
            f"outside the bench {f['cpu_until_done']['outside_bench']}s")
    c = r.get("ceiling")
    if c:
        p(f"ceiling: {c['kafka_records']:,} records ({c['kafka_mb']} MB: {c['kafka_xml_records']:,} XML + "
          f"{c['kafka_event_records']:,} events) through Kafka in {c['kafka_seconds']}s ({c['kafka_lines_per_s']:,} "
          f"lines/s) + COPY of {c['copy_rows']:,} journal rows in {c['copy_seconds']}s ({c['copy_lines_per_s']:,} "
          f"lines/s)")
    lt = r.get("latency")
    if lt:
        p(f"latency: achieved {lt['achieved_lines_per_s']:,} lines/s offered; {lt['measured']:,} of {lt['messages']:,} "
          f"messages measured, max {lt['max_ms']} ms, {(lt['share_under_1s'] or 0):.1%} under 1 s; POST response p50 "
          f"{lt['post_response_ms_p50']} ms, p99 {lt['post_response_ms_p99']} ms")
    p("peak RSS (VmHWM): " + ", ".join(f"{n} {v} MB" for n, v in r["peak_rss_mb"].items()))
    k = r["correctness"]
    p(f"correctness: {k['answers_matching']:,} of {k['declarations']:,} 325s as expected, {k['missing_answers']} "
      f"missing; {k['ledgers_matching']} of {k['municipalities']} ledgers match; dead letters {k['dead_letters']}")
    for cbs, x in k["ledgers"].items():
        a, e = x["actual"] or {}, x["expected"] or {}
        p(f"  ledger {cbs}: expenses {a.get('kosten_cent', 0) / 100:,.2f} EUR (expected "
          f"{e.get('kosten_cent', 0) / 100:,.2f}), payable {-a.get('te_betalen_cent', 0) / 100:,.2f} EUR, "
          f"{a.get('posten', 0):,} postings (expected {e.get('posten', 0):,})")


def grafiek(r: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 4.2))
    ax = axes[0]
    namen, waarden, kleuren = [], [], []
    for f in r["phases"]:
        if f.get("end_to_end_lines_per_s"):
            namen.append(f"{f['name']}\n({f['via']})")
            waarden.append(f["end_to_end_lines_per_s"])
            kleuren.append("tab:blue")
    if r.get("ceiling"):
        namen.append("raw ceiling\n(Kafka+COPY)")
        waarden.append(r["ceiling"]["lines_per_s"])
        kleuren.append("tab:gray")
    ax.bar(namen, waarden, color=kleuren)
    ax.axhline(TARGETS["e2e_lines_per_s"], color="tab:red", linestyle="--", label="target 10,000")
    ax.set_title("end-to-end lines/s")
    ax.legend(fontsize=8)
    for i, v in enumerate(waarden):
        ax.text(i, v, f"{v:,}", ha="center", va="bottom", fontsize=8)

    ax = axes[1]
    lt = r.get("latency") or {}
    ps = ["p50", "p95", "p99"]
    a = [lt.get(f"{x}_ms") or 0 for x in ps]
    b = [lt.get(f"booked_{x}_ms") or 0 for x in ps]
    xs = range(len(ps))
    ax.bar([x - 0.2 for x in xs], a, width=0.4, label="POST -> 325")
    ax.bar([x + 0.2 for x in xs], b, width=0.4, label="POST -> booked")
    ax.set_xticks(list(xs), ps)
    ax.axhline(TARGETS["p99_ms"], color="tab:red", linestyle="--", label="p99 target 1 s")
    ax.set_title(f"latency (ms) at {lt.get('offered_lines_per_s', 0):,.0f} lines/s")
    ax.legend(fontsize=8)

    ax = axes[2]
    rss = {n: v or 0 for n, v in r["peak_rss_mb"].items() if n in SERVICES}
    ax.bar(list(rss), list(rss.values()), color="tab:green")
    ax.axhline(TARGETS["rss_mb"], color="tab:red", linestyle="--", label="target 300 MB")
    ax.set_title("peak RSS per service (MB)")
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=8)

    ax = axes[3]
    m = r.get("month") or {}
    if m.get("seconds"):
        ax.bar(["all 325s", "all booked"], [m["all_325_after_s"] or 0, m["all_booked_after_s"] or 0],
               color="tab:purple")
    ax.axhline(TARGETS["month_s"], color="tab:red", linestyle="--", label="target 60 s")
    ax.set_title(f"month run: {m.get('lines', 0):,} lines (s)")
    ax.legend(fontsize=8)
    fig.suptitle(f"system benchmark, {r['cpus']} CPUs, {time.strftime('%Y-%m-%d %H:%M', time.localtime())}",
                 fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a small region: about 2-3 minutes")
    parser.add_argument("--month-lines", type=int, help="lines of the month run (default 100,000; smoke 12,000)")
    parser.add_argument("--compare-lines", type=int,
                        help="lines submitted the other way (default 25,000; smoke 5,000; 0: none)")
    parser.add_argument("--month-via", choices=("zip", "xml"), default="zip",
                        help="how the month run is submitted (the comparison run uses the other way)")
    parser.add_argument("--rate", type=float, default=1000, help="lines/s offered in the latency phase")
    parser.add_argument("--seconds", type=float, help="length of the latency phase (default 30; smoke 10)")
    parser.add_argument("--aanbieders", type=int, help="providers (default 200; smoke 20)")
    parser.add_argument("--gemeenten", type=int, default=None, help="municipalities (default the five of "
                                                                    "Utrecht West; more are made up)")
    parser.add_argument("--clienten", type=int, default=None,
                        help="clients (default: as many as the phases' lines need, ~3.4 lines per client)")
    parser.add_argument("--max-regels", type=int, default=500, help="most lines in one 323 (1-N)")
    parser.add_argument("--zip-size", type=int, default=30, help="messages per ZIP (the gateway takes up to 30)")
    parser.add_argument("--concurrency-zip", type=int, default=8, help="HTTP clients sending ZIPs")
    parser.add_argument("--concurrency-xml", type=int, default=32, help="HTTP clients sending single XML messages")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for each phase")
    parser.add_argument("--artifacts", default="test-artifacts/bench/system-logs", help="where the service logs go")
    parser.add_argument("--json", default="test-artifacts/bench/system.json", help="where the figures go")
    parser.add_argument("--png", default="test-artifacts/bench/system.png", help="where the chart goes")
    args = parser.parse_args()
    for k, v in PROFILES["smoke" if args.smoke else "default"].items():
        if getattr(args, k) is None:
            setattr(args, k, v)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    t_begin = time.monotonic()
    load = os.getloadavg()
    regio_dir = Path(tempfile.mkdtemp(prefix="bench-system-regio-"))
    regio_file = regio_dir / "regio.yaml"
    werk, params = maak_werk(args, regio_file)
    gc.collect()
    gc.freeze()  # the prepared messages are not garbage: keep the collector from walking them during the runs
    result, rss = op_systeem(regio_file, Path(args.artifacts), lambda services, infra, cpu: fases(
        args, werk, services, infra, cpu))

    result = {"benchmark": "system", "smoke": args.smoke, "cpus": os.cpu_count(),
              "load_average": [round(x, 2) for x in load],
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
              "duration_s": round(time.monotonic() - t_begin, 1), "targets": TARGETS,
              "settings": {k: getattr(args, k) for k in ("month_lines", "compare_lines", "month_via", "rate", "seconds",
                                                        "zip_size", "concurrency_zip", "concurrency_xml", "seed")},
              **params, "sizes": werk.grootte, **result, "peak_rss_mb": rss}
    result["summary"] = [{"figure": n, "value": v, "target": t, "met": m} for n, v, t, m in beoordeel(result)]
    rapport(result)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n")
    say(f"figures written to {args.json}")
    try:
        grafiek(result, Path(args.png))
        say(f"chart written to {args.png}")
    except ImportError:
        say("matplotlib is not installed (pip install -e '.[bench]'); no chart")
    k = result["correctness"]
    if k["missing_answers"] or k["answers_differing"] or k["ledger_differences"] or k["dead_letters"]:
        say("CORRECTNESS: differences found (see above); exit code 1")
        return 1
    say("every 325 and every ledger as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
