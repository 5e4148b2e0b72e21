"""Gateway submission benchmark: 323 declarations of 1–200 lines POSTed to berichtenverkeer over loopback HTTP, with
the three services, Kafka and PostgreSQL all running on this machine, until every 325 answer is available.

    .venv/bin/python bench/gateway_bench.py [--seconds 60] [--rate 1000] [--concurrency 8,32]
                                            [--aanbieders 200] [--clienten 12000]
                                            [--json test-artifacts/bench/gateway.json]
    smoke run: .venv/bin/python bench/gateway_bench.py --seconds 10 --aanbieders 20 --clienten 2000

What happens (progress on stderr, figures on stdout and as JSON):
1. generate a region-month (bench/generator.py): allocations (one 301 per client), a September history and the
   October declarations. October's 323s per provider x municipality are cut at client boundaries into messages of
   at most 200 lines (a message over 200 lines is cut into parts whose target sizes are drawn uniformly from
   1–200; smaller ones stay whole), each part with its own Identificatie and DeclaratieNummer. The parts are
   shuffled and dealt out: enough for the latency phase (--rate x --seconds lines), the rest evenly over the
   throughput runs. Every message's XML is written before any clock runs. Clients never span two phases, so
   every line is fresh and judged as the generator intends;
2. start throw-away Kafka and PostgreSQL and the three services with the generated region file (every provider
   and municipality gets its demo token `demo-aanbieder-<AGB>` / `demo-gemeente-<CBS>`), RATE_LIMIT_PER_PARTIJ=0;
3. not timed: the municipalities' 301s and the providers' September 323s through the API, until every September
   325 exists and all consumers have caught up (the system is idle);
4. baseline in the same run, idle system: trivial authenticated requests (GET /v1/berichten/{id} of an own
   message: auth + one indexed row) and GET /health, by the same client stack at each concurrency; the status
   request also from a bare asyncio HTTP/1.1 client, which shows how much of the ceiling the client itself costs;
5. throughput, per concurrency: the run's 323s as fast as the gateway accepts them from N workers, each with its
   own keep-alive httpx.AsyncClient; accepted messages/s and lines/s (202 only, anything else is an error), then
   the time until every 325 exists (end to end) and until the pipeline is idle again. The concurrency with the
   most messages/s is reported as the chosen one;
6. latency: an open-loop generator offers --rate lines/s (each message is sent when its lines are due, never
   waiting for an answer) for --seconds; the latency of a message runs from the client's time.time() just before
   its POST to the server's timestamp of its `beantwoord` step (GET /v1/berichten/{id}/tijdlijn, read after the
   run: no polling load during it). Every --probe-every'th message is also polled every 50 ms, as a client would,
   one probe at a time, which shows what the server timestamp leaves out (it is the 325 transaction's start, not
   its commit);
7. every accepted 323 must have exactly one 325 (status beantwoord); a missing one makes the exit code 1.
   Each message's approved/rejected line counts are also compared with the generator's intent (reported).

Figures only; nothing is asserted on speed. The machine is shared and has few cores: the load generator, the
three services, Kafka and PostgreSQL compete for the same CPUs, so the CPU each used per phase is reported too,
with what the rest of the machine used meanwhile (`outside_bench`: other people's work shows there). The default
takes about 7 minutes on 2 cores, most of it loading the ~32,000 allocation messages the lines need.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import math
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import httpx
import yaml
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.generator import Regiomaand, genereer, xml_301
from shared.istandaard import lees, niveau2, niveau2_323, toewijzingsbericht_van, write_323
from shared.kalender import SYSTEEMKLOK
from shared.models import Declaratiebericht
from shared.platform.events import (
    TOPIC_DEAD_LETTER,
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_ONTVANGEN,
    TOPIC_PRESTATIES_GEBOEKT,
)
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.regio import hash_token
from tools.cli import ServiceSet
from tools.localinfra import start_infra

SERVICES = ("berichtenverkeer", "declaratie", "facturatie")
# Which consumer group reads which topics: the pipeline is idle when every group has caught up and no outbox
# holds an unpublished event.
GROUPS = {"declaratie": (TOPIC_ONTVANGEN,), "facturatie": (TOPIC_DECLARATIE_BEOORDEELD,),
          "berichtenverkeer": (TOPIC_DECLARATIE_BEOORDEELD, TOPIC_PRESTATIES_GEBOEKT)}
LINES_PER_CLIENT = 3.4  # October lines per client in a generated month (103k lines / 30k clients), for sizing
PROBE_INTERVAL = 0.05


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Bericht:
    """One message to submit, serialised up front."""

    token: str
    xml: bytes
    regels: int = 0
    bedoeld_afgewezen: int = 0  # lines the generator means to be rejected

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/xml"}


def in_delen(bericht: Declaratiebericht, max_regels: int, rnd: random.Random) -> list[list]:
    """The message's clients in groups of at most max_regels lines (a client is never split: its credit, its
    replacement and its late lines stay together). A message within the limit stays whole; a larger one is cut
    into parts whose target sizes are drawn uniformly from 1..max_regels."""
    clienten = bericht.declaratie.clienten
    if sum(len(c.prestaties) for c in clienten) <= max_regels:
        return [list(clienten)]
    delen, huidig, n, doel = [], [], 0, rnd.randint(1, max_regels)
    for c in clienten:
        k = len(c.prestaties)
        if huidig and (n >= doel or n + k > max_regels):
            delen.append(huidig)
            huidig, n, doel = [], 0, rnd.randint(1, max_regels)
        huidig.append(c)
        n += k
    if huidig:
        delen.append(huidig)
    return delen


def deel_bericht(bericht: Declaratiebericht, clienten: list, nummer: str) -> Declaratiebericht:
    """Part of a declaration as a 323 of its own: its own Identificatie and DeclaratieNummer, its own total."""
    netto = sum(p.signed_bedrag for c in clienten for p in c.prestaties)
    return bericht.model_copy(update={
        "header": bericht.header.model_copy(update={"identificatie": nummer}),
        "declaratie": bericht.declaratie.model_copy(update={
            "declaratienummer": nummer, "clienten": clienten, "totaal_ingediend_bedrag": abs(netto),
            "totaal_debet_credit": "D" if netto >= 0 else "C"})})


def regio_yaml(maand: Regiomaand, path: Path) -> None:
    """The generated region with a demo token for every provider and municipality, each municipality joined
    before today (the gateway dates receipt today)."""
    regio = maand.regio.model_dump(mode="json")
    vandaag = SYSTEEMKLOK.vandaag()
    for g in regio["gemeenten"]:
        g["token_sha256"] = [hash_token(f"demo-gemeente-{g['cbs']}")]
        if dt.date.fromisoformat(g["aangesloten_per"]) > vandaag - dt.timedelta(days=60):
            g["aangesloten_per"] = (vandaag - dt.timedelta(days=365)).isoformat()
    for a in regio["aanbieders"]:
        a["token_sha256"] = [hash_token(f"demo-aanbieder-{a['agb']}")]
    path.write_text(yaml.safe_dump(regio, sort_keys=False, allow_unicode=True))


@dataclass
class Werk:
    toewijzingen: list[Bericht]
    september: list[Bericht]
    doorvoer: list[list[Bericht]]  # one set per concurrency
    latentie: list[Bericht]
    grootte: dict = field(default_factory=dict)


def verdeling(sizes: list[int], bins: tuple[tuple[int, int], ...] = ((1, 9), (10, 24), (25, 49), (50, 99),
                                                                     (100, 149), (150, 200))) -> dict:
    s = sorted(sizes)
    if not s:
        return {}
    return {"messages": len(s), "lines": sum(s), "min": s[0], "p50": s[len(s) // 2], "mean": round(sum(s) / len(s), 1),
            "p90": s[int(len(s) * 0.9)], "max": s[-1],
            "histogram": {f"{a}-{b}": sum(1 for x in s if a <= x <= b) for a, b in bins}}


def maak_werk(args: argparse.Namespace) -> tuple[Werk, Path, dict]:
    latentie_regels = int(args.rate * args.seconds)
    extra = math.ceil(latentie_regels * 1.15 / LINES_PER_CLIENT)
    t0 = time.monotonic()
    maand = genereer(aanbieders=args.aanbieders, clienten=args.clienten + extra, seed=args.seed)
    say(f"generated in {time.monotonic() - t0:.1f}s: {len(maand.regio.aanbieders)} providers, "
        f"{maand.clienten:,} clients ({args.clienten:,} for throughput + {extra:,} for latency), "
        f"{len(maand.september):,} September and {len(maand.oktober):,} October declarations, "
        f"{maand.regels:,} October lines")
    rnd = random.Random(args.seed)
    delen: list[Declaratiebericht] = []
    for bericht in maand.oktober:
        for clienten in in_delen(bericht, args.max_regels, rnd):
            delen.append(deel_bericht(bericht, clienten, f"G{len(delen):07d}"))
    rnd.shuffle(delen)

    # Offline sanity check of a sample: what the gateway will get is valid at levels 1 and 2.
    for b in delen[:50]:
        problems = niveau2_323(b)
        if problems:
            raise RuntimeError(f"generated part {b.declaratie.declaratienummer} breaks level 2: {problems[:2]}")
    for t in maand.toewijzingen[:50]:
        soort, _root, values = lees(xml_301(t))
        terug = toewijzingsbericht_van(values, soort.domein)
        if terug.toewijzingen != t.toewijzingen or niveau2(soort, values):
            raise RuntimeError(f"301 {t.header.identificatie} does not survive the XML round trip")

    t0 = time.monotonic()

    def als_323(b: Declaratiebericht) -> Bericht:
        regels = [p for _c, p in b.prestaties()]
        afgewezen = sum(1 for p in regels if maand.verwacht.get((b.header.afzender, p.referentienummer)))
        return Bericht(f"demo-aanbieder-{b.header.afzender}", write_323(b), len(regels), afgewezen)

    oktober = [als_323(b) for b in delen]
    totaal = sum(b.regels for b in oktober)
    nodig = min(latentie_regels, int(totaal * 0.6))
    if nodig < latentie_regels:
        say(f"WARNING: only {totaal:,} October lines; the latency phase gets {nodig:,} instead of "
            f"{latentie_regels:,} (raise --clienten)")
    latentie, n = [], 0
    while oktober and n < nodig:
        latentie.append(oktober.pop())
        n += latentie[-1].regels
    doorvoer = [oktober[i::len(args.concurrency)] for i in range(len(args.concurrency))]
    werk = Werk(
        toewijzingen=[Bericht(f"demo-gemeente-{t.header.afzender}", xml_301(t), len(t.toewijzingen))
                      for t in maand.toewijzingen],
        september=[Bericht(f"demo-aanbieder-{b.header.afzender}", write_323(b),
                           sum(len(c.prestaties) for c in b.declaratie.clienten)) for b in maand.september],
        doorvoer=doorvoer, latentie=latentie)
    werk.grootte = {"all": verdeling([b.regels for b in latentie] + [b.regels for d in doorvoer for b in d]),
                    "latency": verdeling([b.regels for b in latentie]),
                    **{f"throughput_c{c}": verdeling([b.regels for b in d])
                       for c, d in zip(args.concurrency, doorvoer)}}
    say(f"serialised in {time.monotonic() - t0:.1f}s: {len(werk.toewijzingen):,} 301s, {len(werk.september):,} "
        f"September 323s, {len(delen):,} October 323s of 1–{args.max_regels} lines "
        f"({sum(len(b.xml) for b in oktober + latentie) / 1e6:.0f} MB)")
    regio_file = Path(tempfile.mkdtemp(prefix="bench-gateway-regio-")) / "regio.yaml"
    regio_yaml(maand, regio_file)
    params = {"providers": len(maand.regio.aanbieders), "municipalities": len(maand.regio.gemeenten),
              "clients": maand.clienten, "allocation_messages": len(werk.toewijzingen),
              "september_declarations": len(werk.september),
              "september_lines": sum(b.regels for b in werk.september)}
    return werk, regio_file, params


# --------------------------------------------------------------------------- measuring helpers


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 1)


def proc_cpu(pid: int) -> float:
    """CPU seconds of a process and of its children that have ended (PostgreSQL's autovacuum workers and closed
    backends come and go: without their time a sum over the live processes would shrink)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


def kinderen_van() -> dict[int, list[int]]:
    kinderen: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        kinderen.setdefault(ppid, []).append(int(stat.parent.name))
    return kinderen


def nakomelingen(root: int, kinderen: dict[int, list[int]]) -> list[int]:
    """root and every process below it (PostgreSQL's backends are children of the postmaster)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kinderen.get(pid, ()))
    return out


class Cpu:
    """CPU seconds used by each part of the system: the three services, PostgreSQL (all its processes), Kafka and
    this load generator."""

    def __init__(self, services: ServiceSet, infra) -> None:
        self.pids = {name: services.procs[name].pid for name in SERVICES}
        self.infra = {}
        for part in infra.started:
            if part.proc is not None:
                self.infra["postgresql" if "Postgres" in type(part).__name__ else "kafka"] = part.proc.pid

    def snapshot(self) -> dict[str, float]:
        kinderen = kinderen_van()
        snap = {name: sum(proc_cpu(p) for p in nakomelingen(pid, kinderen))
                for name, pid in {**self.pids, **self.infra}.items()}
        t = os.times()
        snap["load_generator"] = t.user + t.system
        snap["wall"] = time.monotonic()
        snap["machine"] = machine_busy()
        return snap

    @staticmethod
    def delta(a: dict, b: dict, regels: int | None = None) -> dict:
        wall = b["wall"] - a["wall"]
        out = {k: round(b[k] - a[k], 2) for k in a if k not in ("wall", "machine")}
        out["total"] = round(sum(out.values()), 2)
        # Busy CPU of the whole machine minus ours: other people's work on this shared machine, plus kernel time
        # (softirq) no process is charged with, e.g. part of the loopback traffic.
        out["outside_bench"] = round(b["machine"] - a["machine"] - out["total"], 2)
        out["wall_seconds"] = round(wall, 2)
        out["cores_busy"] = round(out["total"] / wall, 2) if wall > 0 else None
        if regels:
            out["cpu_ms_per_line"] = round(out["total"] * 1000 / regels, 3)
        return out


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all CPUs: user, nice, system, irq, softirq, steal)."""
    velden = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(velden[:3]) + sum(velden[5:8])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


@dataclass
class Resultaat:
    t_send: float
    t_done: float
    status: int
    bericht_id: str | None
    fout: str | None = None
    t_gezien: float | None = None  # probe: when the client first saw the 325


async def post(client: httpx.AsyncClient, b: Bericht) -> Resultaat:
    t_send = time.time()
    try:
        r = await client.post("/v1/berichten", content=b.xml, headers=b.headers)
    except httpx.HTTPError as exc:
        return Resultaat(t_send, time.time(), 0, None, f"{type(exc).__name__}: {exc}")
    t_done = time.time()
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code == 202:
        return Resultaat(t_send, t_done, 202, body["bericht_id"])
    return Resultaat(t_send, t_done, r.status_code, body.get("bericht_id"), r.text[:300])


def client(url: str, concurrency: int) -> httpx.AsyncClient:
    # verify=False: plain HTTP on loopback; loading the CA bundle would cost ~25 ms of CPU per client.
    return httpx.AsyncClient(base_url=url, timeout=120, verify=False,
                             limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency))


async def met_clients(url: str, concurrency: int, worker) -> None:
    """`concurrency` workers, each with a keep-alive httpx.AsyncClient of its own (one connection). One client
    shared by 32 workers spends a whole core in its connection pool here and halves what it can send."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(client(url, 1)) for _ in range(concurrency)]
        await asyncio.gather(*(worker(c) for c in clients))


async def closed_loop(url: str, berichten: list, concurrency: int, wat: str, send=None) -> list:
    """Every message, as fast as they are accepted, from `concurrency` clients that each send their next message
    when the previous one is answered. `send(client, item)` sends one item (default: `post`, one XML message)."""
    send = send or post
    results: list = [None] * len(berichten)
    volgende = iter(range(len(berichten)))
    gedaan = 0

    async def worker(c: httpx.AsyncClient) -> None:
        nonlocal gedaan
        for i in volgende:
            results[i] = await send(c, berichten[i])
            gedaan += 1

    async def voortgang() -> None:
        while True:
            await asyncio.sleep(5)
            say(f"  {wat}: {gedaan:,}/{len(berichten):,} submitted")

    tonen = asyncio.create_task(voortgang())
    try:
        await met_clients(url, concurrency, worker)
    finally:
        tonen.cancel()
    return results  # type: ignore[return-value]


async def open_loop(url: str, berichten: list[Bericht], rate: float, probe_every: int) -> tuple[list[Resultaat], dict]:
    """Each message is sent when its lines are due at `rate` lines/s, whatever happened to the earlier ones."""
    loop = asyncio.get_running_loop()
    results: list[Resultaat | None] = [None] * len(berichten)
    achter: list[float] = []  # how late each send was against its schedule
    probe = {"bezig": False, "overgeslagen": 0, "polls": 0}
    offsets, som = [], 0
    for b in berichten:
        offsets.append(som / rate)
        som += b.regels

    async def zend(i: int, gepland: float, c: httpx.AsyncClient) -> None:
        achter.append(loop.time() - gepland)
        res = await post(c, berichten[i])
        results[i] = res
        if probe_every and i % probe_every == 0 and res.status == 202:
            if probe["bezig"]:
                # One probe at a time: when answers lag, polling many messages at once would add the very load
                # that makes them lag (a run where every 10th message polled at 20/s spiralled to 10 s latencies).
                probe["overgeslagen"] += 1
                return
            probe["bezig"] = True
            try:
                headers = {"Authorization": berichten[i].headers["Authorization"]}
                einde = loop.time() + 300
                while loop.time() < einde:  # a missing answer is reported by the correctness check
                    r = await c.get(f"/v1/berichten/{res.bericht_id}", headers=headers)
                    probe["polls"] += 1
                    if r.status_code == 200 and r.json()["antwoord_beschikbaar"]:
                        res.t_gezien = time.time()
                        return
                    await asyncio.sleep(PROBE_INTERVAL)
            finally:
                probe["bezig"] = False

    async with client(url, 256) as c:
        taken = []
        start = loop.time() + 0.2
        getoond = loop.time()
        for i, off in enumerate(offsets):
            wacht = start + off - loop.time()
            if wacht > 0:
                await asyncio.sleep(wacht)
            taken.append(asyncio.create_task(zend(i, start + off, c)))
            if loop.time() - getoond > 5:
                getoond = loop.time()
                open_posts = sum(1 for t in taken if not t.done())
                say(f"  latency: {i + 1:,}/{len(berichten):,} sent ({off:.0f}s of schedule), {open_posts} in flight")
        await asyncio.gather(*taken)
    verzonden = [r.t_send for r in results if r]
    duur = max(verzonden) - min(verzonden)
    return results, {  # type: ignore[return-value]
        "schedule_seconds": round(offsets[-1], 2),
        "achieved_lines_per_s": round((som - berichten[-1].regels) / duur, 1) if duur > 0 else None,
        "achieved_messages_per_s": round((len(berichten) - 1) / duur, 2) if duur > 0 else None,
        "send_lag_ms_p50": ms(pct(achter, 50)), "send_lag_ms_p99": ms(pct(achter, 99)),
        "send_lag_ms_max": ms(max(achter)) if achter else None,
        "probe_polls": probe["polls"], "probes_skipped_while_another_ran": probe["overgeslagen"],
    }


async def baseline(url: str, path: str, headers: dict, concurrency: int, seconds: float) -> float:
    """Requests/s of a trivial request from `concurrency` keep-alive clients (after a short warm-up)."""
    loop = asyncio.get_running_loop()
    tellen = False
    ok = fout = 0

    async def worker(c: httpx.AsyncClient) -> None:
        nonlocal ok, fout
        while not stop.is_set():
            r = await c.get(path, headers=headers)
            if tellen:
                if r.status_code == 200:
                    ok += 1
                else:
                    fout += 1

    async def klok() -> None:
        nonlocal tellen, elapsed
        await asyncio.sleep(0.5)
        tellen, t0 = True, loop.time()
        await asyncio.sleep(seconds)
        tellen, elapsed = False, loop.time() - t0
        stop.set()

    stop, elapsed = asyncio.Event(), 0.0
    await asyncio.gather(klok(), met_clients(url, concurrency, worker))
    if fout:
        say(f"  WARNING: {fout} non-200 answers to GET {path}")
    return ok / elapsed


async def baseline_raw(url: str, path: str, headers: dict, concurrency: int, seconds: float) -> float:
    """The same request from a minimal HTTP/1.1 keep-alive client on bare asyncio streams: what the server
    answers when the client costs next to nothing."""
    host, port = url.split("//")[1].split(":")
    verzoek = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    loop = asyncio.get_running_loop()
    ok = 0
    start = loop.time() + 0.5
    stop = start + seconds

    async def worker() -> None:
        nonlocal ok
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while loop.time() < stop:
                writer.write(verzoek)
                await writer.drain()
                kop = await reader.readuntil(b"\r\n\r\n")
                lengte = next(int(regel.split(b":")[1]) for regel in kop.split(b"\r\n")
                              if regel.lower().startswith(b"content-length:"))
                await reader.readexactly(lengte)
                if loop.time() >= start and kop.startswith(b"HTTP/1.1 200"):
                    ok += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok / seconds


# --------------------------------------------------------------------------- waiting for the pipeline


class Pijplijn:
    def __init__(self, kafka: KafkaConnection, pool: asyncpg.Pool) -> None:
        self.kafka, self.pool = kafka, pool

    async def beantwoord(self, ids: list[str]) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM berichtenverkeer.antwoorden WHERE bericht_id = ANY($1)",
                                        [uuid.UUID(i) for i in ids])

    async def wacht_op_antwoorden(self, ids: list[str], timeout: float, wat: str) -> float:
        """Until every message has its 325 (one cheap count every 0.5 s); returns when that was seen."""
        deadline, getoond = time.monotonic() + timeout, time.monotonic()
        while True:
            n = await self.beantwoord(ids)
            if n >= len(ids):
                return time.time()
            if time.monotonic() > deadline:
                say(f"  {wat}: only {n:,} of {len(ids):,} answered after {timeout:.0f}s; going on to report")
                return time.time()
            if time.monotonic() - getoond > 5:
                getoond = time.monotonic()
                say(f"  {wat}: {n:,}/{len(ids):,} answered")
            await asyncio.sleep(0.5)

    async def wacht_tot_stil(self, timeout: float) -> float:
        """Until every consumer group has caught up and no outbox holds an unpublished event."""
        t0 = time.monotonic()
        admin = AIOKafkaAdminClient(**self.kafka.client_kwargs())
        consumer = AIOKafkaConsumer(**self.kafka.client_kwargs())
        await admin.start()
        await consumer.start()
        try:
            topics = sorted({t for ts in GROUPS.values() for t in ts})
            parts = {}
            for beschrijving in await admin.describe_topics(topics):
                parts[beschrijving["topic"]] = [TopicPartition(beschrijving["topic"], p["partition"])
                                                for p in beschrijving["partitions"]]
            while True:
                outbox = 0
                for schema in SERVICES:
                    outbox += await self.pool.fetchval(
                        f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL")
                ends = await consumer.end_offsets([tp for ps in parts.values() for tp in ps])
                achter = 0
                for group, ts in GROUPS.items():
                    committed = await admin.list_consumer_group_offsets(group)
                    for t in ts:
                        for tp in parts[t]:
                            c = committed.get(tp)
                            achter += max(0, ends[tp] - (c.offset if c is not None and c.offset >= 0 else 0))
                if outbox == 0 and achter == 0:
                    return time.monotonic() - t0
                if time.monotonic() - t0 > timeout:
                    raise RuntimeError(f"pipeline not idle after {timeout:.0f}s: {outbox} unpublished outbox rows, "
                                       f"{achter} events not consumed; see the service logs")
                await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await consumer.stop()
            with contextlib.suppress(Exception):
                await admin.close()

    async def dead_letters(self) -> int:
        # The partitions from the admin client: a fresh consumer has no metadata for a topic it has not been
        # assigned, so its partitions_for_topic() would say None and the count would always be 0.
        admin = AIOKafkaAdminClient(**self.kafka.client_kwargs())
        await admin.start()
        try:
            (beschrijving,) = await admin.describe_topics([TOPIC_DEAD_LETTER])
        finally:
            with contextlib.suppress(Exception):
                await admin.close()
        parts = [TopicPartition(TOPIC_DEAD_LETTER, p["partition"]) for p in beschrijving["partitions"]]
        consumer = AIOKafkaConsumer(**self.kafka.client_kwargs())
        await consumer.start()
        try:
            return sum((await consumer.end_offsets(parts)).values()) if parts else 0
        finally:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await consumer.stop()


async def tijdlijnen(url: str, verzonden: list[tuple[Bericht, Resultaat]], concurrency: int = 8) -> list[dict]:
    """The timeline of every accepted message (read after the runs, so it adds no load to them)."""
    out: list[dict | None] = [None] * len(verzonden)
    volgende = iter(range(len(verzonden)))

    async def worker(c: httpx.AsyncClient) -> None:
        for i in volgende:
            b, res = verzonden[i]
            r = await c.get(f"/v1/berichten/{res.bericht_id}/tijdlijn",
                            headers={"Authorization": b.headers["Authorization"]})
            out[i] = r.json() if r.status_code == 200 else {"stappen": [], "error": r.status_code}

    await met_clients(url, concurrency, worker)
    return out  # type: ignore[return-value]


def stappen(tijdlijn: dict, stap: str) -> list[dict]:
    return [s for s in tijdlijn["stappen"] if s["stap"] == stap]


def ts(s: dict) -> float:
    return dt.datetime.fromisoformat(s["at"]).timestamp()


# --------------------------------------------------------------------------- the run


async def laad(url: str, berichten: list[Bericht], concurrency: int, wat: str) -> list[Resultaat]:
    t0 = time.monotonic()
    results = await closed_loop(url, berichten, concurrency, wat)
    fouten = [r for r in results if r.status != 202]
    if fouten:
        raise RuntimeError(f"{wat}: {len(fouten)} of {len(berichten)} refused, e.g. {fouten[0].status} "
                           f"{fouten[0].fout}")
    say(f"  {len(berichten):,} {wat} accepted in {time.monotonic() - t0:.1f}s "
        f"({len(berichten) / (time.monotonic() - t0):,.0f}/s)")
    return results


async def fases(args: argparse.Namespace, werk: Werk, services: ServiceSet, infra, cpu: Cpu) -> dict:
    url = services.urls["berichtenverkeer"]
    out: dict = {"cpu": {}}
    pool = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=2)
    pijp = Pijplijn(infra.kafka_connection(), pool)
    try:
        # ---- history, not timed
        t0, c0 = time.monotonic(), cpu.snapshot()
        say(f"history: {len(werk.toewijzingen):,} allocation messages (301), then {len(werk.september):,} "
            "September declarations, through the API")
        await laad(url, werk.toewijzingen, 16, "301s")
        sep = await laad(url, werk.september, 8, "September 323s")
        await pijp.wacht_op_antwoorden([r.bericht_id for r in sep], args.timeout, "September 325s")
        await pijp.wacht_tot_stil(args.timeout)
        out["history_seconds"] = round(time.monotonic() - t0, 1)
        out["cpu"]["history"] = cpu.delta(c0, cpu.snapshot())
        say(f"  history processed, pipeline idle after {out['history_seconds']:.0f}s")

        # ---- what the idle system costs (consumers polling, relays ticking)
        c0 = cpu.snapshot()
        await asyncio.sleep(3)
        out["cpu"]["idle_3s"] = cpu.delta(c0, cpu.snapshot())

        # ---- baseline: trivial requests on the same HTTP stack, idle system
        voorbeeld = werk.september[0]
        status_pad = f"/v1/berichten/{sep[0].bericht_id}"
        auth = {"Authorization": voorbeeld.headers["Authorization"]}
        out["baseline"] = {}
        for c in args.concurrency:
            c0 = cpu.snapshot()
            status_rps = await baseline(url, status_pad, auth, c, args.baseline_seconds)
            out["cpu"][f"baseline_status_get_c{c}"] = cpu.delta(c0, cpu.snapshot())
            health_rps = await baseline(url, "/health", {}, c, args.baseline_seconds)
            raw_rps = await baseline_raw(url, status_pad, auth, c, args.baseline_seconds)
            out["baseline"][c] = {"status_get_per_s": round(status_rps), "health_get_per_s": round(health_rps),
                                  "status_get_bare_client_per_s": round(raw_rps)}
            say(f"baseline c={c}: GET /v1/berichten/{{id}} {status_rps:,.0f}/s (bare asyncio client "
                f"{raw_rps:,.0f}/s), GET /health {health_rps:,.0f}/s")

        # ---- throughput, per concurrency
        out["throughput"] = []
        alle: list[tuple[Bericht, Resultaat, str]] = []
        for c, berichten in zip(args.concurrency, werk.doorvoer):
            regels = sum(b.regels for b in berichten)
            say(f"throughput c={c}: {len(berichten):,} declarations, {regels:,} lines, as fast as accepted")
            c0 = cpu.snapshot()
            results = await closed_loop(url, berichten, c, f"c={c}")
            c1 = cpu.snapshot()
            start = min(r.t_send for r in results)
            einde = max(r.t_done for r in results)
            ok = [(b, r) for b, r in zip(berichten, results) if r.status == 202]
            fouten = Counter(r.status for r in results if r.status != 202)
            for _b, r in zip(berichten, results):
                if r.status != 202:
                    say(f"  ERROR {r.status}: {r.fout}")
                    break
            ok_regels = sum(b.regels for b, _r in ok)
            duur = einde - start
            say(f"  accepted {len(ok):,} in {duur:.1f}s: {len(ok) / duur:,.1f} messages/s, {ok_regels / duur:,.0f} "
                f"lines/s; {sum(fouten.values())} errors; waiting for every 325")
            gezien = await pijp.wacht_op_antwoorden([r.bericht_id for _b, r in ok], args.timeout, f"c={c} 325s")
            c2 = cpu.snapshot()
            stil = await pijp.wacht_tot_stil(args.timeout)
            lat = [r.t_done - r.t_send for _b, r in ok]
            fig = {"concurrency": c, "messages": len(berichten), "lines": regels, "accepted": len(ok),
                   "accepted_lines": ok_regels, "errors": dict(fouten), "accept_seconds": round(duur, 2),
                   "messages_per_s": round(len(ok) / duur, 1), "lines_per_s": round(ok_regels / duur),
                   "post_ms_p50": ms(pct(lat, 50)), "post_ms_p99": ms(pct(lat, 99)),
                   "all_325_seen_after_s": round(gezien - start, 2),
                   "idle_after_last_325_s": round(stil, 1),
                   "ratio_to_status_get": round(len(ok) / duur / out["baseline"][c]["status_get_per_s"], 4),
                   "ratio_to_health_get": round(len(ok) / duur / out["baseline"][c]["health_get_per_s"], 4),
                   "_start": start}
            out["throughput"].append(fig)
            out["cpu"][f"throughput_c{c}_accept"] = cpu.delta(c0, c1, ok_regels)
            out["cpu"][f"throughput_c{c}_until_325s"] = cpu.delta(c0, c2, ok_regels)
            alle.extend((b, r, f"c{c}") for b, r in ok)

        # ---- latency at a steady offered load
        regels = sum(b.regels for b in werk.latentie)
        say(f"latency: {len(werk.latentie):,} declarations, {regels:,} lines offered at {args.rate:,.0f} lines/s "
            f"(open loop, ~{regels / args.rate:.0f}s)")
        c0 = cpu.snapshot()
        results, aanbod = await open_loop(url, werk.latentie, args.rate, args.probe_every)
        c1 = cpu.snapshot()
        ok = [(b, r) for b, r in zip(werk.latentie, results) if r.status == 202]
        fouten = Counter(r.status for r in results if r.status != 202)
        say(f"  all sent: achieved {aanbod['achieved_lines_per_s']:,} lines/s; {sum(fouten.values())} errors; "
            "waiting for every 325")
        await pijp.wacht_op_antwoorden([r.bericht_id for _b, r in ok], args.timeout, "latency 325s")
        await pijp.wacht_tot_stil(args.timeout)
        alle.extend((b, r, "latency") for b, r in ok)
        out["cpu"]["latency_window"] = cpu.delta(c0, c1, sum(b.regels for b, _r in ok))

        # ---- timelines and correctness
        say(f"reading {len(alle):,} timelines")
        lijnen = await tijdlijnen(url, [(b, r) for b, r, _f in alle])
        ids = [uuid.UUID(r.bericht_id) for _b, r, _f in alle]
        rows = await pool.fetch(
            "SELECT b.id, b.status, count(a.antwoord_id) AS antwoorden FROM berichtenverkeer.berichten b "
            "LEFT JOIN berichtenverkeer.antwoorden a ON a.bericht_id = b.id WHERE b.id = ANY($1) "
            "GROUP BY b.id, b.status",
            ids)
        db = {str(r["id"]): r for r in rows}
        in_323 = await pool.fetchval("SELECT count(*) FROM berichtenverkeer.berichten WHERE richting = 'in' "
                                     "AND berichttype = '323'")
        uit_325 = await pool.fetchval("SELECT count(*) FROM berichtenverkeer.berichten WHERE richting = 'uit' "
                                      "AND berichttype = '325'")
        ontbrekend, verdict_verschil = [], []
        beantwoord_at: list[float | None] = []
        for (b, r, fase), lijn in zip(alle, lijnen):
            st = stappen(lijn, "beantwoord")
            row = db.get(r.bericht_id)
            if len(st) != 1 or row is None or row["status"] != "beantwoord" or row["antwoorden"] != 1:
                ontbrekend.append(f"{fase} {r.bericht_id}: {len(st)} beantwoord steps, status "
                                  f"{row['status'] if row else None}, {row['antwoorden'] if row else 0} answers")
                beantwoord_at.append(None)
                continue
            beantwoord_at.append(ts(st[0]))
            oordeel = stappen(lijn, "beoordeeld")
            detail = oordeel[0]["detail"] if oordeel else {}
            if (detail.get("afgewezen"), detail.get("goedgekeurd")) != (b.bedoeld_afgewezen,
                                                                        b.regels - b.bedoeld_afgewezen):
                verdict_verschil.append(f"{fase} {r.bericht_id}: {detail}, intended {b.bedoeld_afgewezen} of "
                                        f"{b.regels} rejected")
        out["correctness"] = {
            "accepted_323s": len(alle), "with_exactly_one_325": len(alle) - len(ontbrekend),
            "missing_or_extra": len(ontbrekend), "examples": ontbrekend[:10],
            "all_323s_in_archive": in_323, "all_325s_in_archive": uit_325,
            "verdict_counts_differing_from_intent": len(verdict_verschil), "verdict_examples": verdict_verschil[:10],
            "dead_letters": await pijp.dead_letters(),
        }
        # End to end per throughput run: from the first POST to the last 325 (server timestamps).
        for fig in out["throughput"]:
            tags = [t for (_b, _r, f), t in zip(alle, beantwoord_at) if f == f"c{fig['concurrency']}" and t]
            start = fig.pop("_start")
            if tags:
                e2e = max(tags) - start
                fig["all_325s_after_s"] = round(e2e, 2)
                fig["end_to_end_lines_per_s"] = round(fig["accepted_lines"] / e2e)
                fig["end_to_end_messages_per_s"] = round(fig["accepted"] / e2e, 1)
        # Latency per message: client send moment -> server's beantwoord timestamp.
        lat, probes, bias = [], [], []
        for (_b, r, f), t in zip(alle, beantwoord_at):
            if f != "latency" or t is None:
                continue
            lat.append(t - r.t_send)
            if r.t_gezien is not None:
                probes.append(r.t_gezien - r.t_send)
                bias.append(r.t_gezien - t)
        post_lat = [r.t_done - r.t_send for _b, r in ok]
        onder = sum(1 for x in lat if x < 1.0)
        probe_polls, probes_skipped = aanbod.pop("probe_polls"), aanbod.pop("probes_skipped_while_another_ran")
        out["latency"] = {
            "offered_lines_per_s": args.rate, **aanbod, "messages": len(werk.latentie), "lines": regels,
            "accepted": len(ok), "errors": dict(fouten),
            "p50_ms": ms(pct(lat, 50)), "p95_ms": ms(pct(lat, 95)), "p99_ms": ms(pct(lat, 99)),
            "max_ms": ms(max(lat)) if lat else None, "under_1s": onder, "measured": len(lat),
            "share_under_1s": round(onder / len(lat), 4) if lat else None,
            "post_response_ms_p50": ms(pct(post_lat, 50)), "post_response_ms_p99": ms(pct(post_lat, 99)),
            "probes": {"messages": len(probes), "poll_interval_ms": PROBE_INTERVAL * 1000,
                       "polls": probe_polls, "skipped_while_another_ran": probes_skipped,
                       "observed_p50_ms": ms(pct(probes, 50)), "observed_p99_ms": ms(pct(probes, 99)),
                       "observed_max_ms": ms(max(probes)) if probes else None,
                       "observed_minus_server_stamp_ms_p50": ms(pct(bias, 50)),
                       "observed_minus_server_stamp_ms_p99": ms(pct(bias, 99))},
        }
        if ontbrekend:
            for m in ontbrekend[:20]:
                say(f"  MISSING {m}")
        for m in verdict_verschil[:10]:
            say(f"  VERDICT {m}")
        return out
    finally:
        await pool.close()



def op_systeem(regio_file: Path, artifacts: Path, fases_van) -> tuple[dict, dict]:
    """Throw-away Kafka and PostgreSQL and the three services on the region file (rate limit off, logs in
    `artifacts`); runs the coroutine `fases_van(services, infra, cpu)` and returns its result and the peak RSS of
    each service and of this process. Everything, the region file included, is gone afterwards."""
    artifacts.mkdir(parents=True, exist_ok=True)
    for name in SERVICES:
        (artifacts / f"{name}.log").unlink(missing_ok=True)
    infra = start_infra(announce=say)
    services = ServiceSet({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                           "DATABASE_URL": infra.database_url, "REGIO_CONFIG": str(regio_file),
                           "RATE_LIMIT_PER_PARTIJ": "0"}, log_dir=artifacts, kafka_env=infra.kafka_env)
    rss: dict = {}
    try:
        services.start(fixed_ports=False)
        services.wait_healthy(timeout=120)
        cpu = Cpu(services, infra)
        try:
            result = asyncio.run(fases_van(services, infra, cpu))
        finally:
            rss = {name: peak_rss_mb(services.procs[name].pid) for name in SERVICES}
            rss["load_generator"] = peak_rss_mb(os.getpid())
    finally:
        say("stopping services, Kafka and PostgreSQL")
        services.stop()
        infra.stop()
        regio_file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            regio_file.parent.rmdir()
    return result, rss

def rapport(r: dict, werk: Werk, args: argparse.Namespace) -> None:
    g = r["sizes"]["all"]
    p = print
    p(f"gateway benchmark on {r['cpus']} CPUs (load average {r['load_average'][0]} at start, "
      f"{r['load_average_at_end'][0]} at end): {r['providers']} providers, "
      f"{r['municipalities']} municipalities, {r['clients']:,} clients; history {r['allocation_messages']:,} 301s + "
      f"{r['september_declarations']:,} September 323s ({r['september_lines']:,} lines) in {r['history_seconds']}s")
    p(f"October 323s: {g['messages']:,} messages, {g['lines']:,} lines, 1-{args.max_regels} lines each: "
      f"min {g['min']}, "
      f"p50 {g['p50']}, mean {g['mean']}, p90 {g['p90']}, max {g['max']}; histogram "
      + ", ".join(f"{k}: {v}" for k, v in g["histogram"].items()))
    for c, b in r["baseline"].items():
        p(f"baseline c={c}: GET /v1/berichten/{{id}} {b['status_get_per_s']:,}/s (bare asyncio client "
          f"{b['status_get_bare_client_per_s']:,}/s), GET /health {b['health_get_per_s']:,}/s")
    for t in r["throughput"]:
        p(f"throughput c={t['concurrency']}: {t['accepted']:,} of {t['messages']:,} accepted "
          f"({t['accepted_lines']:,} lines) "
          f"in {t['accept_seconds']}s = {t['messages_per_s']:,} messages/s, {t['lines_per_s']:,} lines/s; errors "
          f"{t['errors'] or 0}; POST p50 {t['post_ms_p50']} ms, p99 {t['post_ms_p99']} ms; ratio to GET status "
          f"{t['ratio_to_status_get']:.3f}, to GET /health {t['ratio_to_health_get']:.3f}")
        if "all_325s_after_s" in t:
            p(f"  every 325 available {t['all_325s_after_s']}s after the first POST: {t['end_to_end_lines_per_s']:,} "
              f"lines/s, {t['end_to_end_messages_per_s']} messages/s end to end; pipeline idle "
              f"{t['idle_after_last_325_s']}s later")
    p(f"chosen concurrency: {r['chosen_concurrency']} (most messages/s accepted)")
    lt = r["latency"]
    p(f"latency at {lt['offered_lines_per_s']:,.0f} lines/s offered (achieved {lt['achieved_lines_per_s']:,} lines/s, "
      f"{lt['achieved_messages_per_s']} messages/s; send lag p99 {lt['send_lag_ms_p99']} ms): {lt['accepted']:,} of "
      f"{lt['messages']:,} accepted, errors {lt['errors'] or 0}")
    p(f"  POST -> 325 (server stamp): p50 {lt['p50_ms']} ms, p95 {lt['p95_ms']} ms, p99 {lt['p99_ms']} ms, max "
      f"{lt['max_ms']} ms; under 1 s: {lt['under_1s']:,} of {lt['measured']:,} ({(lt['share_under_1s'] or 0):.1%}); "
      f"POST response p50 {lt['post_response_ms_p50']} ms, p99 {lt['post_response_ms_p99']} ms")
    pr = lt["probes"]
    if pr["messages"]:
        p(f"  probes ({pr['messages']} messages polled every {pr['poll_interval_ms']:.0f} ms, one at a time, "
          f"{pr['polls']} GETs, {pr['skipped_while_another_ran']} skipped): observed p50 "
          f"{pr['observed_p50_ms']} ms, p99 {pr['observed_p99_ms']} ms, max {pr['observed_max_ms']} ms; seen "
          f"{pr['observed_minus_server_stamp_ms_p50']} ms (p50) / {pr['observed_minus_server_stamp_ms_p99']} ms (p99) "
          "after the server stamp")
    k = r["correctness"]
    p(f"correctness: {k['with_exactly_one_325']:,} of {k['accepted_323s']:,} accepted 323s have exactly one 325 "
      f"(archive: {k['all_323s_in_archive']:,} 323s in, {k['all_325s_in_archive']:,} 325s out); verdict counts "
      f"differing from the generator's intent: {k['verdict_counts_differing_from_intent']}; dead letters "
      f"{k['dead_letters']}")
    p("peak RSS (VmHWM): " + ", ".join(f"{n} {v} MB" for n, v in r["peak_rss_mb"].items()))
    for fase, c in r["cpu"].items():
        p(f"cpu {fase}: " + ", ".join(f"{n} {v}" for n, v in c.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the latency phase (default 60)")
    parser.add_argument("--rate", type=float, default=1000, help="lines/s offered in the latency phase")
    parser.add_argument("--concurrency", default="8,32", help="HTTP clients of the throughput runs, comma-separated")
    parser.add_argument("--aanbieders", type=int, default=200)
    parser.add_argument("--clienten", type=int, default=12_000,
                        help="clients whose October lines go to the throughput runs (the latency phase gets its own)")
    parser.add_argument("--max-regels", type=int, default=200, help="most lines in one 323")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--baseline-seconds", type=float, default=4)
    parser.add_argument("--probe-every", type=int, default=10,
                        help="poll every Nth latency message every 50 ms as a client would (0: none)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for each phase")
    parser.add_argument("--artifacts", default="test-artifacts/bench/gateway-logs", help="where the service logs go")
    parser.add_argument("--json", default="test-artifacts/bench/gateway.json", help="where the figures go")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)

    werk, regio_file, params = maak_werk(args)
    gc.collect()
    gc.freeze()  # the prepared messages are not garbage: keep the collector from walking them during the runs
    load = os.getloadavg()
    result, rss = op_systeem(regio_file, Path(args.artifacts), lambda services, infra, cpu: fases(
        args, werk, services, infra, cpu))

    beste = max(result["throughput"], key=lambda t: t["messages_per_s"])
    result = {"benchmark": "gateway", "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in load],
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
              **params, "sizes": werk.grootte, "chosen_concurrency": beste["concurrency"], **result,
              "peak_rss_mb": rss}
    rapport(result, werk, args)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    say(f"figures written to {args.json}")
    if result["correctness"]["missing_or_extra"]:
        say(f"{result['correctness']['missing_or_extra']} accepted 323s do not have exactly one 325")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
