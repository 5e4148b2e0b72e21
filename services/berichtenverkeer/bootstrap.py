"""berichtenverkeer: the gateway for providers and municipalities: iJw/iWmo 3.2 XML in and out, archive,
lifecycle and timeline of every message."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.platform.config import Settings
from shared.platform.service import Runtime, create_service_app

from .entrypoints import consumers, http

DEFAULT_PORT = 8001


def create_app(settings: Settings | None = None) -> FastAPI:
    def configure(app: FastAPI, rt: Runtime) -> None:
        consumers.register(rt)
        app.include_router(http.router(rt))

    return create_service_app(settings or Settings.from_env("berichtenverkeer", DEFAULT_PORT), description=__doc__,
                              migrations_dir=Path(__file__).parent / "migrations", configure=configure)
