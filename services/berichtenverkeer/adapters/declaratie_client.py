"""declaratie's pre-check over HTTP (its internal route), behind the service layer's `Beoordelaar` port."""

from __future__ import annotations

import logging

import httpx

from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen
from shared.platform.werkpool import naar_omvang

from ..service_layer.beoordelaar import BeoordelaarOnbereikbaar

log = logging.getLogger(__name__)


class DeclaratieClient:
    def __init__(self, base_url: str, intern_token: str, *, timeout: float = 30):
        self._url, self._timeout = base_url, timeout
        self._headers = {"Content-Type": "application/json", "Authorization": f"Bearer {intern_token}"}

    async def proef(self, event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
        regels = event.bericht.declaratie.aantal_regels
        body = await naar_omvang(regels, event.model_dump_json)  # ~40 ms for 25 MB: not on the loop
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                r = await client.post(f"{self._url}/intern/v1/proef", content=body, headers=self._headers)
            r.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("pre-check: declaratie not reachable at %s: %s", self._url, type(exc).__name__)
            raise BeoordelaarOnbereikbaar(type(exc).__name__) from None
        return await naar_omvang(regels, DeclaratieBeoordeeld.model_validate_json, r.content)
