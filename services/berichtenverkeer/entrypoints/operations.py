"""What operations read besides the API: the open-deadline gauge in /metrics and, in /health, the messages the back
office made and refused to send (a bug to fix; see the service log). Bootstrap adds both as the platform's hooks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from shared.kalender import Klok

from ..service_layer.termijnen import tel_open_termijnen
from ..service_layer.uitgaand import uitgaand_afgekeurd
from ..service_layer.unit_of_work import UnitOfWorkFabriek

HEALTH_TIMEOUT_S = 2.0  # /health must answer: the facts are extra, a slow database must not hold it up


def gauge_open_termijnen(registry: CollectorRegistry, uow: UnitOfWorkFabriek,
                         klok: Klok) -> Callable[[], Awaitable[None]]:
    """A scrape hook keeping `backoffice_termijnen_open{partij,verplichting,stand}` current."""
    gauge = Gauge("backoffice_termijnen_open", "Open obligations to answer a message, by standing of their deadline",
                  ["partij", "verplichting", "stand"], registry=registry)

    async def refresh() -> None:
        tellingen = await tel_open_termijnen(uow, klok)
        gauge.clear()
        for (partij, soort, stand), n in tellingen.items():
            gauge.labels(partij, soort, stand).set(n)

    return refresh


def uitgaand_in_health(uow: UnitOfWorkFabriek) -> Callable[[], Awaitable[dict[str, Any]]]:
    """A health hook: how many messages the back office refused to send, and the latest."""

    async def facts() -> dict[str, Any]:
        return await asyncio.wait_for(uitgaand_afgekeurd(uow), HEALTH_TIMEOUT_S)

    return facts
