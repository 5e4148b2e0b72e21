"""The one place that wires declaratie: settings, region, database pool, unit of work, Kafka subscriber and HTTP
routes. A commit that added outbox rows wakes the relay, so no entrypoint has to."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import FastAPI

from shared.platform.config import Settings
from shared.platform.deadletter import dead_letter_on_invalid
from shared.platform.events import MAX_EVENT_BYTES
from shared.platform.service import Runtime, create_service_app

from .adapters.unit_of_work import CONSUMER, PostgresDeclaratieUnitOfWork
from .entrypoints import consumers, http
from .entrypoints.diensten import Diensten

DEFAULT_PORT = 8002
DESCRIPTION = ("declaratie: judges every 323 line against contracts and allocations and produces the verdict for "
               "the 325.")


def maak_diensten(runtime: Runtime) -> Diensten:
    def uow(*, readonly: bool = False) -> PostgresDeclaratieUnitOfWork:
        # The pool exists only once the app has started: looked up per unit of work, not at wiring time.
        return PostgresDeclaratieUnitOfWork(runtime.db(), CONSUMER, on_publish=runtime.kick_relay, readonly=readonly)

    return Diensten(uow=uow, regio=runtime.regio, geheim=runtime.settings.bsn_sleutel,
                    intern_token=runtime.settings.intern_token)


def create_app(settings: Settings | None = None) -> FastAPI:
    def configure(app: FastAPI, runtime: Runtime) -> None:
        d = maak_diensten(runtime)
        consumers.register(runtime.broker, d, workers=runtime.settings.consumer_workers,
                           dead_letters=functools.partial(dead_letter_on_invalid, runtime))
        app.state.diensten = d
        app.include_router(http.router)

    return create_service_app(settings or Settings.from_env("declaratie", DEFAULT_PORT), description=DESCRIPTION,
                              migrations_dir=Path(__file__).parent / "migrations", configure=configure,
                              max_body_bytes=MAX_EVENT_BYTES)  # the pre-check's event of a 25 MB declaration
