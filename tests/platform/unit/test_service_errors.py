"""How every service's HTTP API answers failures it did not expect: an outage of the database or network is a
503 the client may retry; anything else a 500 that echoes nothing (it could hold message content)."""

import asyncpg
import pytest
from fastapi.testclient import TestClient

from shared.platform.config import Settings
from shared.platform.service import create_service_app
from tools.checkout import DEFAULT_REGIO


def app_raising(exc: Exception):
    settings = Settings(service="proef", kafka_bootstrap_servers="127.0.0.1:1", database_url="postgresql://x/y",
                        regio_config=DEFAULT_REGIO, host="127.0.0.1", port=1)

    def configure(app, runtime):
        @app.get("/boom")
        async def boom():
            raise exc

    # Without `with`, TestClient does not run the lifespan: no broker or database is needed.
    return TestClient(create_service_app(settings, description="", migrations_dir=DEFAULT_REGIO.parent,
                                         configure=configure, max_body_bytes=1024), raise_server_exceptions=False)


@pytest.mark.parametrize("exc", [asyncpg.CannotConnectNowError("the database system is shutting down"),
                                 asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
                                 asyncpg.AdminShutdownError("terminating connection"),
                                 ConnectionRefusedError(111, "refused"), TimeoutError()])
def test_an_outage_is_503_with_retry_after(exc):
    r = app_raising(exc).get("/boom")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert "retry" in r.json()["error"] and "same message again is safe" in r.json()["error"]


@pytest.mark.parametrize("exc", [ValueError("BSN 999990019 bad"), asyncpg.UniqueViolationError("dup 999990019"),
                                 KeyError("x")])
def test_anything_else_is_500_and_echoes_nothing(exc):
    r = app_raising(exc).get("/boom")
    assert r.status_code == 500 and "999990019" not in r.text and "Retry-After" not in r.headers
