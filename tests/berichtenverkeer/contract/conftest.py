"""The two implementations of berichtenverkeer's unit of work the contract suites run against: the in-memory fake
and PostgreSQL on a fresh schema with the service's migrations (marked integration)."""

from __future__ import annotations

from pathlib import Path

import pytest

import berichtenverkeer
from berichtenverkeer.adapters.unit_of_work import unit_of_work_fabriek
from tests.berichtenverkeer.fakes import FakeFabriek
from tests.conftest import fake_and_real, schema_pool

MIGRATIONS = Path(berichtenverkeer.__file__).parent / "migrations"


@pytest.fixture(params=fake_and_real("fake", "postgres"))
async def fabriek(request):
    if request.param == "fake":
        yield FakeFabriek()
        return
    infra = request.getfixturevalue("infra")
    async with schema_pool(infra, "berichtenverkeer", MIGRATIONS) as pool:
        yield unit_of_work_fabriek(lambda: pool)
