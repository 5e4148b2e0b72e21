"""facturatie's HTTP entrypoints on the in-memory unit of work: the app from `bootstrap.create_app` (its routers and
error handlers), with the fake `Diensten` put on `app.state` and no database or broker started. Status codes and
bodies of the finance API, and the dashboard's login and pages."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import uuid

import pytest
from fastapi.testclient import TestClient

from facturatie.adapters.sepa import pain001
from facturatie.bootstrap import create_app
from facturatie.domain.beoordelingsstatistiek import contractsoort_uit
from facturatie.entrypoints.dashboard.weergave import omgeving
from facturatie.entrypoints.diensten import Diensten
from facturatie.service_layer.handlers import boek_verdicts
from shared.kalender import VasteKlok
from shared.models import PrestatieOordeel
from shared.platform.config import Settings
from shared.platform.events import BeoordeeldePrestatie, DeclaratieBeoordeeld, idempotentie_sleutel
from shared.platform.regio import load_regio
from tests.facturatie.fakes import Fabriek, FakeBerichtenverkeer
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
NU = VasteKlok(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
WOERDEN = {"Authorization": "Bearer demo-gemeente-0632"}
CONTROLLER = {"Authorization": "Bearer demo-regio-controller"}
AANBIEDER = {"Authorization": "Bearer demo-aanbieder-87654321"}


class Storing(OSError):
    """The database away (an OSError, as a refused connection is)."""


@pytest.fixture
def fabriek() -> Fabriek:
    return Fabriek(klok=NU)


@pytest.fixture
def client(fabriek) -> TestClient:
    settings = Settings(service="facturatie", kafka_bootstrap_servers="127.0.0.1:1",
                        database_url="postgresql://niemand@127.0.0.1:1/niets", regio_config=DEFAULT_REGIO,
                        host="127.0.0.1", port=8003)
    app = create_app(settings, NU)  # not entered: no pool, no broker
    assert isinstance(app.state.diensten, Diensten)
    app.state.diensten = Diensten(
        regio=REGIO, klok=NU, uow=fabriek, betaalbestand=pain001, plafonds={}, contractsoort=contractsoort_uit(REGIO),
        berichtenverkeer=lambda token: FakeBerichtenverkeer(), sjablonen=omgeving(REGIO), trace_url=None,
        storingen=(Storing,))
    return TestClient(app, raise_server_exceptions=False)


def boek(fabriek: Fabriek, ref: str = "R1", bedrag: int = 118200) -> DeclaratieBeoordeeld:
    lijn = BeoordeeldePrestatie(idempotentie_sleutel=idempotentie_sleutel("87654321", "jw", ref), referentienummer=ref,
                                vorig_referentienummer=None, productcategorie="45", productcode="45A07",
                                periode_begin=dt.date(2026, 10, 1), bedrag=bedrag, debet_credit="D")
    e = DeclaratieBeoordeeld(event_id=str(uuid.uuid4()), bericht_id=str(uuid.uuid4()), domein="jw",
                             aanbieder="87654321", gemeente="0632", declaratienummer="D1", header_retourcodes=["0200"],
                             oordelen=[PrestatieOordeel(referentienummer=ref)], goedgekeurd=[lijn],
                             totaal_toegekend_bedrag=bedrag, totaal_toegekend_debet_credit="D", occurred_at=NU.nu())
    asyncio.run(boek_verdicts(fabriek(), [e]))
    return e


def test_a_municipality_reads_its_own_balances_and_no_other(client, fabriek):
    boek(fabriek)
    r = client.get("/v1/gemeenten/0632/saldi", headers=WOERDEN)
    assert r.status_code == 200 and r.json() == {"gemeente": "0632", "rekeningen": [
        {"domein": "jw", "code": "crediteur:87654321", "saldo_cent": -118200},
        {"domein": "jw", "code": "kosten:45", "saldo_cent": 118200}]}
    assert client.get("/v1/gemeenten/1904/saldi", headers=WOERDEN).status_code == 403
    assert client.get("/v1/gemeenten/1904/saldi", headers=CONTROLLER).status_code == 200
    assert client.get("/v1/gemeenten/9999/saldi", headers=CONTROLLER).status_code == 404
    assert client.get("/v1/gemeenten/0632/saldi").json()["error"] == "missing Authorization header"


def test_a_lines_history_and_its_absence(client, fabriek):
    e = boek(fabriek)
    r = client.get("/v1/gemeenten/0632/regels/87654321/jw/R1", headers=WOERDEN)
    body = r.json()
    assert r.status_code == 200 and body["bericht_id"] == e.bericht_id and body["betaald"] is None
    assert body["bericht"] == f"/v1/berichten/{e.bericht_id}/tijdlijn (berichtenverkeer)"
    assert [b["idempotentie_sleutel"] for b in body["boekingen"]] == ["87654321:jw:R1"]
    r = client.get("/v1/gemeenten/0632/regels/87654321/jw/R9", headers=WOERDEN)
    assert r.status_code == 404 and r.json()["hint"].startswith("only approved lines are booked")


def test_a_journal_page_says_where_the_next_one_starts(client, fabriek):
    boek(fabriek, "R1")
    boek(fabriek, "R2")
    eerste = client.get("/v1/gemeenten/0632/journaal?limit=1", headers=WOERDEN).json()
    assert [p["idempotentie_sleutel"] for p in eerste["journaalposten"]] == ["87654321:jw:R1"]
    tweede = client.get(f"/v1/gemeenten/0632/journaal?limit=5&na_id={eerste['volgende_na_id']}",
                        headers=WOERDEN).json()
    assert [p["idempotentie_sleutel"] for p in tweede["journaalposten"]] == ["87654321:jw:R2"]
    assert tweede["volgende_na_id"] is None


def test_budgets_and_ceilings_default_to_this_dutch_year(client, fabriek):
    boek(fabriek)
    budget = client.get("/v1/gemeenten/0632/budgetten", headers=WOERDEN).json()
    assert budget["jaar"] == 2026 and budget["budgetten"][0]["verbruikt_cent"] == 118200
    ruimte = client.get("/v1/gemeenten/0335/bestedingsruimte", headers=CONTROLLER).json()
    assert ruimte["plafonds"][0]["plafond_cent"] == 5_000_000 and ruimte["toelichting"].startswith("jaar = the year")


def test_payment_runs_answer_201_200_409_and_422(client, fabriek):
    assert client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-23"}, headers=WOERDEN).json() == {
        "betaalrun": None, "reden": "nothing payable up to 2026-11-23"}
    boek(fabriek)
    r = client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-23"}, headers=WOERDEN)
    assert r.status_code == 201 and r.json()["herhaald"] is False
    run = r.json()["betaalrun"]
    assert (run["uitvoeringsdatum"], run["totaal_cent"]) == ("2026-11-23", 118200)
    assert run["bestand"] == f"/v1/gemeenten/0632/betaalruns/{run['id']}/pain001"
    again = client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-23"}, headers=WOERDEN)
    assert again.status_code == 200 and again.json() == {"betaalrun": run, "herhaald": True}
    settled = client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-22"}, headers=WOERDEN)
    assert settled.status_code == 409 and settled.json() == {
        "error": "a payment run up to 2026-11-23 exists; 2026-11-22 is settled",
        "hint": "choose a cut-off on or after 2026-11-23"}
    future = client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-24"}, headers=WOERDEN)
    assert future.status_code == 422 and future.json()["error"] == "cut-off 2026-11-24 is in the future"
    past = client.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": "2026-11-23",
                                                               "uitvoeringsdatum": "2026-11-22"}, headers=WOERDEN)
    assert past.status_code == 422 and past.json()["hint"] == "a bank executes transfers from today on"
    detail = client.get(f"/v1/gemeenten/0632/betaalruns/{run['id']}", headers=WOERDEN).json()
    assert detail == {**run, "overboekingen": [{"domein": "jw", "aanbieder": "87654321", "bedrag_cent": 118200,
                                                "end_to_end_id": "0632-20261123-jw-87654321"}]}
    bestand = client.get(f"/v1/gemeenten/0632/betaalruns/{run['id']}/pain001", headers=WOERDEN)
    assert bestand.headers["content-disposition"] == 'attachment; filename="pain001-0632-2026-11-23.xml"'
    assert bestand.headers["content-type"].startswith("application/xml") and b"<CtrlSum>1182.00" in bestand.content
    assert client.get("/v1/gemeenten/0632/betaalruns/999", headers=WOERDEN).json() == {
        "error": "no payment run 999 for municipality 0632"}


def test_cost_sharing_is_for_the_controller_once_per_reference(client):
    verzoek = {"referentie": "GR2026-11", "omschrijving": "Uitvoeringskosten GR", "domein": "jw",
               "bedrag_cent": 1000000}
    assert client.post("/v1/kostenverdeling", json=verzoek, headers=WOERDEN).status_code == 403
    eerst = client.post("/v1/kostenverdeling", json=verzoek, headers=CONTROLLER)
    assert eerst.status_code == 201 and eerst.json()["geboekt"] == 5
    assert client.post("/v1/kostenverdeling", json=verzoek, headers=CONTROLLER).status_code == 200
    anders = client.post("/v1/kostenverdeling", json={**verzoek, "bedrag_cent": 2000000}, headers=CONTROLLER)
    assert anders.status_code == 409 and anders.json()["hint"] == "use a new reference for a new cost"
    onbekend = client.post("/v1/kostenverdeling", json={**verzoek, "sleutel": "oppervlakte"}, headers=CONTROLLER)
    assert onbekend.status_code == 422 and onbekend.json() == {
        "error": "unknown sharing key 'oppervlakte'; known: inwoners"}


def test_the_dashboard_logs_in_with_a_token_and_refuses_a_provider(client):
    r = client.get("/dashboard", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/dashboard/inloggen")
    r = client.post("/dashboard/inloggen", data={"token": "demo-aanbieder-87654321"}, follow_redirects=False)
    assert r.status_code == 403 and "voor gemeenten en de controller" in r.text
    r = client.post("/dashboard/inloggen", data={"token": "x" * 5000}, follow_redirects=False)
    assert r.status_code == 400 and "te lang" in r.text
    r = client.post("/dashboard/inloggen", data={"token": "demo-gemeente-0632"}, follow_redirects=False)
    assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
    r = client.get("/dashboard", follow_redirects=False)  # the cookie now
    assert r.headers["location"] == "/dashboard/gemeenten/0632"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    r = client.post("/dashboard/uitloggen", headers={"Origin": "http://elders.example"}, follow_redirects=False)
    assert r.status_code == 403


def test_the_dashboard_pages_show_the_ledger_and_a_database_outage_is_a_page(client, fabriek):
    e = boek(fabriek)
    r = client.get("/dashboard/gemeenten/0632", headers=WOERDEN)
    assert r.status_code == 200 and 'data-maand="goedgekeurd" data-cent="118200"' in r.text
    assert client.get("/dashboard/gemeenten/1904", headers=WOERDEN).status_code == 403
    assert client.get("/dashboard/regio", headers=CONTROLLER).status_code == 200
    assert client.get("/dashboard/regio", headers=WOERDEN).status_code == 403
    r = client.get(f"/dashboard/declaraties/{e.bericht_id}", headers=WOERDEN)
    assert r.status_code == 200 and "data-post=\"87654321:jw:R1\"" in r.text
    assert client.get(f"/dashboard/declaraties/{e.bericht_id}", headers=AANBIEDER).status_code == 403

    def weg(*, readonly: bool = False):
        raise Storing("connection refused")

    client.app.state.diensten = dataclasses.replace(client.app.state.diensten, uow=weg)
    r = client.get("/dashboard/gemeenten/0632", headers=WOERDEN)
    assert r.status_code == 503 and "Tijdelijk niet beschikbaar" in r.text
