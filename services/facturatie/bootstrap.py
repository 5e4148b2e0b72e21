"""facturatie: per-municipality double-entry ledgers of approved declaration lines, the finance read API, and the
finance and control dashboard (/dashboard)."""

# The one place where facturatie is wired: settings and region, the unit of work on the pool (its commits wake
# the outbox relay), the clock, the gateway client and the SEPA file maker, then the Kafka subscriber and the HTTP
# routers, which get all of it as one `Diensten` (the routers from `app.state`).

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import FastAPI

from shared.kalender import SYSTEEMKLOK, Klok
from shared.platform.config import Settings
from shared.platform.deadletter import dead_letter_on_invalid
from shared.platform.service import Runtime, create_service_app

from .adapters.berichtenverkeer import BerichtenverkeerClient
from .adapters.sepa import pain001
from .adapters.unit_of_work import LEESFOUTEN, PostgresFacturatieUnitOfWork
from .domain.beoordelingsstatistiek import contractsoort_uit
from .entrypoints import consumers, dashboard, http
from .entrypoints.dashboard.weergave import omgeving
from .entrypoints.diensten import Diensten
from .service_layer.unit_of_work import FacturatieUnitOfWork

DEFAULT_PORT = 8003
MIGRATIONS = Path(__file__).parent / "migrations"
# facturatie takes small JSON requests (a payment run, a cost to share) and the dashboard's login form.
MAX_BODY_BYTES = 64 * 1024


def diensten(runtime: Runtime, klok: Klok) -> Diensten:
    def uow(*, readonly: bool = False) -> FacturatieUnitOfWork:
        return PostgresFacturatieUnitOfWork(runtime.db(), on_publish=runtime.kick_relay, readonly=readonly)

    return Diensten(
        regio=runtime.regio, klok=klok, uow=uow, betaalbestand=pain001, plafonds=runtime.regio.plafonds(),
        contractsoort=contractsoort_uit(runtime.regio),
        berichtenverkeer=functools.partial(BerichtenverkeerClient, runtime.settings.berichtenverkeer_url),
        sjablonen=omgeving(runtime.regio), trace_url=runtime.settings.trace_ui_url, storingen=LEESFOUTEN)


def create_app(settings: Settings | None = None, klok: Klok = SYSTEEMKLOK) -> FastAPI:
    settings = settings or Settings.from_env("facturatie", DEFAULT_PORT)

    def configure(app: FastAPI, runtime: Runtime) -> None:
        d = diensten(runtime, klok)
        app.state.diensten = d
        consumers.register(runtime.broker, functools.partial(dead_letter_on_invalid, runtime), d)
        app.include_router(http.router)
        app.include_router(dashboard.router)  # HTML for finance and control, not in the OpenAPI

    return create_service_app(settings, description=__doc__ or "", migrations_dir=MIGRATIONS, configure=configure,
                              max_body_bytes=MAX_BODY_BYTES, open_body_paths=frozenset({"/dashboard/inloggen"}))
