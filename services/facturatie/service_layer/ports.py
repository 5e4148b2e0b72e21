"""Ports to what lies outside facturatie's own database: berichtenverkeer (the gateway, for what the dashboard
shows but facturatie does not keep) and the maker of SEPA payment files. Adapters: `facturatie.adapters`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self

from shared.platform.regio import Aanbieder, Gemeente

from ..domain.betaalrun import Betaling


@dataclass(frozen=True)
class Antwoord:
    """berichtenverkeer's answer, or why there is none."""

    data: dict[str, Any] | None
    fout: str | None = None  # Dutch, for the page; None when data is there


class Berichtenverkeer(Protocol):
    """The gateway, asked with the viewer's own token (so it decides what that viewer may see). Never raises for
    an unreachable, slow or refusing gateway: the `Antwoord` says why. Use as `async with`."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def termijnen(self, cbs: str) -> Antwoord:
        """All of a municipality's obligations, met and open (earliest deadline first; at most 1000)."""
        ...

    async def tijdlijn(self, bericht_id: str) -> Antwoord: ...


BerichtenverkeerVoor = Callable[[str], Berichtenverkeer]  # a client with this viewer's token


class Betaalbestandmaker(Protocol):
    """The SEPA credit-transfer file of a run; raises `domain.betaalrun.BetaalbestandFout` when it cannot be made
    (an IBAN missing from the region file)."""

    def __call__(self, gemeente: Gemeente, aanbieders: Mapping[str, Aanbieder], betalingen: Sequence[Betaling],
                 run: int, peildatum: dt.date, uitvoeringsdatum: dt.date) -> bytes: ...
