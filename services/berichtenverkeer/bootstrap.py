"""The one place that wires berichtenverkeer: settings, region, database pool, unit of work, clock, the client of
declaratie's pre-check, the rate limit, Kafka subscribers, HTTP routes and the /metrics and /health hooks. A commit
that added outbox rows wakes the relay, so no entrypoint has to."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import FastAPI

from shared.istandaard import MAX_BERICHT_BYTES
from shared.kalender import SYSTEEMKLOK
from shared.platform.config import Settings
from shared.platform.deadletter import dead_letter_on_invalid
from shared.platform.ratelimit import PostgresRateLimiter
from shared.platform.service import Runtime, create_service_app

from .adapters.declaratie_client import DeclaratieClient
from .adapters.unit_of_work import unit_of_work_fabriek
from .domain.fouten import Geweigerd
from .entrypoints import consumers, http, operations
from .entrypoints.diensten import Diensten

DEFAULT_PORT = 8001
DESCRIPTION = """berichtenverkeer: the gateway for providers and municipalities: iJw/iWmo 3.2 XML in and out, archive,
lifecycle and timeline of every message."""  # the API docs' description


def diensten(runtime: Runtime) -> Diensten:
    per_seconde = runtime.settings.rate_limit_per_partij
    # The pool exists only once the app has started: looked up per unit of work, not at wiring time.
    burst = max(1, int(5 * per_seconde))  # five seconds' worth
    return Diensten(uow=unit_of_work_fabriek(runtime.db, on_publish=runtime.kick_relay), regio=runtime.regio,
                    klok=SYSTEEMKLOK, beoordelaar=DeclaratieClient(runtime.settings.declaratie_url,
                                                                runtime.settings.intern_token),
                    limiet=PostgresRateLimiter(runtime.db, per_seconde, burst))


def create_app(settings: Settings | None = None) -> FastAPI:
    def configure(app: FastAPI, runtime: Runtime) -> None:
        d = diensten(runtime)
        consumers.register(runtime.broker, d, dead_letters=functools.partial(dead_letter_on_invalid, runtime))
        runtime.scrape_hooks.append(operations.gauge_open_termijnen(runtime.registry, d.uow, d.klok))
        runtime.health_hooks.append(operations.uitgaand_in_health(d.uow))
        app.state.diensten = d
        app.include_router(http.router)
        app.add_exception_handler(Geweigerd, http.geweigerd)

    return create_service_app(settings or Settings.from_env("berichtenverkeer", DEFAULT_PORT), description=DESCRIPTION,
                              migrations_dir=Path(__file__).parent / "migrations", configure=configure,
                              max_body_bytes=MAX_BERICHT_BYTES)  # a message or a ZIP batch: 25 MB (OP179)
