"""Regional cost sharing (pure): the GR's own costs, or a shared contract's, split over the municipalities by a key
from the region file and posted as a balanced entry in each municipality's ledger.

The split is exact in cents (largest remainder: every municipality gets its floor share, the cents left over go to
the largest remainders, ties to the lower CBS code), so the shares always add up to the amount."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .grootboek import Journaalpost, Regel

KOSTEN_GR = "kosten:gr"        # the municipality's share of the region's costs
SCHULD_GR = "schuld:gr"        # owed to the GR until settled (not a provider: payment runs leave it alone)


def verdeel(bedrag: int, gewichten: dict[str, int]) -> dict[str, int]:
    if bedrag < 0:
        raise ValueError("an amount to share is never negative")
    totaal = sum(gewichten.values())
    if totaal <= 0 or any(g < 0 for g in gewichten.values()):
        raise ValueError("a sharing key needs non-negative weights with a positive total")
    delen = {cbs: bedrag * g // totaal for cbs, g in gewichten.items()}
    rest = bedrag - sum(delen.values())
    volgorde = sorted(gewichten, key=lambda cbs: (-(bedrag * gewichten[cbs] % totaal), cbs))
    for cbs in volgorde[:rest]:
        delen[cbs] += 1
    return delen


def verdeelposten(referentie: str, omschrijving: str, domein: str, delen: dict[str, int]) -> list[Journaalpost]:
    """Debit the municipality's share of regional costs, credit what it owes the GR; one entry per municipality."""
    return [Journaalpost(f"kostenverdeling:{referentie}:{cbs}", cbs, domein, f"kostenverdeling:{referentie}",
                         f"{omschrijving} (aandeel {cbs})", None,
                         tuple(r for r in (Regel(KOSTEN_GR, deel, 0), Regel(SCHULD_GR, 0, deel)) if deel),
                         soort="kostenverdeling")
            for cbs, deel in sorted(delen.items())]


@dataclass(frozen=True)
class Kostenverdeling:
    """A shared cost and what became of its entries: booked now, booked before (same reference, same shares) or
    refused (same reference, other shares)."""

    referentie: str
    domein: str
    bedrag_cent: int
    sleutel: str
    aandelen: dict[str, int]  # CBS code -> cents
    geboekt: int
    al_geboekt: int
    geweigerd: int

    def als_dict(self) -> dict[str, Any]:
        return {"referentie": self.referentie, "domein": self.domein, "bedrag_cent": self.bedrag_cent,
                "sleutel": self.sleutel,
                "aandelen": [{"gemeente": cbs, "cent": deel} for cbs, deel in sorted(self.aandelen.items())],
                "geboekt": self.geboekt, "al_geboekt": self.al_geboekt, "geweigerd": self.geweigerd}
