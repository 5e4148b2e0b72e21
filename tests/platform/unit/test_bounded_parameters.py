"""Every integer a route takes from the URL of any service is bounded, so a huge number is a 400 and never reaches
the database (where it would overflow a bigint: a 500). Read from each service's OpenAPI, so a new route is covered
the day it is added."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from berichtenverkeer.bootstrap import create_app as berichtenverkeer_app
from declaratie.bootstrap import create_app as declaratie_app
from facturatie.bootstrap import create_app as facturatie_app
from shared.platform.config import Settings
from tools.checkout import DEFAULT_REGIO

HUGE = 10**20


def settings(service: str) -> Settings:
    return Settings(service=service, kafka_bootstrap_servers="127.0.0.1:1", database_url="postgresql://x/y",
                    regio_config=DEFAULT_REGIO, host="127.0.0.1", port=1)


APPS = {"berichtenverkeer": berichtenverkeer_app, "declaratie": declaratie_app, "facturatie": facturatie_app}


def integer_parameters() -> list[tuple[str, str, str, str, str]]:
    """(service, method, path, parameter, where) of every integer parameter."""
    found = []
    for service, make in APPS.items():
        for path, operations in make(settings(service)).openapi()["paths"].items():
            for method, operation in operations.items():
                for p in operation.get("parameters", []):
                    schema = p.get("schema", {})
                    types = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
                    if "integer" in types:
                        found.append((service, method, path, p["name"], p["in"]))
    return found


PARAMETERS = integer_parameters()


def test_the_services_have_integer_parameters_to_check():
    names = {(s, n) for s, _m, _p, n, _w in PARAMETERS}
    assert {("berichtenverkeer", "offset"), ("facturatie", "na_id"), ("facturatie", "run_id")} <= names


@pytest.mark.parametrize("service, method, path, name, where", PARAMETERS,
                         ids=[f"{s}:{m}:{p}:{n}" for s, m, p, n, _w in PARAMETERS])
def test_a_huge_integer_parameter_is_a_400(service, method, path, name, where):
    url = re.sub(r"\{[^}]+\}", lambda m: str(HUGE) if m.group(0) == f"{{{name}}}" else "0363", path)
    params = {name: str(HUGE)} if where == "query" else {}
    client = TestClient(APPS[service](settings(service)), raise_server_exceptions=False)
    r = client.request(method.upper(), url, params=params, headers={"authorization": "Bearer x"})
    assert r.status_code == 400, r.text
    assert any(p["path"].endswith(name) for p in r.json()["problems"])
