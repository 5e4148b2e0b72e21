"""What the ledger shows when it is read (pure): balances, booked entries with their lines, a declaration line's
history. The finance API returns `als_dict()`; the dashboard's templates read the fields. Amounts in cents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Saldo:
    domein: str
    code: str
    saldo_cent: int  # debit positive

    def als_dict(self) -> dict[str, Any]:
        return {"domein": self.domein, "code": self.code, "saldo_cent": self.saldo_cent}


@dataclass(frozen=True)
class Boekingsregel:
    rekening: str
    debet_cent: int
    credit_cent: int

    def als_dict(self) -> dict[str, Any]:
        return {"rekening": self.rekening, "debet_cent": self.debet_cent, "credit_cent": self.credit_cent}


@dataclass(frozen=True)
class GeboektePost:
    """A journal entry as booked (lines debit first)."""

    id: int
    idempotentie_sleutel: str
    domein: str
    bericht_id: str
    omschrijving: str
    tegenboeking_van: str | None
    soort: str
    geboekt_at: dt.datetime
    regels: tuple[Boekingsregel, ...]

    def als_dict(self) -> dict[str, Any]:
        return {"id": self.id, "idempotentie_sleutel": self.idempotentie_sleutel, "domein": self.domein,
                "bericht_id": self.bericht_id, "omschrijving": self.omschrijving,
                "tegenboeking_van": self.tegenboeking_van, "soort": self.soort,
                "geboekt_at": self.geboekt_at.isoformat(), "regels": [r.als_dict() for r in self.regels]}


@dataclass(frozen=True)
class Uitbetaling:
    """The payment run that paid a line's provider after the line was booked."""

    betaalrun_id: int
    peildatum: dt.date
    uitvoeringsdatum: dt.date
    overboeking_cent: int  # the whole transfer to the provider in that run, not this line's part
    end_to_end_id: str

    def als_dict(self) -> dict[str, Any]:
        return {"betaalrun_id": self.betaalrun_id, "peildatum": self.peildatum.isoformat(),
                "uitvoeringsdatum": self.uitvoeringsdatum.isoformat(), "overboeking_cent": self.overboeking_cent,
                "end_to_end_id": self.end_to_end_id}


@dataclass(frozen=True)
class Regelhistorie:
    """A declaration line's postings (its own and any reversal of it) and the payment that followed them."""

    idempotentie_sleutel: str
    boekingen: tuple[GeboektePost, ...]  # never empty
    betaald: Uitbetaling | None

    @property
    def bericht_id(self) -> str:
        return self.boekingen[0].bericht_id
