"""berichtenverkeer's entrypoints stay thin and keep their contract: the app bootstrap wires, with its container
swapped for one on the in-memory unit of work, answers over HTTP as the service does (status codes, headers, bodies;
each refusal's code from the one table), and the Kafka subscribers hand each event to its use case."""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker, TestKafkaBroker

from berichtenverkeer import bootstrap
from berichtenverkeer.domain import fouten
from berichtenverkeer.entrypoints import consumers
from berichtenverkeer.entrypoints.diensten import Diensten
from berichtenverkeer.entrypoints.http import STATUS
from berichtenverkeer.service_layer.beoordelaar import BeoordelaarOnbereikbaar
from berichtenverkeer.service_layer.ontvangen import ontvang_berichten
from shared.istandaard import parse_323
from shared.kalender import VasteKlok
from shared.models import PrestatieOordeel
from shared.platform.config import Settings
from shared.platform.deadletter import dead_letter_on_invalid
from shared.platform.events import (
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_PRESTATIES_GEBOEKT,
    DeclaratieBeoordeeld,
    PrestatiesGeboekt,
)
from shared.platform.partij import Party
from shared.platform.ratelimit import RateLimiter
from shared.platform.regio import load_regio
from tests.berichtenverkeer.fakes import FakeFabriek
from tests.conftest import FIXTURES
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
KLOK = VasteKlok(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321"}
OTHER_PROVIDER = {"Authorization": "Bearer demo-aanbieder-12345678"}
WOERDEN = {"Authorization": "Bearer demo-gemeente-0632"}
XML = {"Content-Type": "application/xml"}


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}-voorbeeld.xml").read_bytes()


class Onbereikbaar:
    async def proef(self, event):
        raise BeoordelaarOnbereikbaar("ConnectError")


def diensten(fabriek: FakeFabriek, limiet: RateLimiter | None = None) -> Diensten:
    return Diensten(uow=fabriek, regio=REGIO, klok=KLOK, beoordelaar=Onbereikbaar(),
                    limiet=limiet or RateLimiter(0, 1))


@pytest.fixture
def fabriek() -> FakeFabriek:
    return FakeFabriek()


def client_for(d: Diensten) -> TestClient:
    """The service's own app (routes, error handlers), not started: no Kafka, no PostgreSQL."""
    settings = Settings(service="berichtenverkeer", kafka_bootstrap_servers="127.0.0.1:1",
                        database_url="postgresql://nobody@127.0.0.1:1/none", regio_config=DEFAULT_REGIO,
                        host="127.0.0.1", port=0)
    app = bootstrap.create_app(settings)
    app.state.diensten = d
    return TestClient(app)


@pytest.fixture
def client(fabriek) -> TestClient:
    return client_for(diensten(fabriek))


def test_every_kind_of_refusal_has_its_status_code():
    soorten = {k for k in vars(fouten).values() if isinstance(k, type) and issubclass(k, fouten.Geweigerd)}
    assert set(STATUS) == soorten - {fouten.Geweigerd}
    assert len(set(STATUS.values())) == len(STATUS)


def test_a_submission_is_accepted_once_and_the_commit_not_the_route_wakes_the_relay(client, fabriek):
    r = client.post("/v1/berichten", content=raw("jw323"), headers={**XML, **PROVIDER})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "ontvangen" and body["links"] == {
        "self": f"/v1/berichten/{body['bericht_id']}", "antwoord": f"/v1/berichten/{body['bericht_id']}/antwoord",
        "tijdlijn": f"/v1/berichten/{body['bericht_id']}/tijdlijn"}
    again = client.post("/v1/berichten", content=raw("jw323"), headers={**XML, **PROVIDER})
    assert again.status_code == 200 and again.json()["bericht_id"] == body["bericht_id"]
    assert again.json()["herhaald"] is True
    assert fabriek.kicks == 1


def test_a_refused_message_gets_the_status_of_its_kind(client, fabriek):
    r = client.post("/v1/berichten", content=raw("jw301"), headers={**XML, **PROVIDER})
    assert r.status_code == 403 and r.json()["error"] == "a aanbieder may not submit a 301"
    r = client.post("/v1/berichten", content=raw("jw302"), headers={**XML, **PROVIDER})
    assert r.status_code == 422 and "no 301 with Identificatie" in r.json()["error"]
    r = client.post("/v1/berichten", content=b"<geen/>", headers={**XML, **PROVIDER})
    assert r.status_code == 400 and "control level 1" in r.json()["error"]
    assert fabriek.tables["berichten"] == {}


def test_a_refusal_in_a_batch_names_the_file(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("start.xml", raw("jw305"))
        z.writestr("kapot.xml", b"<geen-bericht/>")
    r = client.post("/v1/berichten", content=buf.getvalue(), headers={"Content-Type": "application/zip", **PROVIDER})
    assert r.status_code == 400
    assert (r.json()["bestand"], r.json()["bericht"]) == ("kapot.xml", 2)


def test_reading_and_fetching_over_http(client, fabriek):
    bid = client.post("/v1/berichten", content=raw("jw301"), headers={**XML, **WOERDEN}).json()["bericht_id"]
    assert client.get(f"/v1/berichten/{bid}", headers=OTHER_PROVIDER).json() == {"error": f"no message with id {bid}"}
    assert client.get(f"/v1/berichten/{bid}", headers=OTHER_PROVIDER).status_code == 404
    postvak = client.get("/v1/postvak", headers=PROVIDER).json()["berichten"]
    assert [(b["id"], b["inhoud"]) for b in postvak] == [(bid, f"/v1/berichten/{bid}/inhoud")]
    inhoud = client.get(f"/v1/berichten/{bid}/inhoud", headers=PROVIDER)
    assert inhoud.status_code == 200 and inhoud.content == raw("jw301")
    assert (inhoud.headers["content-type"], inhoud.headers["x-bericht-id"]) == ("application/xml", bid)
    status = client.get(f"/v1/berichten/{bid}", headers=WOERDEN).json()
    assert (status["status"], status["type"], status["antwoord_beschikbaar"]) == ("afgeleverd", "301", False)
    antwoord = client.get(f"/v1/berichten/{bid}/antwoord", headers=WOERDEN)
    assert antwoord.status_code == 404 and antwoord.json()["error"] == "no answer yet"
    stappen = client.get(f"/v1/berichten/{bid}/tijdlijn", headers=WOERDEN).json()["stappen"]
    assert [s["stap"] for s in stappen] == ["ontvangen", "afgeleverd"]
    lijst = client.get("/v1/berichten", params={"limit": 1}, headers=WOERDEN).json()
    assert [b["id"] for b in lijst["berichten"]] == [bid] and lijst["volgende_offset"] == 1
    termijnen = client.get("/v1/termijnen", headers=PROVIDER).json()
    assert [v["bericht_id"] for v in termijnen["verplichtingen"]] == [bid]


def test_the_pre_check_answers_503_when_declaratie_is_away(client):
    r = client.post("/v1/declaraties/proef", content=raw("jw323"), headers={**XML, **PROVIDER})
    assert r.status_code == 503
    assert r.json() == {"error": "the assessment service is not reachable; nothing was checked",
                        "hint": "try again in a minute"}


def test_the_rate_limit_answers_429_with_retry_after(fabriek):
    client = client_for(diensten(fabriek, RateLimiter(1, 1)))
    assert client.get("/v1/postvak", headers=PROVIDER).status_code == 200
    r = client.get("/v1/postvak", headers=PROVIDER)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"] == "more than 1 requests per second from this party"
    assert client.get("/v1/postvak", headers=WOERDEN).status_code == 200


async def test_the_subscribers_hand_verdicts_and_bookings_to_their_use_cases(fabriek):
    d = diensten(fabriek)
    (ontvangen,) = await ontvang_berichten(fabriek, REGIO, KLOK, Party("aanbieder", "87654321"), [raw("jw323")])
    bid = ontvangen["bericht_id"]
    broker = KafkaBroker()
    runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service="berichtenverkeer"))
    consumers.register(broker, d, dead_letters=functools.partial(dead_letter_on_invalid, runtime))
    lines = [p for _c, p in parse_323(raw("jw323")).prestaties()]
    verdict = DeclaratieBeoordeeld(
        event_id="v1", bericht_id=bid, domein="jw", aanbieder="87654321", gemeente="0632", declaratienummer="D1",
        header_retourcodes=["0200"], oordelen=[PrestatieOordeel(referentienummer=p.referentienummer) for p in lines],
        goedgekeurd=[], totaal_toegekend_bedrag=595000, totaal_toegekend_debet_credit="D")
    geboekt = PrestatiesGeboekt(event_id="g1", bericht_id=bid, gemeente="0632", domein="jw", journaalposten=5,
                                geboekt_bedrag=595000)
    async with TestKafkaBroker(broker):
        await broker.publish(verdict.model_dump_json().encode(), TOPIC_DECLARATIE_BEOORDEELD, key=bid.encode())
        await broker.publish(geboekt.model_dump_json().encode(), TOPIC_PRESTATIES_GEBOEKT, key=bid.encode())
    assert fabriek.store.inbox == {"berichtenverkeer:v1", "berichtenverkeer:g1"}
    assert sorted(b["berichttype"] for b in fabriek.tables["berichten"].values()) == ["323", "325"]
