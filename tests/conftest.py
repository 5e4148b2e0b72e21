"""Shared fixtures. Integration tests use real Kafka and PostgreSQL, found by the ladder:
KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL from the environment → local processes started here →
testcontainers when a Docker engine answers. They are never skipped: no infrastructure is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from pathlib import Path

import pytest

from shared.istandaard import HUIDIGE

# The release's example messages (§13 and one per message type), shipped in the standard's package: the demo sends
# them too.
FIXTURES = HUIDIGE.voorbeelden


def pytest_sessionfinish(session, exitstatus):
    # CI must not pass on skipped tests: a skipped integration test proves nothing.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped:
        print(f"\n{skipped} test(s) were skipped; CI requires every test to run")
        session.exitstatus = 1


def fake_and_real(fake, real, real_id: str = "postgres", fake_id: str = "fake") -> list:
    """The params of a contract suite's fixture: the in-memory fake, and the real implementation, which needs
    infrastructure and is therefore marked integration (so `make unit` runs only the fake)."""
    return [pytest.param(fake, id=fake_id),
            pytest.param(real, id=real_id, marks=pytest.mark.integration)]


@pytest.fixture(scope="session")
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def infra():
    from tools.localinfra import InfraError, start_infra

    try:
        started = start_infra(announce=lambda msg: print(f"[infra] {msg}"))
    except InfraError as local_failure:
        if not _docker_answers():
            raise
        started = _testcontainers_infra(local_failure)
    yield started
    started.stop()


def _testcontainers_infra(reason: Exception):
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    from tools.localinfra import Infra

    print(f"[infra] local start failed ({reason}); using testcontainers")
    pg = PostgresContainer("postgres:15").start()
    kafka = KafkaContainer().with_kraft().start()

    class _Stop:
        def __init__(self, c):
            self.c = c

        def stop(self):
            self.c.stop()

    return Infra(kafka_bootstrap_servers=kafka.get_bootstrap_server(),
                 database_url=pg.get_connection_url(driver=None), started=[_Stop(pg), _Stop(kafka)])


@contextlib.asynccontextmanager
async def schema_pool(infra, service: str, migrations: Path):
    """A pool on a fresh schema of the service with its migrations applied: tests on real PostgreSQL never
    share state."""
    from shared.platform.db import create_pool, migrate

    schema = f"{service}_t{uuid.uuid4().hex[:8]}"
    pool = await create_pool(infra.database_url, schema, max_size=8)
    try:
        await migrate(pool, schema, migrations)
        yield pool
    finally:
        await pool.close()


def fresh_database(infra, prefix: str) -> str:
    """The URL of a new, empty database on the test cluster: a module whose services run on it meets nobody else's
    messages, registers or ledgers."""
    naam = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def create():
        import asyncpg

        conn = await asyncpg.connect(infra.database_url)
        try:
            await conn.execute(f'CREATE DATABASE "{naam}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return f"{infra.database_url.rpartition('/')[0]}/{naam}"
