"""declaratie's entrypoints stay thin: the subscriber hands each kind of event to its use case, and the pre-check
route answers from the container on the app, on the in-memory unit of work."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from declaratie.entrypoints import http
from declaratie.entrypoints.consumers import verwerk_ontvangen
from declaratie.entrypoints.diensten import Diensten
from shared.istandaard import parse_301, parse_323
from shared.platform.events import DeclaratieOntvangen, ToewijzingOntvangen
from shared.platform.regio import load_regio
from tests.conftest import FIXTURES
from tests.declaratie.fakes import FakeFabriek
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
GEHEIM = b"test-geheim"
INTERN = "intern-token-van-de-test-0123456789abcdef"


def event_323() -> DeclaratieOntvangen:
    return DeclaratieOntvangen(event_id="e323", bericht_id="b323", ontvangen_op=dt.date(2026, 5, 5),
                               bericht=parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes()))


async def test_the_subscriber_records_a_301_and_judges_a_323():
    fabriek = FakeFabriek()
    diensten = Diensten(uow=fabriek, regio=REGIO, geheim=GEHEIM, intern_token=INTERN)
    await verwerk_ontvangen(diensten, ToewijzingOntvangen(
        event_id="e301", bericht_id="b301", bericht=parse_301((FIXTURES / "jw301-voorbeeld.xml").read_bytes())))
    assert fabriek.registers().toewijzingen and fabriek.store.outbox == []
    await verwerk_ontvangen(diensten, event_323())
    assert [k for _t, k, _p, _tp in fabriek.store.outbox] == ["b323"]
    assert fabriek.store.inbox == {"declaratie:e301", "declaratie:e323"}
    assert fabriek.kicks == 1  # by the commit that published, not by the entrypoint


def pre_check_app(fabriek: FakeFabriek) -> FastAPI:
    app = FastAPI()
    app.state.diensten = Diensten(uow=fabriek, regio=REGIO, geheim=GEHEIM, intern_token=INTERN)
    app.include_router(http.router)
    return app


def test_the_pre_check_route_judges_from_the_apps_container_and_records_nothing():
    fabriek = FakeFabriek()
    with TestClient(pre_check_app(fabriek)) as client:
        antwoord = client.post("/intern/v1/proef", content=event_323().model_dump_json(),
                               headers={"content-type": "application/json", "authorization": f"Bearer {INTERN}"})
    assert antwoord.status_code == 200
    assert antwoord.json()["bericht_id"] == "b323" and antwoord.json()["header_retourcodes"] == ["0200"]
    assert fabriek.store.commits == 0 and fabriek.store.outbox == [] and fabriek.store.inbox == set()
    assert [u.readonly for u in fabriek.gemaakt] == [True]


@pytest.mark.parametrize("authorization", [None, "Bearer ", f"Bearer {INTERN[:-1]}", f"Basic {INTERN}",
                                           "Bearer demo-aanbieder-87654321"])
def test_the_pre_check_route_refuses_a_caller_without_the_internal_token_and_judges_nothing(authorization):
    fabriek = FakeFabriek()
    headers = {"content-type": "application/json"} | ({"authorization": authorization} if authorization else {})
    with TestClient(pre_check_app(fabriek)) as client:
        antwoord = client.post("/intern/v1/proef", content=event_323().model_dump_json(), headers=headers)
    assert antwoord.status_code == 401 and "only the back office's own services" in antwoord.json()["detail"]["error"]
    assert fabriek.gemaakt == []


def test_the_pre_check_route_authenticates_before_it_reads_or_parses_the_body():
    fabriek = FakeFabriek()
    with TestClient(pre_check_app(fabriek)) as client:
        zonder = client.post("/intern/v1/proef", content=b"{not json", headers={"authorization": "Bearer junk"})
        met = client.post("/intern/v1/proef", content=b"{not json", headers={"authorization": f"Bearer {INTERN}"})
    assert zonder.status_code == 401  # a junk credential never gets its body parsed
    assert met.status_code == 400 and met.json()["detail"]["error"] == "not a DeclaratieOntvangen event"
    assert fabriek.gemaakt == []
