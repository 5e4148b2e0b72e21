"""Who is calling: a party of the region (no web framework here, so use cases can name it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PartijSoort = Literal["aanbieder", "gemeente", "regio"]


@dataclass(frozen=True)
class Party:
    soort: PartijSoort
    code: str  # AGB or CBS code; the region's code for its controller
