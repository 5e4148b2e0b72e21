"""Traces across the three services, exported with the standard OTLP exporter to a collector kept in memory by
this test: one trace from the POST of the example declaration through every Kafka hop and database call to its
ledger posting and its 325, with the business attributes finance searches on, and not one BSN of the test data
anywhere — not in span names, attributes, events, resources, nor in any service log.

The services run as separate processes (`python -m <service>`), as in production; the collector is a small
OTLP/HTTP receiver on loopback that decodes what the exporter sends (protobuf) and keeps the spans in memory.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.conftest import FIXTURES, fresh_database
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet
from tools.demo import voorgeschiedenis_voorbeeld

pytestmark = pytest.mark.integration

XML = {"Content-Type": "application/xml"}
PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321"}
BSNS_IN_TEST_DATA = ("999990019", "999990044", "999990045")
ARTEFACTS = Path("test-artifacts/traces")


class Collector:
    """OTLP/HTTP trace receiver: every span the services export, flattened to dicts."""

    def __init__(self):
        self.spans: list[dict] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                collector.add(body)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def add(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            self.raw.append(body)
            for rs in request.resource_spans:
                resource = {a.key: _value(a.value) for a in rs.resource.attributes}
                for ss in rs.scope_spans:
                    for s in ss.spans:
                        self.spans.append({
                            "service": resource.get("service.name"), "name": s.name, "scope": ss.scope.name,
                            "trace_id": s.trace_id.hex(), "span_id": s.span_id.hex(),
                            "parent": s.parent_span_id.hex() or None, "start": s.start_time_unix_nano,
                            "end": s.end_time_unix_nano,
                            "attributes": {a.key: _value(a.value) for a in s.attributes},
                            "events": [{"name": e.name, "attributes": {a.key: _value(a.value) for a in e.attributes}}
                                       for e in s.events],
                            "links": [link.trace_id.hex() for link in s.links],
                            "resource": resource})

    def in_trace(self, trace_id: str) -> list[dict]:
        with self.lock:
            return [s for s in self.spans if s["trace_id"] == trace_id]

    def stop(self) -> None:
        self.server.shutdown()


def _value(v):
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


@pytest.fixture(scope="module")
def collector():
    c = Collector()
    yield c
    c.stop()


@pytest.fixture(scope="module")
def system(infra, collector, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("trace-logs")
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                           "DATABASE_URL": fresh_database(infra, "traces"),
                           "REGIO_CONFIG": str(DEFAULT_REGIO), "PATH": "/usr/bin:/bin",
                           "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"},
                          log_dir=log_dir, kafka_env=infra.kafka_env)
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        yield services, log_dir
    finally:
        services.stop()


def poll(fn, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = fn()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def example(system, collector):
    services, _ = system
    with httpx.Client(base_url=services.urls["berichtenverkeer"], timeout=30) as bv:
        for b in voorgeschiedenis_voorbeeld():
            r = bv.post("/v1/berichten", content=b.xml, headers={**XML, "Authorization": f"Bearer {b.token}"})
            assert r.status_code == 202, r.text
        r = bv.post("/v1/berichten", content=(FIXTURES / "jw323-voorbeeld.xml").read_bytes(),
                    headers={**XML, **PROVIDER})
        assert r.status_code == 202, r.text
        bericht_id = r.json()["bericht_id"]

        def booked():
            stappen = bv.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers=PROVIDER).json()["stappen"]
            return stappen if {"beantwoord", "geboekt"} <= {s["stap"] for s in stappen} else None

        stappen = poll(booked)
    trace_id = stappen[0]["trace_id"]

    def complete():  # every service has exported its part of the trace (batches leave every 200 ms)
        spans = collector.in_trace(trace_id)
        return spans if any(s["name"] == "grootboek boeking" for s in spans) and \
            any(s["service"] == "berichtenverkeer" and "beoordeeld" in s["name"] for s in spans) else None

    spans = poll(complete, timeout=30)
    time.sleep(1)  # the last batch of each service
    spans = collector.in_trace(trace_id)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "voorbeeld-323.txt").write_text(tree(spans))
    (ARTEFACTS / "voorbeeld-323.json").write_text(json.dumps(spans, indent=1, default=str))
    return bericht_id, trace_id, spans


def tree(spans: list[dict]) -> str:
    """The trace as an indented tree (service: span name [key attributes]), children by start time."""
    children = defaultdict(list)
    ids = {s["span_id"] for s in spans}
    for s in sorted(spans, key=lambda s: s["start"]):
        children[s["parent"] if s["parent"] in ids else None].append(s)
    lines: list[str] = []

    def walk(parent, depth):
        for s in children[parent]:
            attrs = {k.removeprefix("backoffice."): v for k, v in s["attributes"].items()
                     if k.startswith("backoffice.")}
            ms = (s["end"] - s["start"]) / 1e6
            lines.append(f"{'  ' * depth}{s['service']}: {s['name']} ({ms:.1f} ms)"
                         + (f" {attrs}" if attrs else ""))
            walk(s["span_id"], depth + 1)

    walk(None, 0)
    return "\n".join(lines) + "\n"


def test_one_trace_runs_from_the_post_through_all_three_services_to_the_posting(example, collector):
    bericht_id, _trace_id, spans = example
    assert {s["service"] for s in spans} == {"berichtenverkeer", "declaratie", "facturatie"}
    names = [s["name"] for s in spans]
    # One root, the provider's request: everything else descends from it.
    roots = [s for s in spans if s["parent"] is None]
    assert [(r["service"], r["name"]) for r in roots] == [("berichtenverkeer", "POST /v1/berichten")]
    # Every Kafka hop: received → judged → verdict to gateway and ledger → booked back to the gateway.
    for topic in ("backoffice.berichten.ontvangen.v1", "backoffice.declaratie.beoordeeld.v1",
                  "backoffice.facturatie.geboekt.v1"):
        assert any(topic in n for n in names), f"no span for {topic}: {names}"
    boeking = next(s for s in spans if s["name"] == "grootboek boeking")
    assert boeking["service"] == "facturatie"
    assert boeking["attributes"]["backoffice.bericht_id"] == bericht_id
    assert boeking["attributes"]["backoffice.cbs"] == "0632"
    assert boeking["attributes"]["backoffice.geboekt_cent"] == 143500  # the example's granted total (§13.3)
    # Database calls are spans too. facturatie books a whole Kafka poll in one transaction: its database calls
    # are in the batch's span, which the posting links to.
    is_db = lambda s: s["attributes"].get("db.system") in ("postgresql", "postgres")  # noqa: E731
    assert {s["service"] for s in spans if is_db(s)} == {"berichtenverkeer", "declaratie"}
    (batch_trace,) = boeking["links"]
    batch = collector.in_trace(batch_trace)
    assert any(is_db(s) and s["service"] == "facturatie" and "INSERT" in s["name"] for s in batch)


def test_spans_carry_the_business_attributes_finance_searches_on(example):
    bericht_id, _, spans = example
    found = {k: v for s in spans for k, v in s["attributes"].items() if k.startswith("backoffice.")}
    assert found["backoffice.bericht_id"] == bericht_id
    assert found["backoffice.berichttype"] == "323"
    assert found["backoffice.declaratienummer"] == "D202604001"
    assert found["backoffice.agb"] == "87654321" and found["backoffice.cbs"] == "0632"
    assert found["backoffice.regels"] == 5
    assert found["backoffice.afgewezen"] == 1  # line 2: wrong tariff (0611)


def test_no_bsn_of_the_test_data_appears_in_any_span_or_log(system, example, collector):
    _, log_dir = system
    with collector.lock:
        everything = json.dumps(collector.spans, default=str) + "".join(
            b.decode("latin-1") for b in collector.raw)  # the raw protobuf too: nothing hides in encoding
    assert len(collector.spans) > 50
    sent = (FIXTURES / "jw323-voorbeeld.xml").read_bytes().decode()
    assert all(bsn in sent for bsn in BSNS_IN_TEST_DATA[:1])  # the flow really carried these BSNs
    logs = "".join(p.read_text(errors="replace") for p in Path(log_dir).glob("*.log"))
    assert logs, "service logs were not captured"
    for bsn in BSNS_IN_TEST_DATA:
        assert bsn not in everything, "a BSN appears in the exported spans"
        assert bsn not in logs, "a BSN appears in a service log"
