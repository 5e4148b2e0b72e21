"""What declaratie's entrypoints need, wired once by `declaratie.bootstrap`: the Kafka subscribers get it when
they are registered, the HTTP routes read it from the app's state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from shared.platform.regio import Regio

from ..service_layer.unit_of_work import UnitOfWorkFabriek


@dataclass(frozen=True)
class Diensten:
    uow: UnitOfWorkFabriek
    regio: Regio
    geheim: bytes  # the key of the clients' pseudonyms (shared.bsn.sleutel)
    intern_token: str  # what the gateway presents to the internal routes


def diensten(request: Request) -> Diensten:
    """FastAPI dependency: the container bootstrap put on the app."""
    return request.app.state.diensten
