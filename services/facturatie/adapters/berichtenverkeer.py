"""HTTP adapter to berichtenverkeer (`service_layer.ports.Berichtenverkeer`) for what the dashboard shows but
facturatie does not keep: a municipality's deadlines (325 turnaround, open obligations) and a message's timeline.

The viewer's own token is forwarded, so berichtenverkeer decides what that viewer may see. Nothing here raises:
an unreachable, slow or refusing gateway gives an `Antwoord` with a Dutch reason, and the page shows a panel
"niet beschikbaar" instead of failing."""

from __future__ import annotations

import logging

import httpx

from ..service_layer.ports import Antwoord

log = logging.getLogger(__name__)

TIMEOUT_S = 3.0


_REDENEN = {401: "token niet geaccepteerd door berichtenverkeer", 403: "geen toegang voor deze token",
            404: "niet gevonden of niet zichtbaar voor deze token", 429: "te veel verzoeken; probeer het zo opnieuw"}


class BerichtenverkeerClient:
    """One client per page: the calls of one page share a connection. Use as `async with`."""

    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT_S,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport,
                                         headers={"Authorization": f"Bearer {token}"})

    async def __aenter__(self) -> BerichtenverkeerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Antwoord:
        try:
            r = await self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            # The type only: an error text may repeat the URL, and URLs here carry no secrets, but keep it short.
            log.warning("berichtenverkeer not reachable for the dashboard: %s", type(exc).__name__)
            return Antwoord(None, "berichtenverkeer is niet bereikbaar")
        if r.status_code != 200:
            return Antwoord(None, _REDENEN.get(r.status_code, f"berichtenverkeer antwoordde met HTTP {r.status_code}"))
        try:
            return Antwoord(r.json())
        except ValueError:
            return Antwoord(None, "onleesbaar antwoord van berichtenverkeer")

    async def termijnen(self, cbs: str) -> Antwoord:
        """All of a municipality's obligations, met and open (earliest deadline first; the gateway returns at
        most its first 1000)."""
        return await self._get(f"/v1/gemeenten/{cbs}/termijnen", {"alleen_open": "false"})

    async def tijdlijn(self, bericht_id: str) -> Antwoord:
        return await self._get(f"/v1/berichten/{bericht_id}/tijdlijn")
