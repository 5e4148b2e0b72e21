"""What the contract suites store: messages with unique bytes unless told otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from berichtenverkeer.service_layer.unit_of_work import NieuwBericht

T0 = dt.datetime(2026, 11, 23, 9, 30, 0, 123456, tzinfo=dt.UTC)


def nieuw(afzender: str = "87654321", ontvanger: str = "0632", *, richting: str = "in", berichttype: str = "323",
          domein: str = "jw", identificatie: str | None = None, status: str = "ontvangen", at: dt.datetime = T0,
          inhoud: bytes | None = None, samenvatting: dict | None = None) -> NieuwBericht:
    """A message to store; its bytes (and so its hash) are unique unless `inhoud` is given."""
    bid = uuid.uuid4()
    inhoud = inhoud if inhoud is not None else f"<Bericht id='{bid}'/>".encode()
    return NieuwBericht(id=bid, richting=richting, domein=domein, berichttype=berichttype, afzender=afzender,
                        ontvanger=ontvanger, identificatie=identificatie or bid.hex[:12],
                        sha256=hashlib.sha256(inhoud).hexdigest(), status=status, ontvangen_at=at,
                        samenvatting=samenvatting)


async def opgeslagen(fabriek, *berichten: NieuwBericht) -> list[NieuwBericht]:
    """Stored and committed, in one unit of work."""
    async with fabriek() as uow:
        for b in berichten:
            await uow.berichten.add(b)
        await uow.commit()
    return list(berichten)
