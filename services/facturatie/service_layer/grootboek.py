"""Booking a batch of entries in the ledger, inside a use case's unit of work (the step every use case that books
shares: verdicts, payment runs, cost sharing). The domain decides; the ledger port reads and stores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain.grootboek import (
    REDEN_GEWEIGERD,
    BoekResultaat,
    Journaalpost,
    PlafondSleutel,
    beslis,
    definitieve_posten,
    plafondsleutels,
    ruimte_over,
    saldomutaties,
)
from .unit_of_work import Grootboek


async def boek(grootboek: Grootboek, posten: Sequence[Journaalpost], *,
               plafonds: Mapping[PlafondSleutel, int] | None = None) -> BoekResultaat:
    """Book what is new, recognise what was booked before and record what is refused (same key, other content).
    Reversals mirror their original; `plafonds` (spending ceilings) withhold what does not fit. The balances are
    left to the caller (`grootboek.update_balances(result.saldomutaties)`), to apply last in its transaction."""
    if not posten:
        return BoekResultaat()
    beslissing = beslis(posten, await grootboek.find_fingerprints([p.idempotentie_sleutel for p in posten]))
    result = BoekResultaat(al_geboekt=beslissing.al_geboekt,
                           geweigerd=[p.idempotentie_sleutel for p in beslissing.geweigerd])
    await grootboek.record_refused(beslissing.geweigerd, REDEN_GEWEIGERD)
    if not beslissing.nieuw:
        return result
    nieuw = beslissing.nieuw
    originelen = await grootboek.find_entries(sorted({p.tegenboeking_van for p in nieuw if p.tegenboeking_van}))
    ruimte: dict[PlafondSleutel, int] = {}
    if plafonds:
        sleutels = plafondsleutels(definitieve_posten(nieuw, originelen, {}), plafonds)
        if sleutels:
            ruimte = ruimte_over(plafonds, await grootboek.lock_ceilings(sleutels), sleutels)
    result.geboekt = definitieve_posten(nieuw, originelen, ruimte)
    await grootboek.add(result.geboekt, beslissing.vingerafdrukken)
    result.saldomutaties = saldomutaties(result.geboekt)
    return result
