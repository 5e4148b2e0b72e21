"""facturatie: per-municipality double-entry ledgers of approved declaration lines, the finance read API, and the
finance and control dashboard (/dashboard)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.platform.config import Settings
from shared.platform.service import Runtime, create_service_app

from .entrypoints import consumers, dashboard, http

DEFAULT_PORT = 8003


def create_app(settings: Settings | None = None) -> FastAPI:
    def configure(app: FastAPI, rt: Runtime) -> None:
        consumers.register(rt)
        app.include_router(http.router(rt))
        app.include_router(dashboard.router(rt))  # HTML for finance and control, not in the OpenAPI

    return create_service_app(settings or Settings.from_env("facturatie", DEFAULT_PORT), description=__doc__,
                              migrations_dir=Path(__file__).parent / "migrations", configure=configure)
