"""Use case: share a regional cost over the municipalities, once per reference."""

from __future__ import annotations

from shared.platform.regio import Regio

from ..domain.kostenverdeling import Kostenverdeling, verdeel, verdeelposten
from .grootboek import boek
from .unit_of_work import FacturatieUnitOfWork


class VerdeelsleutelOnbekend(ValueError):
    pass


def gewichten(regio: Regio, sleutel: str) -> dict[str, int]:
    if sleutel == "inwoners":
        return {g.cbs: g.inwoners for g in regio.gemeenten}
    raise VerdeelsleutelOnbekend(f"unknown sharing key {sleutel!r}; known: inwoners")


async def verdeel_kosten(uow: FacturatieUnitOfWork, regio: Regio, referentie: str, omschrijving: str, domein: str,
                         bedrag: int, sleutel: str) -> Kostenverdeling:
    """Books each municipality's share; the same reference again books nothing (`al_geboekt`), and with other
    shares is refused and recorded (`geweigerd`)."""
    delen = verdeel(bedrag, gewichten(regio, sleutel))
    async with uow:
        result = await boek(uow.grootboek, verdeelposten(referentie, omschrijving, domein, delen))
        await uow.grootboek.update_balances(result.saldomutaties)
        await uow.commit()
    return Kostenverdeling(referentie, domein, bedrag, sleutel, delen, len(result.geboekt), len(result.al_geboekt),
                           len(result.geweigerd))
