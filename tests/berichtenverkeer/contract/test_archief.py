"""The archive (`uow.archief`), one behaviour for the fake and PostgreSQL: it keeps the links the use case builds
as each party's chain, with the bytes, reads them back so the domain's check finds the chain intact, and erases
content only past its retention."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from berichtenverkeer.domain.archief import BEGIN, Kop, controleer_keten, keten_partij, volgende_schakel
from berichtenverkeer.service_layer.unit_of_work import Gelijktijdig, NieuwBericht
from shared.kalender import SYSTEEMKLOK
from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen

VANDAAG = SYSTEEMKLOK.vandaag()


async def archiveer(uow, b: NieuwBericht, inhoud: bytes, jaren: int = 7) -> None:
    partij = keten_partij(b.richting, b.afzender, b.ontvanger)
    kop = await uow.archief.head(partij)
    await uow.archief.add(volgende_schakel(kop, partij=partij, bericht_id=str(b.id), richting=b.richting,
                                           berichttype=b.berichttype, sha256=b.sha256, opgeslagen_at=b.ontvangen_at,
                                           bewaartermijn_jaren=jaren), inhoud)


def bytes_van(i: int) -> bytes:
    return f"<Bericht n='{i}'/>".encode()


async def test_a_new_partys_chain_is_empty_and_grows_link_by_link(fabriek):
    berichten = [nieuw(inhoud=bytes_van(i), at=T0 + dt.timedelta(seconds=i)) for i in range(3)]
    uit = nieuw("0632", "87654321", richting="uit", berichttype="325", inhoud=bytes_van(9))
    await opgeslagen(fabriek, *berichten, uit)
    async with fabriek() as uow:
        assert await uow.archief.head("87654321") == Kop(0, BEGIN)
        for i, b in enumerate(berichten):
            await archiveer(uow, b, bytes_van(i))
        await archiveer(uow, uit, bytes_van(9))  # what goes out joins the addressee's chain
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        links = await uow.archief.chain("87654321")
        kop = (await uow.archief.heads())["87654321"]
        assert await uow.archief.parties() == ["87654321"]
        assert await uow.archief.content(berichten[1].id) == bytes_van(1)
        assert await uow.archief.content(nieuw().id) is None
    assert [link.schakel.volgnummer for link in links] == [1, 2, 3, 4]
    assert [link.schakel.bericht_id for link in links] == [str(b.id) for b in [*berichten, uit]]
    assert links[0].schakel.opgeslagen_at == T0 and links[0].schakel.bewaren_tot == dt.date(2033, 11, 23)
    assert kop == Kop(4, links[-1].keten_hash)
    assert all(link.inhoud_sha256 == hashlib.sha256(bytes_van(i)).hexdigest()
               for i, link in zip([0, 1, 2, 9], links))
    assert controleer_keten("87654321", links, kop, VANDAAG) == []


async def test_a_link_number_taken_meanwhile_is_a_conflict(fabriek):
    a, b = await opgeslagen(fabriek, nieuw(), nieuw())
    async with fabriek() as uow:
        await archiveer(uow, a, b"<a/>")
        await uow.commit()
    async with fabriek() as uow:
        s = volgende_schakel(Kop(), partij="87654321", bericht_id=str(b.id), richting="in", berichttype="323",
                             sha256=b.sha256, opgeslagen_at=T0, bewaartermijn_jaren=7)
        with pytest.raises(Gelijktijdig):
            await uow.archief.add(s, b"<b/>")


async def test_content_past_its_retention_is_erased_and_the_chain_still_holds(fabriek):
    oud = nieuw(inhoud=b"<oud/>", at=dt.datetime(2015, 3, 1, 12, tzinfo=dt.UTC))
    nieuwer = nieuw(inhoud=b"<nieuw/>", at=T0)
    await opgeslagen(fabriek, oud, nieuwer)
    async with fabriek() as uow:
        await archiveer(uow, oud, b"<oud/>")  # kept until 2022
        await archiveer(uow, nieuwer, b"<nieuw/>")
        await uow.commit()
    async with fabriek() as uow:
        assert await uow.archief.erase_expired(VANDAAG) == 1
        await uow.commit()
    async with fabriek() as uow:
        assert await uow.archief.erase_expired(VANDAAG) == 0
        assert await uow.archief.content(oud.id) is None
        assert await uow.archief.content(nieuwer.id) == b"<nieuw/>"
        links = await uow.archief.chain("87654321")
        kop = (await uow.archief.heads())["87654321"]
    assert [link.inhoud_sha256 is None for link in links] == [True, False]
    assert controleer_keten("87654321", links, kop, VANDAAG) == []
    assert [b.reden.split(" (")[0] for b in controleer_keten("87654321", links, kop, dt.date(2022, 3, 1))] == [
        "content erased before its retention ended"]
