"""The archive: every message in and out is stored with its bytes as the next link of its party's hash chain; the
chains can be checked, and content past its retention erased."""

from __future__ import annotations

from typing import Any

from shared.kalender import Klok

from ..domain.archief import controleer_keten, keten_partij, volgende_schakel
from .unit_of_work import BerichtenverkeerUnitOfWork, NieuwBericht, UnitOfWorkFabriek


async def archiveer(uow: BerichtenverkeerUnitOfWork, bericht: NieuwBericht, inhoud: bytes,
                    bewaartermijn_jaren: int) -> None:
    """Store a message and archive its bytes, stored at the moment it was received (or made), as the next link of
    the chain of the party it was exchanged with; in the caller's unit of work."""
    await uow.berichten.add(bericht)
    partij = keten_partij(bericht.richting, bericht.afzender, bericht.ontvanger)
    kop = await uow.archief.head(partij)  # locked: the party's next link waits for this one's commit
    await uow.archief.add(volgende_schakel(
        kop, partij=partij, bericht_id=str(bericht.id), richting=bericht.richting, berichttype=bericht.berichttype,
        sha256=bericht.sha256, opgeslagen_at=bericht.ontvangen_at, bewaartermijn_jaren=bewaartermijn_jaren), inhoud)


async def controleer_archief(uow: UnitOfWorkFabriek, klok: Klok) -> dict[str, Any]:
    """Every chain recomputed from the stored links and content (one snapshot): the breaks found, per party."""
    dag = klok.vandaag()
    ketens, breuken = [], []
    async with uow(readonly=True) as u:
        koppen = await u.archief.heads()
        for partij in sorted(set(koppen) | set(await u.archief.parties())):
            links = await u.archief.chain(partij)
            gevonden = controleer_keten(partij, links, koppen.get(partij), dag)
            ketens.append({"partij": partij, "berichten": len(links), "intact": not gevonden})
            breuken += [b.as_dict() for b in gevonden]
    return {"peildatum": dag.isoformat(), "intact": not breuken, "ketens": ketens, "breuken": breuken}


async def wis_verlopen(uow: UnitOfWorkFabriek, klok: Klok) -> int:
    """Erase the bytes of messages kept past their retention; their links (and content hash) stay."""
    async with uow() as u:
        gewist = await u.archief.erase_expired(klok.vandaag())
        await u.commit()
    return gewist
