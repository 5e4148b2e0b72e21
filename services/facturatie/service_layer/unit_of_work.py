"""facturatie's unit of work and the ports of the stores its use cases need (no database driver here).

Three stores, one transaction: the ledger (journal entries, their lines and the balances), the payment runs, and
the verdict statistics the dashboard counts with. Every one of them is append-only: entries, runs and statistics
are never changed or deleted; a balance is the sum of its account's lines, kept up to date in the same
transaction. What is new, already booked or refused is decided by the domain (`domain.grootboek.beslis`) on what
the ledger returns, not by the store. The PostgreSQL implementation is `facturatie.adapters.unit_of_work`; the
in-memory one is `tests/facturatie/fakes.py`, and `tests/facturatie/contract/` holds both to one behaviour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from shared.platform.unit_of_work import UnitOfWork

from ..domain.beoordelingsstatistiek import (
    Afkeurtelling,
    Beoordelingsstatistiek,
    Beoordelingstelling,
    Contractaandeel,
    Maandcijfer,
)
from ..domain.betaalrun import Betaalbestand, Betaalrun, NieuweBetaalrun, Overboeking
from ..domain.grootboek import Journaalpost, PlafondSleutel, Rekeningsleutel
from ..domain.overzichten import GeboektePost, Regelhistorie, Saldo

CONSUMER = "facturatie"  # the inbox's name for this service's consumers


class Grootboek(Protocol):
    """The municipalities' ledgers. Booking days are Dutch calendar days."""

    async def find_fingerprints(self, sleutels: Sequence[str]) -> dict[str, str]:
        """The fingerprint kept with each of these keys that is booked already (keys not booked are absent)."""
        ...

    async def find_entries(self, sleutels: Sequence[str]) -> dict[str, Journaalpost]:
        """The booked entries under these keys with their lines and year of care (what a reversal mirrors)."""
        ...

    async def lock_ceilings(self, sleutels: Sequence[PlafondSleutel]) -> dict[PlafondSleutel, int]:
        """Lock these spending ceilings until the transaction ends (two batches for one provider must not both
        see the same room) and return what was made payable against each: the provider's crediteur credit minus
        debit over declaration entries for care in that year. A ceiling with nothing payable yet is absent."""
        ...

    async def add(self, posten: Sequence[Journaalpost], vingerafdrukken: Sequence[str]) -> None:
        """Append entries under keys not booked before, each with its fingerprint, opening accounts as needed.
        Balances are left to `update_balances`."""
        ...

    async def record_refused(self, posten: Sequence[Journaalpost], reden: str) -> None:
        """Keep entries refused for finance to look at (same key, other content)."""
        ...

    async def update_balances(self, mutaties: Mapping[Rekeningsleutel, int]) -> None:
        """Apply one netted change (debit positive) per account, whose entries were added in this transaction.
        Call it last: the busy balances are then held only until the commit."""
        ...

    async def list_balances(self, gemeente: str, domein: str | None) -> list[Saldo]:
        """Every account of the municipality (of one domain, when given), by domain and code."""
        ...

    async def list_journal(self, gemeente: str, *, bericht_id: str | None, limit: int, na_id: int,
                           domein: str | None = None, soort: str | None = None, rekening: str | None = None,
                           van: dt.date | None = None, tot: dt.date | None = None) -> list[GeboektePost]:
        """Entries with an id above `na_id`, oldest first, at most `limit`; every filter optional. `rekening`:
        entries with a line on that account code; `van`/`tot`: booking days, both inclusive."""
        ...

    async def find_line_history(self, gemeente: str, sleutel: str) -> Regelhistorie | None:
        """A declaration line's postings (under its key and reversing it) and the municipality's first payment
        run with a cut-off on or after the line's booking day that paid its provider in its domain."""
        ...

    async def costs_per_category(self, gemeente: str, jaar: int) -> dict[tuple[str, str], int]:
        """Net expense per (domain, category) booked in a calendar year."""
        ...

    async def ceiling_usage(self, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
        """Per (domain, provider): payable and withheld from declaration entries for care delivered in `jaar`."""
        ...


class Betaalruns(Protocol):
    """The payment runs: one per municipality and cut-off date."""

    async def lock(self, gemeente: str) -> None:
        """One run at a time per municipality, until the transaction ends."""
        ...

    async def find(self, gemeente: str, peildatum: dt.date) -> Betaalrun | None: ...

    async def latest_cut_off(self, gemeente: str) -> dt.date | None: ...

    async def list_payable(self, gemeente: str, peildatum: dt.date) -> dict[tuple[str, str], int]:
        """Per (domain, provider) the payable at the end of the cut-off day: credit minus debit on the provider's
        crediteur account over declaration entries booked up to then and every payment made so far."""
        ...

    async def next_number(self) -> int:
        """A run number never given before (numbers may be skipped)."""
        ...

    async def add(self, run: NieuweBetaalrun) -> None: ...

    async def list_runs(self, gemeente: str) -> list[Betaalrun]:
        """Newest cut-off first."""
        ...

    async def get(self, gemeente: str, run_id: int) -> Betaalrun | None: ...

    async def list_transfers(self, run_id: int) -> list[Overboeking]:
        """By domain and provider."""
        ...

    async def get_file(self, gemeente: str, run_id: int) -> Betaalbestand | None: ...


class Statistiek(Protocol):
    """The verdict statistics: one row per declaration message, recorded with its booking."""

    async def add(self, stats: Sequence[Beoordelingsstatistiek]) -> int:
        """Record verdicts; a message recorded before keeps its first row and gains no rejections. Returns how
        many were recorded."""
        ...

    async def count_verdicts(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Beoordelingstelling]:
        """Per municipality (all, or one), in the months of `van` up to that of `tot`, by CBS code."""
        ...

    async def list_rejection_reasons(self, gemeente: str | None, van: dt.date, tot: dt.date,
                                     limit: int = 20) -> list[Afkeurtelling]:
        """In the months of `van` up to that of `tot`: most rejected lines (or messages) first."""
        ...

    async def list_recent(self, gemeente: str, limit: int = 15) -> list[Beoordelingsstatistiek]:
        """The latest verdicts first (without their rejections)."""
        ...

    async def list_contract_shares(self, jaar: int) -> list[Contractaandeel]: ...

    async def get(self, bericht_id: str) -> Beoordelingsstatistiek | None:
        """A message's verdict with its rejections (by level, most lines first)."""
        ...

    async def list_month_figures(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Maandcijfer]:
        """From the ledger, booked on the Dutch days `van` up to and including `tot`."""
        ...


class FacturatieUnitOfWork(UnitOfWork):
    """One transaction over the ledger, the payment runs, the statistics, the inbox and the outbox."""

    grootboek: Grootboek
    betaalruns: Betaalruns
    statistiek: Statistiek


class UnitOfWorkFabriek(Protocol):
    """Makes a fresh unit of work; `readonly`: the store itself refuses any write (pages and read API)."""

    def __call__(self, *, readonly: bool = False) -> FacturatieUnitOfWork: ...
