"""The finance and control dashboard in a real headless Chromium (Debian's `chromium`, driven by Playwright with
`executable_path`: no browser is downloaded), with the three services as processes on real Kafka and PostgreSQL
and a database of their own.

Demo data: Woerden's allocations and March declaration, the standard's example declaration (one line rejected
with 0611, the March line credited), a different message reusing the example's Identificatie (9056: rejected as a
whole), and a payment run. A spending ceiling of 2,000.00 for the provider makes 420.00 withheld (worked out in
test_end_to_end.py). The test logs in through the form, checks that the page's numbers are the ledger API's, that
no BSN of the test data is in any page, and keeps screenshots in test-artifacts/dashboard/.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from facturatie.entrypoints.dashboard.opmaak import euro, saldo
from shared.kalender import SYSTEEMKLOK
from tests.conftest import FIXTURES, fresh_database
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet
from tools.demo import voorgeschiedenis_voorbeeld

pytestmark = pytest.mark.integration

XML = {"Content-Type": "application/xml"}
PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321"}
WOERDEN = {"Authorization": "Bearer demo-gemeente-0632"}
CONTROLLER = {"Authorization": "Bearer demo-regio-controller"}
BSNS_IN_TEST_DATA = ("999990019", "999990044", "999990045")
PLAFOND_WOERDEN = {"gemeente": "0632", "aanbieder": "87654321", "domein": "jw", "jaar": 2026, "cent": 200000}
TRACE_UI = "http://localhost:16686/trace/{trace_id}"
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
INSTALL = ("install it with `bash deploy/local/install-system-packages.sh` (Debian's package: "
           "`apt-get install -y chromium`); this test never downloads a browser")


def chromium_pad() -> str:
    """Debian's Chromium; CHROMIUM_PATH may name another. Missing is a failure, not a skip: CI must run this."""
    kandidaten = [p for p in dict.fromkeys([os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium",
                                            shutil.which("chromium"), shutil.which("chromium-browser")]) if p]
    for pad in kandidaten:
        if pad and os.path.isfile(pad) and os.access(pad, os.X_OK):
            return pad
    pytest.fail(f"Chromium not found (looked for {', '.join(kandidaten)}): {INSTALL}", pytrace=False)


@pytest.fixture(scope="module")
def chromium():
    pad = chromium_pad()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: `.venv/bin/pip install -e '.[test]'`", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=pad)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def database_url(infra):
    return fresh_database(infra, "dashboard")


@pytest.fixture(scope="module")
def system(infra, database_url, tmp_path_factory):
    regio = yaml.safe_load(DEFAULT_REGIO.read_text())
    regio["bestedingsruimtes"] = [*regio.get("bestedingsruimtes", []), PLAFOND_WOERDEN]
    regio_file = tmp_path_factory.mktemp("regio") / "utrecht-west-met-plafond.yaml"
    regio_file.write_text(yaml.safe_dump(regio, allow_unicode=True))
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers, "DATABASE_URL": database_url,
                           "REGIO_CONFIG": str(regio_file), "TRACE_UI_URL": TRACE_UI, "PATH": "/usr/bin:/bin"},
                          log_dir=tmp_path_factory.mktemp("dashboard-logs"), kafka_env=infra.kafka_env)
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        yield services
    finally:
        services.stop()


def poll(fn, timeout: float = 60, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (result := fn()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(interval)
    return result


@pytest.fixture(scope="module")
def demo(system):
    """Feeds the demo data and waits until facturatie has booked every verdict; returns the example's message id."""
    bv = httpx.Client(base_url=system.urls["berichtenverkeer"], timeout=30)
    fa = httpx.Client(base_url=system.urls["facturatie"], timeout=30)

    def stuur(xml: bytes, token: str) -> str:
        r = bv.post("/v1/berichten", content=xml, headers={**XML, "Authorization": f"Bearer {token}"})
        assert r.status_code == 202, r.text
        return r.json()["bericht_id"]

    def geboekt(bericht_id: str) -> bool:
        stappen = bv.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers=PROVIDER).json()["stappen"]
        return any(s["stap"] == "geboekt" for s in stappen)

    ids = [stuur(b.xml, b.token) for b in voorgeschiedenis_voorbeeld()]
    poll(lambda: geboekt(ids[-1]))  # March is booked before the example credits it
    voorbeeld = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
    voorbeeld_id = stuur(voorbeeld, "demo-aanbieder-87654321")
    # Another message under the same Identificatie: 9056, the declaration rejected as a whole.
    dubbel_id = stuur(voorbeeld.replace(b"D202604001", b"D202604009"), "demo-aanbieder-87654321")
    for bericht_id in (voorbeeld_id, dubbel_id):
        poll(lambda b=bericht_id: geboekt(b))
    r = fa.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": SYSTEEMKLOK.vandaag().isoformat()}, headers=WOERDEN)
    assert r.status_code == 201, r.text
    bv.close()
    fa.close()
    return {"voorbeeld": voorbeeld_id, "dubbel": dubbel_id}


@pytest.fixture(scope="module")
def fa(system):
    with httpx.Client(base_url=system.urls["facturatie"], timeout=30) as c:
        yield c


def api(fa, path: str, headers=WOERDEN) -> dict:
    r = fa.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def zonder_bsn(html: str, waar: str) -> None:
    for bsn in BSNS_IN_TEST_DATA:
        assert bsn not in html, f"a BSN of the test data is on {waar}"


def schermafdruk(page, naam: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pad = ARTEFACTS / f"{naam}.png"
    page.screenshot(path=str(pad), full_page=True)
    assert pad.stat().st_size > 10_000
    return pad


# ------------------------------------------------------------------ access, without a browser

def test_who_may_see_what_and_an_unknown_token_gets_the_login_page(system, fa):
    r = fa.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/inloggen"
    cases = [
        ("/dashboard/gemeenten/0632", {"Authorization": "Bearer nope"}, 401, "Onbekende of ingetrokken token"),
        ("/dashboard/gemeenten/0632", {"Authorization": "Basic dXNlcjpwYXNz"}, 401, "Onbekende of ingetrokken token"),
        ("/dashboard/gemeenten/0632", {"Cookie": "backoffice_dashboard=nope"}, 401, "Onbekende of ingetrokken token"),
        ("/dashboard/gemeenten/0632", PROVIDER, 403, "voor gemeenten en de controller"),
        ("/dashboard/gemeenten/1904", WOERDEN, 403, "alleen de gegevens van Woerden"),
        ("/dashboard/regio", WOERDEN, 403, "voor de controller van de regio"),
        ("/dashboard/gemeenten/9999", CONTROLLER, 404, "hoort niet bij regio Utrecht West"),
        ("/dashboard/declaraties/geen-id", WOERDEN, 404, "Geen beoordeelde declaratie"),
        (f"/dashboard/declaraties/{uuid.uuid4()}", CONTROLLER, 404, "Geen beoordeelde declaratie"),
    ]
    for path, headers, status, tekst in cases:
        r = fa.get(path, headers=headers, follow_redirects=False)
        assert r.status_code == status and tekst in r.text, f"{path} {headers}: {r.status_code}"
        assert r.headers["content-type"].startswith("text/html")
        assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script at all
    r = fa.post("/dashboard/inloggen", data={"token": "demo-gemeente-0632"},
                headers={"Origin": "http://elders.example"}, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    r = fa.post("/dashboard/inloggen", data={"token": "demo-gemeente-0632"}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/dashboard" in cookie
    assert not [p for p in api(fa, "/openapi.json")["paths"] if p.startswith("/dashboard")]


# ------------------------------------------------------------------ the municipality's page in Chromium

def test_woerdens_page_shows_the_ledgers_numbers(system, demo, fa, chromium):
    base = system.urls["facturatie"]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{base}/dashboard")
    assert page.url.endswith("/dashboard/inloggen")
    page.fill("#token", "verkeerd")
    page.click("button[type=submit]")
    assert "Onbekende of ingetrokken token" in page.inner_text("[data-melding]")
    page.fill("#token", "demo-gemeente-0632")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/gemeenten/0632")
    assert "Woerden" in page.inner_text("h1")

    def cent(selector: str, attr: str = "data-cent") -> int:
        return int(page.get_attribute(selector, attr))

    # This month (all of it booked today): approved = the expense accounts, withheld beyond the ceiling.
    saldi = {f"{x['domein']}:{x['code']}": x["saldo_cent"] for x in api(fa, "/v1/gemeenten/0632/saldi")["rekeningen"]}
    assert saldi == {"jw:kosten:45": 197000, "jw:kosten:54": 45000, "jw:crediteur:87654321": 0,
                     "jw:ingehouden:87654321": -42000, "jw:bank": -200000}
    assert cent("[data-maand=goedgekeurd]") == 242000 and page.inner_text("[data-maand=goedgekeurd]") == "€ 2.420,00"
    assert cent("[data-maand=ingehouden]") == 42000 and page.inner_text("[data-maand=ingehouden]") == "€ 420,00"
    assert page.get_attribute("[data-maand=afgekeurd]", "data-regels") == "1"
    assert page.inner_text("[data-maand=berichten]") == "3"
    for sleutel, bedrag in saldi.items():
        cel = f'[data-saldo="{sleutel}"]'
        assert cent(cel) == bedrag and page.inner_text(cel) == saldo(bedrag), sleutel
    assert page.inner_text('[data-saldo="jw:kosten:45"]') == "€ 1.970,00 D"

    budgetten = api(fa, "/v1/gemeenten/0632/budgetten?jaar=2026")
    assert budgetten["budgetten"] and not budgetten["zonder_budget"]
    for b in budgetten["budgetten"]:
        rij = f'[data-budget="{b["domein"]}:{b["categorie"]}"]'
        assert (cent(rij, "data-budget-cent"), cent(rij, "data-verbruikt-cent"), cent(rij, "data-prognose-cent")) == (
            b["budget_cent"], b["verbruikt_cent"], b["prognose_cent"]), rij
        cellen = page.locator(f"{rij} td.bedrag").all_inner_texts()
        assert cellen[:3] == [euro(b["budget_cent"]), euro(b["verbruikt_cent"]), euro(b["prognose_cent"])], rij
    assert page.locator("svg.grafiek g[data-staaf]").count() == len(budgetten["budgetten"])

    (plafond,) = api(fa, "/v1/gemeenten/0632/bestedingsruimte?jaar=2026")["plafonds"]
    rij = '[data-plafond="jw:87654321"]'
    assert (cent(rij, "data-plafond-cent"), cent(rij, "data-betaalbaar-cent"), cent(rij, "data-ingehouden-cent")) == (
        plafond["plafond_cent"], plafond["betaalbaar_cent"], plafond["ingehouden_cent"]) == (200000, 200000, 42000)

    (run,) = api(fa, "/v1/gemeenten/0632/betaalruns")["betaalruns"]
    assert cent(f'[data-betaalrun="{run["id"]}"]', "data-totaal-cent") == run["totaal_cent"] == 200000
    assert euro(200000) in page.inner_text(f'[data-betaalrun="{run["id"]}"]')

    # Rejections ranked, from the verdicts: the tariff line and the reused Identificatie.
    redenen = page.locator("[data-redenen=maand] tr[data-retourcode]")
    assert sorted(zip(redenen.evaluate_all("rs => rs.map(r => r.dataset.retourcode)"),
                      redenen.evaluate_all("rs => rs.map(r => r.dataset.aantal)"))) == [("0611", "1"), ("9056", "1")]
    assert "Tarief wijkt af van het contracttarief" in page.inner_text("[data-redenen=maand]")

    # 325 turnaround from berichtenverkeer: three 323s, each answered the day it came in.
    assert page.get_attribute("[data-beantwoord]", "data-beantwoord") == "3"
    assert page.get_attribute("[data-op-tijd]", "data-op-tijd") == "3"
    assert page.inner_text("[data-op-tijd]") == "100%" and page.inner_text("[data-mediaan]") == "0 werkdagen"
    assert page.get_attribute("[data-open-termijnen]", "data-open-termijnen") == "0"
    assert page.locator("[data-niet-beschikbaar]").count() == 0

    zonder_bsn(page.content(), "Woerden's page")
    schermafdruk(page, "gemeente-0632")

    # The example declaration: its verdict, its bookings and its timeline with a link to each step's trace.
    page.click(f'[data-declaratie="{demo["voorbeeld"]}"] a')
    page.wait_for_url(f"**/dashboard/declaraties/{demo['voorbeeld']}")
    assert "D202604001" in page.inner_text("h1")
    assert cent("[data-geboekt-cent]", "data-geboekt-cent") == 118200 - 98500 + 78800 + 45000
    stappen = page.locator("[data-tijdlijn] tr[data-stap]").evaluate_all("rs => rs.map(r => r.dataset.stap)")
    # Booking and the 325 follow the verdict in parallel (facturatie, berichtenverkeer): either may come first.
    assert stappen[0] == "ontvangen" and sorted(stappen[1:]) == ["beantwoord", "beoordeeld", "geboekt"]
    links = page.locator("[data-tijdlijn] a[data-trace]")
    assert links.count() == len(stappen)
    trace_id = links.first.get_attribute("data-trace")
    assert links.first.get_attribute("href") == TRACE_UI.replace("{trace_id}", trace_id) and len(trace_id) == 32
    assert page.locator("[data-post]").count() == 4
    assert "TR418" in page.inner_text("[data-redenen=declaratie]")
    zonder_bsn(page.content(), "the declaration page")
    schermafdruk(page, "declaratie-voorbeeld")

    page.click("form.uit button")
    page.wait_for_url("**/dashboard/inloggen")
    page.goto(f"{base}/dashboard/gemeenten/0632")
    assert page.url.endswith("/dashboard/inloggen")  # logged out: the cookie is gone
    context.close()


# ------------------------------------------------------------------ the region, for the controller

def test_the_controller_sees_the_region_and_its_policy_targets(system, demo, fa, chromium):
    base = system.urls["facturatie"]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{base}/dashboard/inloggen")
    page.fill("#token", "demo-regio-controller")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/regio")

    for cbs in ("0632", "1904", "0335"):
        b = api(fa, f"/v1/gemeenten/{cbs}/budgetten?jaar=2026", CONTROLLER)["budgetten"]
        rij = f'[data-gemeente="{cbs}"]'
        assert int(page.get_attribute(rij, "data-budget-cent")) == sum(x["budget_cent"] for x in b)
        assert int(page.get_attribute(rij, "data-verbruikt-cent")) == sum(x["verbruikt_cent"] for x in b)
        assert int(page.get_attribute(rij, "data-prognose-cent")) == sum(x["prognose_cent"] for x in b)
    maand = '[data-gemeente-maand="0632"]'
    assert page.get_attribute(maand, "data-goedgekeurd-cent") == "242000"
    assert page.get_attribute(maand, "data-ingehouden-cent") == "42000"
    assert page.locator(f"{maand} td").all_inner_texts()[1:5] == ["€ 2.420,00", "€ 420,00", "1", "1"]
    assert page.locator(f"{maand} td").all_inner_texts()[5:] == ["100%", "0"]  # 325s in time, open deadlines
    # Every approved euro went to a regionally contracted provider; there is no last year to compare with.
    doel = '[data-doel="aandeel_regionaal:jw"]'
    assert page.inner_text(f"{doel} [data-waarde]") == "100%" and "gehaald" in page.inner_text(doel)
    assert page.locator("[data-doel]").count() == 3
    assert page.locator("svg.grafiek g[data-staaf]").count() == 5
    zonder_bsn(page.content(), "the region page")
    schermafdruk(page, "regio")

    # The controller may read Woerden's page; the gateway shows a timeline only to the message's parties.
    page.goto(f"{base}/dashboard/declaraties/{demo['voorbeeld']}")
    assert "Tijdlijn niet beschikbaar" in page.inner_text("[data-niet-beschikbaar]")
    context.close()


# ------------------------------------------------------------------ without berichtenverkeer

def test_without_berichtenverkeer_the_pages_say_so_and_still_show_the_ledger(system, demo, fa):
    proc = system.procs["berichtenverkeer"]
    os.killpg(proc.pid, 15)
    proc.wait(15)
    r = fa.get("/dashboard/gemeenten/0632", headers=WOERDEN)
    assert r.status_code == 200
    assert "Doorlooptijd 325 niet beschikbaar" in r.text and "berichtenverkeer is niet bereikbaar" in r.text
    assert 'data-cent="242000"' in r.text
    r = fa.get(f"/dashboard/declaraties/{demo['voorbeeld']}", headers=WOERDEN)
    assert r.status_code == 200 and "Tijdlijn niet beschikbaar" in r.text
    r = fa.get("/dashboard/regio", headers=CONTROLLER)
    assert r.status_code == 200 and r.text.count('data-niet-beschikbaar="termijnen"') == 5
