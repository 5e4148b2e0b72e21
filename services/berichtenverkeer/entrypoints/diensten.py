"""What berichtenverkeer's entrypoints need, wired once by `berichtenverkeer.bootstrap`: the Kafka subscribers get
it when they are registered, the HTTP routes read it from the app's state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from shared.kalender import Klok
from shared.platform.ratelimit import Limiet
from shared.platform.regio import Regio

from ..service_layer.beoordelaar import Beoordelaar
from ..service_layer.unit_of_work import UnitOfWorkFabriek


@dataclass(frozen=True)
class Diensten:
    uow: UnitOfWorkFabriek
    regio: Regio
    klok: Klok
    beoordelaar: Beoordelaar  # declaratie, for the pre-check
    limiet: Limiet  # requests per party, across the replicas


def diensten(request: Request) -> Diensten:
    """FastAPI dependency: the container bootstrap put on the app."""
    return request.app.state.diensten
