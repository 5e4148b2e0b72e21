"""The port to declaratie for the pre-check: it judges a declaration against today's registers and records nothing.
The HTTP client is `berichtenverkeer.adapters.declaratie_client`."""

from __future__ import annotations

from typing import Protocol

from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen


class BeoordelaarOnbereikbaar(Exception):
    """declaratie did not answer, or not with a verdict (down, overloaded, a network error)."""


class Beoordelaar(Protocol):
    async def proef(self, event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
        """The verdict the declaration would get; raises BeoordelaarOnbereikbaar."""
        ...
