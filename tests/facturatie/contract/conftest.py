"""The fixture of facturatie's contract suites: each test runs on the in-memory unit of work and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import fake_and_real
from tests.facturatie.contract.harness import Harness, fake_harness, postgres_harness


@pytest.fixture(params=fake_and_real("fake", "postgres"))
async def h(request) -> AsyncIterator[Harness]:
    if request.param == "postgres":
        async with postgres_harness(request.getfixturevalue("infra")) as harness:
            yield harness
    else:
        async with fake_harness() as harness:
            yield harness
