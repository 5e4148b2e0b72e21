"""What facturatie's entrypoints need, wired once by `facturatie.bootstrap`: the Kafka subscriber gets it when it
is registered, the HTTP routes through the FastAPI dependency `diensten` (from `request.app.state`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from jinja2 import Environment

from shared.kalender import Klok
from shared.platform.regio import Regio

from ..domain.beoordelingsstatistiek import Contractsoort
from ..domain.grootboek import PlafondSleutel
from ..service_layer.ports import BerichtenverkeerVoor, Betaalbestandmaker
from ..service_layer.unit_of_work import UnitOfWorkFabriek


@dataclass(frozen=True)
class Diensten:
    regio: Regio
    klok: Klok  # "today" is a Dutch calendar day
    uow: UnitOfWorkFabriek
    betaalbestand: Betaalbestandmaker
    plafonds: dict[PlafondSleutel, int]  # the region's spending ceilings
    contractsoort: Contractsoort  # regional or local contract, for the statistics
    berichtenverkeer: BerichtenverkeerVoor  # the gateway, asked with the viewer's own token
    sjablonen: Environment  # the dashboard's templates
    trace_url: str | None  # e.g. http://localhost:16686/trace/{trace_id}; None: no links to traces
    storingen: tuple[type[Exception], ...]  # the database away or too slow: a page says so instead of a 500


def diensten(request: Request) -> Diensten:
    return request.app.state.diensten


DienstenDep = Annotated[Diensten, Depends(diensten)]
