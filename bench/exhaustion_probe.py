"""Can a caller exhaust a service? The figures issue 18 asks for, measured on the running system (the three services
as processes on real Kafka and PostgreSQL):

1. a 200 MB body without credentials, sent to each service, declared and streamed without a length: the status it
   gets and how much the service's memory (RSS, and its peak) grows;
2. berichtenverkeer's `/health` latency while a 25 MB declaration is submitted and while one is pre-checked, against
   the same figure with nothing going on (the baseline, in the same run); declaratie's `/health` while it judges it.

    .venv/bin/python bench/exhaustion_probe.py

Prints the figures and writes them to test-artifacts/bench/exhaustion.json. Not a test: the machine's noise makes
latencies figures to read, not to assert.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.istandaard import HUIDIGE, MAX_BERICHT_BYTES
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet
from tools.localinfra import start_infra

FIXTURE = HUIDIGE.voorbeelden / "jw323-voorbeeld.xml"
PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321", "Content-Type": "application/xml"}
MB = 1024 * 1024
BIG = 200 * MB


def say(msg: str) -> None:
    print(f"[probe] {msg}", flush=True)


def declaratie_van(regels: int) -> bytes:
    """The example 323 with one client declaring `regels` lines, each with its own reference and allocation number
    (no allocation matches: every line gets 9338, so the judging does all its work and books nothing)."""
    tag = uuid.uuid4().hex[:4].upper().encode()
    raw = FIXTURE.read_bytes().replace(b"DCL2605-0001", b"DCLX" + tag).replace(b"D202604001", b"DX" + tag)
    prestatie = re.search(rb"<jw323:Prestatie>.*?</jw323:Prestatie>", raw, re.S).group(0)  # type: ignore[union-attr]
    bedrag = int(re.search(rb"<ijw:Bedrag>(\d+)<", prestatie).group(1))  # type: ignore[union-attr]
    regels_xml = b"".join(prestatie.replace(b"P20260504000001", f"X{uuid.uuid4().hex[:13].upper()}".encode())
                          .replace(b">400123<", f">{7_000_000 + i}<".encode()) for i in range(regels))
    client = re.search(rb"<jw323:Client>.*?</jw323:Client>", raw, re.S).group(0)  # type: ignore[union-attr]
    een_client = re.sub(rb"<jw323:Prestaties>.*</jw323:Prestaties>",
                        lambda _m: b"<jw323:Prestaties>" + regels_xml + b"</jw323:Prestaties>", client, flags=re.S)
    raw = re.sub(rb"<jw323:Clienten>.*</jw323:Clienten>",
                 lambda _m: b"<jw323:Clienten>" + een_client + b"</jw323:Clienten>", raw, flags=re.S)
    return raw.replace(b"<ijw:TotaalBedrag>595000<", f"<ijw:TotaalBedrag>{bedrag * regels}<".encode())


def declaratie_van_25_mb() -> tuple[bytes, int]:
    per_regel = (len(declaratie_van(1001)) - len(declaratie_van(1))) / 1000
    regels = int((MAX_BERICHT_BYTES - len(declaratie_van(1)) - 4096) / per_regel)
    raw = declaratie_van(regels)
    assert len(raw) <= MAX_BERICHT_BYTES, len(raw)
    return raw, regels


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def chunks(total: int, size: int = MB) -> Iterator[bytes]:
    block = b"x" * size
    for _ in range(total // size):
        yield block


# Where each service takes a body: the 401 and 413 come before routing, but send it where a body is read.
BODY_ROUTE = {"facturatie": "/v1/kostenverdeling", "berichtenverkeer": "/v1/berichten",
              "declaratie": "/intern/v1/proef"}


def groot_zonder_credentials(url: str, route: str, pid: int, declared: bool, token: str | None) -> dict:
    before, peak_before = rss_mb(pid)
    headers = {"Content-Type": "application/json"} | ({"Content-Length": str(BIG)} if declared else {})
    headers |= {"Authorization": f"Bearer {token}"} if token else {}
    t0 = time.monotonic()
    try:
        r = httpx.post(f"{url}{route}", content=chunks(BIG), headers=headers, timeout=60)
        uitkomst: str | int = r.status_code
    except httpx.HTTPError as exc:  # the service answered and closed before the body was sent: no status read
        uitkomst = type(exc).__name__
    seconds = time.monotonic() - t0
    time.sleep(0.5)
    after, peak_after = rss_mb(pid)
    return {"declared_length": declared, "token": token, "status": uitkomst, "seconds": round(seconds, 2),
            "rss_growth_mb": round(after - before, 1), "peak_rss_growth_mb": round(peak_after - peak_before, 1)}


class HealthWatcher:
    """GET /health every 50 ms in a thread; the latencies of the answers while it runs."""

    def __init__(self, url: str):
        self.url, self.latencies, self.failures = url, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as c:
            while not self._stop.is_set():
                t0 = time.monotonic()
                try:
                    ok = c.get(f"{self.url}/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.latencies.append(time.monotonic() - t0)
                self.failures += not ok
                time.sleep(0.05)

    def __enter__(self) -> HealthWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict:
        lat = sorted(self.latencies)
        return {"answers": len(lat), "failures": self.failures, "median_ms": round(statistics.median(lat) * 1000, 1),
                "p99_ms": round(lat[int(0.99 * (len(lat) - 1))] * 1000, 1), "max_ms": round(lat[-1] * 1000, 1)}


def health_tijdens(url: str, watch: str, doe) -> dict:
    with HealthWatcher(watch) as w:
        t0 = time.monotonic()
        detail = doe(url)
        seconds = time.monotonic() - t0
    return {"request_s": round(seconds, 2), **detail, "health": w.figures()}


def wacht_op_oordeel(database_url: str, bericht_id: str, timeout: float = 600) -> None:
    """Until declaratie has judged the declaration (its verdict in declaratie's outbox). Not the 325: the answer to
    a 25 MB declaration whose lines are all rejected is itself over 25 MB (see the closing note of issue 18)."""
    async def judged() -> bool:
        conn = await asyncpg.connect(database_url)
        try:
            return bool(await conn.fetchval("SELECT count(*) FROM declaratie.outbox WHERE key = $1", bericht_id))
        finally:
            await conn.close()

    deadline = time.monotonic() + timeout
    while not asyncio.run(judged()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"declaratie did not judge the declaration within {timeout:.0f} s")
        time.sleep(0.5)


def main() -> int:
    out = Path("test-artifacts/bench/exhaustion.json")
    logs = Path("test-artifacts/bench/exhaustion-logs")
    logs.mkdir(parents=True, exist_ok=True)
    say("making a 25 MB declaration")
    raw, regels = declaratie_van_25_mb()
    say(f"  {len(raw) / MB:.1f} MB, {regels:,} lines")
    infra = start_infra(os.environ)
    services = ServiceSet({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                           "DATABASE_URL": infra.database_url, "REGIO_CONFIG": str(DEFAULT_REGIO),
                           "RATE_LIMIT_PER_PARTIJ": "0"}, log_dir=logs, kafka_env=infra.kafka_env)
    result: dict = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "declaratie_mb": round(len(raw) / MB, 1),
                    "declaratie_regels": regels}
    try:
        services.start(fixed_ports=False)
        services.wait_healthy(timeout=120)
        bv, dc = services.urls["berichtenverkeer"], services.urls["declaratie"]
        say("200 MB without credentials, and with a guessed token")
        result["unauthenticated_200mb"] = {
            name: [groot_zonder_credentials(services.urls[name], BODY_ROUTE[name], services.procs[name].pid, declared,
                                            token)
                   for declared in (True, False) for token in (None, "guessed-token")]
            for name in ("facturatie", "berichtenverkeer", "declaratie")}
        say(json.dumps(result["unauthenticated_200mb"], indent=1))
        say("/health with nothing going on (baseline, 3 s)")
        result["health_idle"] = health_tijdens(bv, bv, lambda _u: (time.sleep(3), {})[1])
        say(f"  {result['health_idle']}")

        def submit(url: str) -> dict:
            r = httpx.post(f"{url}/v1/berichten", content=raw, headers=PROVIDER, timeout=300)
            return {"status": r.status_code, "bericht_id": r.json().get("bericht_id")}

        def proef(url: str) -> dict:
            r = httpx.post(f"{url}/v1/declaraties/proef", content=raw, headers=PROVIDER, timeout=300)
            return {"status": r.status_code}

        say("/health of berichtenverkeer while the 25 MB declaration is pre-checked")
        result["health_during_pre_check"] = health_tijdens(bv, bv, proef)
        say(f"  {result['health_during_pre_check']}")
        say("/health of berichtenverkeer while it is submitted, and of declaratie while it judges it")
        with HealthWatcher(dc) as judging:
            result["health_during_submit"] = health_tijdens(bv, bv, submit)
            bericht_id = result["health_during_submit"]["bericht_id"]
            wacht_op_oordeel(infra.database_url, bericht_id)
        result["declaratie_health_until_judged"] = judging.figures()
        say(f"  gateway: {result['health_during_submit']}")
        say(f"  declaratie until it judged it: {result['declaratie_health_until_judged']}")
        idle = result["health_idle"]["health"]["max_ms"] or 1
        for key in ("health_during_pre_check", "health_during_submit"):
            result[key]["health"]["max_vs_idle_max"] = round(result[key]["health"]["max_ms"] / idle, 1)
    finally:
        services.stop()
        infra.stop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    say(f"figures written to {out}; service logs in {logs}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
