"""What every service refuses before a route runs: a body past its limit (declared or counted as it streams), a body
from a caller without credentials, and the operations routes without the operators' token."""

from __future__ import annotations

import base64

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from shared.platform.config import Settings
from shared.platform.regio import hash_token
from shared.platform.service import create_service_app
from tools.checkout import DEFAULT_REGIO

LIMIT = 4096
OPERATOR_TOKEN = "operators-own-token-for-the-test"


class Verzoek(BaseModel):
    tekst: str


def client(*, operator_token_sha256: str | None = None) -> tuple[TestClient, list[str]]:
    """A service app (no lifespan: no broker or database) with a JSON route that records what reached it."""
    settings = Settings(service="proef", kafka_bootstrap_servers="127.0.0.1:1", database_url="postgresql://x/y",
                        regio_config=DEFAULT_REGIO, host="127.0.0.1", port=1,
                        operator_token_sha256=operator_token_sha256)
    bereikt: list[str] = []

    def configure(app, runtime):
        @app.post("/json")
        async def json_route(verzoek: Verzoek) -> dict:
            bereikt.append(verzoek.tekst[:10])
            return {"lengte": len(verzoek.tekst)}

        @app.post("/inloggen")
        async def login(request: Request) -> dict:
            bereikt.append("inloggen")
            return {"gelezen": len(await request.body())}

    app = create_service_app(settings, description="", migrations_dir=DEFAULT_REGIO.parent, configure=configure,
                             max_body_bytes=LIMIT, open_body_paths=frozenset({"/inloggen"}))
    return TestClient(app, raise_server_exceptions=False), bereikt


AUTH = {"authorization": "Bearer iets"}


def body_of(n: int) -> bytes:
    """A JSON body of exactly n bytes."""
    return b'{"tekst": "' + b"x" * (n - 13) + b'"}'


@pytest.mark.parametrize("n, status", [(LIMIT, 200), (LIMIT + 1, 413)])
def test_a_body_at_the_limit_is_read_and_one_byte_more_is_refused_unread(n, status):
    c, bereikt = client()
    r = c.post("/json", content=body_of(n), headers=AUTH | {"content-type": "application/json"})
    assert r.status_code == status
    assert bereikt == ([] if status == 413 else ["x" * 10])
    if status == 413:
        assert "larger than 4 KB" in r.json()["error"]


def test_a_streamed_body_without_length_is_cut_off_at_the_limit():
    c, bereikt = client()

    def chunks():
        yield b'{"tekst": "'
        for _ in range(100):
            yield b"x" * 1000  # never sent whole: the limit stops it at the fifth chunk

    r = c.post("/json", content=chunks(), headers=AUTH | {"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["error"] and bereikt == []


@pytest.mark.parametrize("length", ["abc", "-1", "1e9"])
def test_a_content_length_that_is_not_a_number_is_a_400(length):
    c, bereikt = client()
    r = c.post("/json", content=b"{}", headers=AUTH | {"content-type": "application/json", "content-length": length})
    assert r.status_code == 400 and bereikt == []


def test_a_body_without_credentials_is_refused_before_it_is_read_even_when_huge():
    c, bereikt = client()
    # Declared 200 MB: answered from the headers alone, the 401 before the 413.
    r = c.post("/json", content=b"{}", headers={"content-type": "application/json", "content-length": str(200 << 20)})
    assert r.status_code == 401 and "credentials come before a request body" in r.json()["error"] and bereikt == []
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_login_form_takes_a_body_without_credentials_within_the_limit():
    c, bereikt = client()
    assert c.post("/inloggen", content=b"token=abc").json() == {"gelezen": 9}
    assert c.post("/inloggen", content=b"t" * (LIMIT + 1)).status_code == 413
    assert bereikt == ["inloggen"]


def test_a_request_without_a_body_needs_no_credentials_here():
    c, _ = client()
    assert c.get("/health").status_code != 401  # no database in this test: 503, but not refused for credentials


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/openapi.json", "/redoc"])
def test_operations_routes_are_open_only_without_an_operator_token_configured(path):
    open_client, _ = client()
    assert open_client.get(path).status_code == 200
    closed, _ = client(operator_token_sha256=hash_token(OPERATOR_TOKEN))
    refused = closed.get(path)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
    for wrong in ("Bearer " + OPERATOR_TOKEN[:-1], "Bearer demo-regio-controller", "Basic !!!",
                  "Basic " + base64.b64encode(b"operator:fout").decode()):
        assert closed.get(path, headers={"authorization": wrong}).status_code == 401
    assert closed.get(path, headers={"authorization": f"Bearer {OPERATOR_TOKEN}"}).status_code == 200
    basic = base64.b64encode(f"wie-dan-ook:{OPERATOR_TOKEN}".encode()).decode()
    assert closed.get(path, headers={"authorization": f"Basic {basic}"}).status_code == 200
