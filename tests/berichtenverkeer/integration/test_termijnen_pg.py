"""Open obligations on real PostgreSQL: listed with their standing and counted in the metrics gauge."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

import berichtenverkeer
from berichtenverkeer.adapters.unit_of_work import unit_of_work_fabriek
from berichtenverkeer.domain.lifecycle import Status
from berichtenverkeer.domain.termijnen import Soort
from berichtenverkeer.entrypoints.operations import gauge_open_termijnen
from berichtenverkeer.service_layer.termijnen import overzicht
from berichtenverkeer.service_layer.unit_of_work import NieuwBericht
from shared.kalender import SYSTEEMKLOK, werkdagen_na
from tests.conftest import schema_pool

pytestmark = pytest.mark.integration
MIGRATIONS = Path(berichtenverkeer.__file__).parent / "migrations"


@pytest.fixture
async def fabriek(infra):
    async with schema_pool(infra, "berichtenverkeer", MIGRATIONS) as pool:
        yield unit_of_work_fabriek(lambda: pool)


async def bericht(uow, ontvanger="0632") -> uuid.UUID:
    bid = uuid.uuid4()
    await uow.berichten.add(NieuwBericht(id=bid, richting="in", domein="jw", berichttype="323", afzender="87654321",
                                         ontvanger=ontvanger, identificatie=f"D{bid.hex[:8]}", sha256=bid.hex,
                                         status=Status.ONTVANGEN, ontvangen_at=SYSTEEMKLOK.nu()))
    return bid


async def test_an_overdue_and_an_open_obligation_are_listed_and_counted(fabriek):
    dag = SYSTEEMKLOK.vandaag()
    async with fabriek() as uow:
        laat, open_, klaar = await bericht(uow), await bericht(uow), await bericht(uow)
        await uow.termijnen.add(laat, Soort.ANTWOORD_325, "0632", dag - dt.timedelta(days=30))
        await uow.termijnen.add(open_, Soort.ANTWOORD_325, "0632", werkdagen_na(dag, 5))
        await uow.termijnen.add(klaar, Soort.ANTWOORD_325, "0632", werkdagen_na(dag, 5))
        await uow.termijnen.fulfil(klaar, Soort.ANTWOORD_325, await bericht(uow), SYSTEEMKLOK.nu())
        await uow.termijnen.add(await bericht(uow, "1904"), Soort.ANTWOORD_325, "1904", dag)
        await uow.commit()
    body = await overzicht(fabriek, SYSTEEMKLOK, "0632", alleen_open=True)
    assert [(v["bericht_id"], v["stand"]) for v in body["verplichtingen"]] == [(str(laat), "verlopen"),
                                                                             (str(open_), "op_tijd")]
    assert body["verplichtingen"][0]["werkdagen_over"] < -15 and body["verplichtingen"][1]["werkdagen_over"] == 5
    assert body["totalen"] == {"verlopen": 1, "op_tijd": 1}
    alles = await overzicht(fabriek, SYSTEEMKLOK, "0632", alleen_open=False)
    assert {v["stand"] for v in alles["verplichtingen"]} == {"verlopen", "op_tijd", "vervuld"}

    registry = CollectorRegistry()
    await gauge_open_termijnen(registry, fabriek, SYSTEEMKLOK)()
    value = registry.get_sample_value
    assert value("backoffice_termijnen_open", {"partij": "0632", "verplichting": "325", "stand": "verlopen"}) == 1
    assert value("backoffice_termijnen_open", {"partij": "0632", "verplichting": "325", "stand": "op_tijd"}) == 1
    assert value("backoffice_termijnen_open", {"partij": "1904", "verplichting": "325",
                                               "stand": "bijna_verlopen"}) == 1
