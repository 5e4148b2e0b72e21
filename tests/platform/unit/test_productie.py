"""Production mode refuses anything a demo needs: each check at its boundary, and the service refusing to start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from shared.platform.config import ConfigError, Settings
from shared.platform.productie import (
    DEMO_INTERN_TOKEN,
    MIN_BSN_SLEUTEL_BYTES,
    MIN_INTERN_TOKEN_CHARS,
    bezwaren,
    bezwaren_databaserol,
    bezwaren_databaserollen,
    demo_tokens,
)
from shared.platform.regio import hash_token, load_regio
from tools.checkout import DEFAULT_REGIO, PROJECT_ROOT

DEMO = load_regio(DEFAULT_REGIO)
GOED_WACHTWOORD = "postgresql://declaratie:Zr7-hT2q-x9Lw@db:5432/backoffice"
GOEDE_EIGENAAR = "postgresql://declaratie_owner:Qm4-uV8w-p3Kd@db:5432/backoffice"
GOEDE_SLEUTEL = secrets.token_bytes(MIN_BSN_SLEUTEL_BYTES)
GOED_INTERN = secrets.token_urlsafe(MIN_INTERN_TOKEN_CHARS)
GOED_OPERATOR = hash_token(secrets.token_urlsafe(32))
GOED_KAFKA = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def eigen_regio(tmp_path_factory):
    """The demo region with every demo token hash replaced by that of a random token."""
    text = DEFAULT_REGIO.read_text()
    for digest in demo_tokens(DEMO):
        text = text.replace(digest, hash_token(secrets.token_urlsafe(32)))
    path = tmp_path_factory.mktemp("regio") / "regio.yaml"
    path.write_text(text)
    return load_regio(path), path


def check(regio, *, sleutel=GOEDE_SLEUTEL, url=GOED_WACHTWOORD, kafka=True, kafka_password=GOED_KAFKA,
          intern=GOED_INTERN, operator=GOED_OPERATOR) -> list[str]:
    return bezwaren(regio=regio, bsn_sleutel=sleutel, database_url=url, kafka_authenticated=kafka,
                    kafka_password=kafka_password if kafka else None, intern_token=intern,
                    operator_token_sha256=operator)


def test_a_configuration_with_its_own_secrets_may_run(eigen_regio):
    assert check(eigen_regio[0]) == []


def test_demo_tokens_in_the_region_file_are_refused_naming_the_parties_not_the_tokens():
    [bezwaar] = check(DEMO)
    assert "demo tokens" in bezwaar and "municipality 0632" in bezwaar and "more" in bezwaar
    assert "demo-gemeente" not in bezwaar


def test_one_demo_token_left_is_enough_to_refuse(eigen_regio):
    _, path = eigen_regio
    one_left = path.read_text().replace(path.read_text().split("token_sha256: [")[1][:66].strip('"'),
                                        hash_token("demo-aanbieder-87654321"), 1)
    alt = path.with_name("een-over.yaml")
    alt.write_text(one_left)
    [bezwaar] = check(load_regio(alt))
    assert "demo tokens" in bezwaar


@pytest.mark.parametrize("sleutel, fout", [
    (None, "not set"),
    (b"lokaal-ontwikkelgeheim-niet-voor-productie", "known default"),
    (b"change-me-in-production", "known default"),
    (b"x" * (MIN_BSN_SLEUTEL_BYTES - 1), f"{MIN_BSN_SLEUTEL_BYTES - 1} bytes"),
])
def test_a_missing_default_or_short_bsn_key_is_refused(eigen_regio, sleutel, fout):
    [bezwaar] = check(eigen_regio[0], sleutel=sleutel)
    assert "BSN_SLEUTEL" in bezwaar and fout in bezwaar


def test_a_bsn_key_of_exactly_the_minimum_length_is_accepted(eigen_regio):
    assert check(eigen_regio[0], sleutel=b"k" * MIN_BSN_SLEUTEL_BYTES) == []


@pytest.mark.parametrize("url", ["postgresql://backoffice:backoffice@postgres:5432/backoffice",
                                 "postgresql://backoffice@postgres:5432/backoffice",
                                 "postgresql://postgres:postgres@db/x"])
def test_a_default_or_missing_database_password_is_refused_without_echoing_it(eigen_regio, url):
    [bezwaar] = check(eigen_regio[0], url=url)
    assert "database password" in bezwaar and "postgres:" not in bezwaar


def test_unauthenticated_kafka_is_refused_saying_what_to_set(eigen_regio):
    [bezwaar] = check(eigen_regio[0], kafka=False)
    assert "Kafka is not authenticated" in bezwaar
    assert "KAFKA_SASL_USERNAME" in bezwaar and "KAFKA_SASL_PASSWORD" in bezwaar and "SCRAM" in bezwaar


@pytest.mark.parametrize("password", ["admin", "change-me", "demo-kafka-declaratie-niet-voor-productie"])
def test_a_known_or_demo_kafka_password_is_refused_without_echoing_it(eigen_regio, password):
    [bezwaar] = check(eigen_regio[0], kafka_password=password)
    assert "KAFKA_SASL_PASSWORD" in bezwaar and password not in bezwaar


@pytest.mark.parametrize("intern, fout", [
    (DEMO_INTERN_TOKEN, "the demo's"),
    ("backoffice", "the demo's"),
    ("x" * (MIN_INTERN_TOKEN_CHARS - 1), f"{MIN_INTERN_TOKEN_CHARS - 1} characters"),
])
def test_the_demo_or_a_short_internal_token_is_refused(eigen_regio, intern, fout):
    [bezwaar] = check(eigen_regio[0], intern=intern)
    assert "INTERN_TOKEN" in bezwaar and fout in bezwaar and intern not in bezwaar


def test_an_internal_token_of_exactly_the_minimum_length_is_accepted(eigen_regio):
    assert check(eigen_regio[0], intern="i" * MIN_INTERN_TOKEN_CHARS) == []


@pytest.mark.parametrize("operator, fout", [(None, "would be open"), ("abc", "not a sha256"),
                                            (GOED_OPERATOR[:-1] + "g", "not a sha256")])
def test_open_operations_routes_or_a_malformed_operator_hash_are_refused(eigen_regio, operator, fout):
    [bezwaar] = check(eigen_regio[0], operator=operator)
    assert "OPERATOR_TOKEN_SHA256" in bezwaar and fout in bezwaar


def test_the_runtime_role_and_the_owner_are_two_roles_with_their_own_passwords():
    assert bezwaren_databaserollen(GOED_WACHTWOORD, GOEDE_EIGENAAR) == []
    [bezwaar] = bezwaren_databaserollen(GOED_WACHTWOORD, None)
    assert "MIGRATION_DATABASE_URL is not set" in bezwaar and "<service>_app" in bezwaar
    [bezwaar] = bezwaren_databaserollen(GOED_WACHTWOORD, GOED_WACHTWOORD.replace("Zr7", "Ab1"))
    assert "the same role" in bezwaar
    demo = "postgresql://declaratie_app:demo-db-declaratie-app@postgres:5432/backoffice"
    [bezwaar] = bezwaren_databaserollen(demo, GOEDE_EIGENAAR)
    assert "DATABASE_URL is the demo's" in bezwaar and "demo-db-declaratie-app" not in bezwaar
    [bezwaar] = bezwaren_databaserollen(GOED_WACHTWOORD, GOEDE_EIGENAAR.replace("Qm4-uV8w-p3Kd", "backoffice"))
    assert "MIGRATION_DATABASE_URL" in bezwaar and "backoffice@" not in bezwaar


@pytest.mark.parametrize("superuser, eigenaar, fout", [(True, False, "a superuser"), (True, True, "a superuser"),
                                                       (False, True, "owns (or may create) tables")])
def test_a_runtime_role_that_is_a_superuser_or_owns_its_tables_is_refused(superuser, eigenaar, fout):
    [bezwaar] = bezwaren_databaserol(rol="declaratie_app", superuser=superuser, eigenaar=eigenaar)
    assert fout in bezwaar and "declaratie_app" in bezwaar and "MIGRATION_DATABASE_URL" in bezwaar
    assert bezwaren_databaserol(rol="declaratie_app", superuser=False, eigenaar=False) == []


def test_a_runtime_role_with_powers_beyond_its_schema_is_refused_and_named():
    [bezwaar] = bezwaren_databaserol(rol="facturatie_app", superuser=False, eigenaar=False,
                                     rechten=["CREATEROLE", "pg_write_all_data"])
    assert "facturatie_app" in bezwaar and "CREATEROLE, pg_write_all_data" in bezwaar and "NOCREATEROLE" in bezwaar
    assert bezwaren_databaserol(rol="facturatie_app", superuser=False, eigenaar=False, rechten=[]) == []


def _env(**extra: str) -> dict[str, str]:
    return {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "DATABASE_URL": GOED_WACHTWOORD,
            "MIGRATION_DATABASE_URL": GOEDE_EIGENAAR,
            "REGIO_CONFIG": str(DEFAULT_REGIO), **extra}


def test_production_settings_list_every_objection_and_never_the_secrets(monkeypatch):
    for k, v in _env(BACKOFFICE_ENV="production", BSN_SLEUTEL="change-me-in-production").items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as e:
        Settings.from_env("declaratie", 8002)
    tekst = str(e.value)
    assert tekst.count("\n  - ") == 5  # demo tokens, the known key, Kafka, internal and operator tokens
    assert "change-me-in-production" not in tekst and "Zr7-hT2q" not in tekst
    assert "Kafka is not authenticated" in tekst


def test_production_accepts_kafka_with_a_scram_principal_of_its_own(monkeypatch):
    for k, v in _env(BACKOFFICE_ENV="production", BSN_SLEUTEL="change-me-in-production",
                     KAFKA_SASL_USERNAME="declaratie", KAFKA_SASL_PASSWORD=GOED_KAFKA).items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as e:
        Settings.from_env("declaratie", 8002)
    assert str(e.value).count("\n  - ") == 4 and "Kafka" not in str(e.value) and GOED_KAFKA not in str(e.value)


@pytest.mark.parametrize("extra, fout", [({"KAFKA_SASL_USERNAME": "declaratie"}, "set both KAFKA_SASL_USERNAME"),
                                         ({"KAFKA_SASL_PASSWORD": GOED_KAFKA}, "set both KAFKA_SASL_USERNAME"),
                                         ({"KAFKA_SASL_USERNAME": "d", "KAFKA_SASL_PASSWORD": GOED_KAFKA,
                                           "KAFKA_SASL_MECHANISM": "PLAIN"}, "must be one of SCRAM-SHA-512")])
def test_half_or_unknown_kafka_credentials_are_a_configuration_error(monkeypatch, extra, fout):
    for k, v in _env(BACKOFFICE_ENV="demo", **extra).items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError, match=fout) as e:
        Settings.from_env("declaratie", 8002)
    assert GOED_KAFKA not in str(e.value)


@pytest.mark.parametrize("waarde, fout", [(None, "BACKOFFICE_ENV is production, or demo"),
                                          ("prod", "must be one of demo, production")])
def test_the_mode_must_be_said_and_be_known(monkeypatch, waarde, fout):
    for k, v in _env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("BACKOFFICE_ENV", raising=False)
    if waarde:
        monkeypatch.setenv("BACKOFFICE_ENV", waarde)
    with pytest.raises(ConfigError, match=fout):
        Settings.from_env("facturatie", 8003)


def test_demo_mode_allows_the_demo(monkeypatch):
    for k, v in _env(BACKOFFICE_ENV="demo").items():
        monkeypatch.setenv(k, v)
    assert Settings.from_env("berichtenverkeer", 8001).omgeving == "demo"


@pytest.mark.parametrize("service", ["berichtenverkeer", "declaratie", "facturatie"])
def test_a_service_in_production_mode_with_demo_secrets_does_not_start(service):
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), **_env(BACKOFFICE_ENV="production")}
    r = subprocess.run([sys.executable, "-m", service], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2, r.stderr
    assert "refusing to start in production mode" in r.stderr and "BSN_SLEUTEL is not set" in r.stderr
    assert "Traceback" not in r.stderr
