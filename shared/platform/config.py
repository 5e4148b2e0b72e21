"""Service configuration: environment variables only (12-factor), with errors that say what to set."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from shared.platform.kafka_connection import DEFAULT_MECHANISM, KafkaConnection, KafkaConnectionError
from shared.platform.productie import DEMO_INTERN_TOKEN, MODES, bezwaren, bezwaren_databaserollen
from shared.platform.regio import load_regio


class ConfigError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    service: str
    kafka_bootstrap_servers: str
    database_url: str = field(repr=False)  # holds the role's password
    regio_config: Path
    host: str
    port: int
    # BACKOFFICE_ENV: "production" refuses demo tokens and default secrets at start (shared.platform.productie);
    # "demo" (what `backoffice run` and the tests set) allows them and says so.
    omgeving: str = "demo"
    # Key of the BSN pseudonyms in the registers (shared.bsn.sleutel). The default is for local runs only;
    # production sets its own secret and keeps it as long as the registers live.
    bsn_sleutel: bytes = b"lokaal-ontwikkelgeheim-niet-voor-productie"
    # Kafka consumers per process, each with its own partitions (more than the topic's partitions is useless).
    consumer_workers: int = 6
    # Where the gateway asks declaratie for a pre-check (POST /v1/declaraties/proef); internal network only.
    declaratie_url: str = "http://127.0.0.1:8002"
    # Where facturatie's dashboard reads a declaration's timeline (the gateway); internal network only.
    berichtenverkeer_url: str = "http://127.0.0.1:8001"
    # A trace viewer's URL with {trace_id} (e.g. http://localhost:16686/trace/{trace_id}); no trace links when unset.
    trace_ui_url: str | None = None
    # Gateway requests per second per party (burst: five seconds' worth); 0 switches the limit off.
    rate_limit_per_partij: float = 20.0
    # The secret the services present to each other's internal routes (declaratie's /intern/v1). The default is the
    # demo's; production refuses it (shared.platform.productie).
    intern_token: str = DEMO_INTERN_TOKEN
    # sha256 of the operators' token for /metrics and /docs (Bearer, or Basic with the token as password). Unset: open,
    # which only the demo allows.
    operator_token_sha256: str | None = None
    # The schema's owner role, which makes the schema and runs the migrations over one short-lived connection; the
    # pool then runs as DATABASE_URL's runtime role with DML only (ADR 0042). Unset: DATABASE_URL does both.
    migration_database_url: str | None = field(default=None, repr=False)
    # SASL/SCRAM on Kafka: this service's principal (KAFKA_SASL_USERNAME/PASSWORD/MECHANISM). Unset: PLAINTEXT, which
    # only the demo allows. The broker's ACLs (shared.platform.kafka_acl) decide what the principal may do.
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = field(default=None, repr=False)
    kafka_sasl_mechanism: str = DEFAULT_MECHANISM

    @property
    def kafka(self) -> KafkaConnection:
        return KafkaConnection(self.kafka_bootstrap_servers, self.kafka_sasl_username, self.kafka_sasl_password,
                               self.kafka_sasl_mechanism)

    @classmethod
    def from_env(cls, service: str, default_port: int) -> Settings:
        required = ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "REGIO_CONFIG", "BACKOFFICE_ENV")
        missing = [n for n in required if not os.environ.get(n)]
        if missing:
            raise ConfigError(
                f"{service}: set {', '.join(missing)}"
                + ("; BACKOFFICE_ENV is production, or demo for a demo that allows its tokens and default keys"
                   if "BACKOFFICE_ENV" in missing else "")
                + " (or start everything with `backoffice run`, which starts local Kafka and PostgreSQL for you)"
            )
        port_var = f"{service.upper()}_PORT"
        raw_port = os.environ.get(port_var) or os.environ.get("PORT") or str(default_port)
        if not raw_port.isdigit():
            raise ConfigError(f"{service}: {port_var}/PORT must be a number, got {raw_port!r}")
        workers = os.environ.get("CONSUMER_WORKERS", "6")
        if not workers.isdigit() or int(workers) < 1:
            raise ConfigError(f"{service}: CONSUMER_WORKERS must be a whole number ≥ 1, got {workers!r}")
        rate = os.environ.get("RATE_LIMIT_PER_PARTIJ", "20")
        try:
            rate_limit = float(rate)
            if rate_limit < 0:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{service}: RATE_LIMIT_PER_PARTIJ must be requests per second ≥ 0 (0 = off), "
                              f"got {rate!r}") from None
        omgeving = os.environ["BACKOFFICE_ENV"]
        if omgeving not in MODES:
            raise ConfigError(f"{service}: BACKOFFICE_ENV must be one of {', '.join(MODES)}, got {omgeving!r}")
        kafka = _kafka_from_env(service)
        settings = cls(
            service=service,
            kafka_sasl_username=kafka.username, kafka_sasl_password=kafka.password,
            kafka_sasl_mechanism=kafka.mechanism,
            omgeving=omgeving,
            rate_limit_per_partij=rate_limit,
            consumer_workers=int(workers),
            declaratie_url=os.environ.get("DECLARATIE_URL") or "http://127.0.0.1:8002",
            berichtenverkeer_url=os.environ.get("BERICHTENVERKEER_URL") or "http://127.0.0.1:8001",
            trace_ui_url=os.environ.get("TRACE_UI_URL") or None,
            intern_token=os.environ.get("INTERN_TOKEN") or DEMO_INTERN_TOKEN,
            operator_token_sha256=(os.environ.get("OPERATOR_TOKEN_SHA256") or "").strip().lower() or None,
            kafka_bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
            database_url=os.environ["DATABASE_URL"],
            migration_database_url=os.environ.get("MIGRATION_DATABASE_URL") or None,
            regio_config=Path(os.environ["REGIO_CONFIG"]),
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(raw_port),
            **({"bsn_sleutel": os.environ["BSN_SLEUTEL"].encode()} if os.environ.get("BSN_SLEUTEL") else {}),
        )
        if omgeving == "production":
            _refuse_what_production_may_not_run(settings, os.environ.get("BSN_SLEUTEL"))
        return settings


def _kafka_from_env(service: str) -> KafkaConnection:
    try:
        return KafkaConnection.from_env(os.environ)
    except KafkaConnectionError as exc:
        raise ConfigError(f"{service}: {exc}") from None


def _refuse_what_production_may_not_run(settings: Settings, bsn_sleutel: str | None) -> None:
    problems = bezwaren(regio=load_regio(settings.regio_config), database_url=settings.database_url,
                        bsn_sleutel=bsn_sleutel.encode() if bsn_sleutel else None,
                        kafka_authenticated=settings.kafka.authenticated, kafka_password=settings.kafka_sasl_password,
                        intern_token=settings.intern_token, operator_token_sha256=settings.operator_token_sha256)
    problems += bezwaren_databaserollen(settings.database_url, settings.migration_database_url)
    if problems:
        raise ConfigError(f"{settings.service}: refusing to start in production mode (BACKOFFICE_ENV=production):\n"
                          + "\n".join(f"  - {p}" for p in problems))
