"""The messages store (`uow.berichten`), one behaviour for the fake and PostgreSQL: what the intake relies on (found
again by its bytes' hash, TR056 per sender and berichtsoort, the heen a retour names, one answer per message) and
what the mailbox and listing show."""

from __future__ import annotations

import dataclasses
import datetime as dt

import asyncpg
import pytest

from berichtenverkeer.service_layer.unit_of_work import Gelijktijdig
from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen

LATER = T0 + dt.timedelta(minutes=5)


async def test_a_stored_message_reads_back_with_no_answer_and_not_delivered(fabriek):
    (b,) = await opgeslagen(fabriek, nieuw(samenvatting={"regels": 3}))
    async with fabriek(readonly=True) as uow:
        got = await uow.berichten.get(b.id)
        assert await uow.berichten.get(nieuw().id) is None
    assert {f.name: getattr(got, f.name) for f in dataclasses.fields(b)} == dataclasses.asdict(b)
    assert (got.bijgewerkt_at, got.afgeleverd_at, got.antwoord_id) == (T0, None, None)


async def test_the_same_bytes_from_the_same_sender_are_found_and_cannot_be_stored_twice(fabriek):
    (b,) = await opgeslagen(fabriek, nieuw(inhoud=b"<Bericht/>"))
    async with fabriek() as uow:
        assert (await uow.berichten.find_by_hash("87654321", "in", b.sha256)).id == b.id
        assert await uow.berichten.find_by_hash("12345678", "in", b.sha256) is None
        assert await uow.berichten.find_by_hash("87654321", "uit", b.sha256) is None
        with pytest.raises(Gelijktijdig):
            await uow.berichten.add(nieuw(inhoud=b"<Bericht/>"))
    # Another sender may send the same bytes.
    await opgeslagen(fabriek, nieuw("12345678", inhoud=b"<Bericht/>"))


async def test_a_message_committed_meanwhile_by_another_transaction_is_a_conflict(fabriek):
    async with fabriek() as eerste:
        assert await eerste.berichten.find_by_hash("87654321", "in", nieuw(inhoud=b"<B/>").sha256) is None
        await opgeslagen(fabriek, nieuw(inhoud=b"<B/>"))  # the other request was faster
        with pytest.raises(Gelijktijdig):
            await eerste.berichten.add(nieuw(inhoud=b"<B/>"))


async def test_an_identificatie_is_found_per_sender_and_berichtsoort_the_first_one(fabriek):
    eerste, _later, wmo, uit = await opgeslagen(
        fabriek, nieuw(berichttype="305", identificatie="SZ-1"),
        nieuw(berichttype="305", identificatie="SZ-1", at=LATER),
        nieuw(berichttype="305", identificatie="SZ-2", domein="wmo"),
        nieuw("0632", "87654321", richting="uit", berichttype="305", identificatie="SZ-3"))
    async with fabriek(readonly=True) as uow:
        find = uow.berichten.find_identificatie
        assert (await find("87654321", "jw", "305", "SZ-1")).id == eerste.id
        assert await find("87654321", "wmo", "305", "SZ-1") is None  # TR056: a WMO305 is another kind
        assert (await find("87654321", "wmo", "305", "SZ-2")).id == wmo.id
        assert await find("87654321", "jw", "307", "SZ-1") is None
        assert await find("12345678", "jw", "305", "SZ-1") is None
        assert await find("0632", "jw", "305", "SZ-3") is None  # only messages that came in
    assert uit.richting == "uit"


async def test_the_heen_a_retour_names_and_its_one_answer(fabriek):
    heen, ander, retour, tweede = await opgeslagen(
        fabriek, nieuw("0632", "87654321", berichttype="301", identificatie="TW-1", status="ter_aflevering"),
        nieuw("0632", "12345678", berichttype="301", identificatie="TW-1"),
        nieuw("87654321", "0632", berichttype="302", identificatie="TW-1"),
        nieuw("87654321", "0632", berichttype="302", identificatie="TW-1"))
    async with fabriek() as uow:
        found = await uow.berichten.find_heen("301", "0632", "87654321", "TW-1")
        assert (found.id, found.antwoord_id) == (heen.id, None)
        assert (await uow.berichten.find_heen("301", "0632", "12345678", "TW-1")).id == ander.id
        assert await uow.berichten.find_heen("319", "0632", "87654321", "TW-1") is None
        assert await uow.berichten.find_heen("301", "0335", "87654321", "TW-1") is None
        await uow.berichten.link_answer(heen.id, retour.id)
        await uow.commit()
    async with fabriek() as uow:
        assert (await uow.berichten.find_heen("301", "0632", "87654321", "TW-1")).antwoord_id == retour.id
        assert await uow.berichten.has_answer(heen.id) and not await uow.berichten.has_answer(ander.id)
        assert (await uow.berichten.get(heen.id)).antwoord_id == retour.id
        with pytest.raises(Gelijktijdig):
            await uow.berichten.link_answer(heen.id, tweede.id)


async def test_a_status_change_adds_to_the_summary(fabriek):
    (b,) = await opgeslagen(fabriek, nieuw(samenvatting={"regels": 3, "x": 1}))
    (leeg,) = await opgeslagen(fabriek, nieuw())
    async with fabriek() as uow:
        await uow.berichten.set_status(b.id, "beantwoord", LATER, {"x": 2, "antwoord_id": "a"})
        await uow.berichten.set_status(leeg.id, "ontvangen", LATER)
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        got, zonder = await uow.berichten.get(b.id), await uow.berichten.get(leeg.id)
    assert (got.status, got.bijgewerkt_at, got.ontvangen_at) == ("beantwoord", LATER, T0)
    assert got.samenvatting == {"regels": 3, "x": 2, "antwoord_id": "a"}
    assert zonder.samenvatting == {}


async def test_delivery_counts_once_and_moves_only_a_message_waiting_for_it(fabriek):
    wacht, beantwoord = await opgeslagen(fabriek, nieuw(status="ter_aflevering"), nieuw(status="beantwoord"))
    async with fabriek() as uow:
        assert await uow.berichten.mark_delivered(wacht.id, LATER)
        assert not await uow.berichten.mark_delivered(wacht.id, LATER + dt.timedelta(seconds=1))
        assert await uow.berichten.mark_delivered(beantwoord.id, LATER)
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        a, b = await uow.berichten.get(wacht.id), await uow.berichten.get(beantwoord.id)
    assert (a.status, a.afgeleverd_at, a.bijgewerkt_at) == ("afgeleverd", LATER, LATER)
    assert (b.status, b.afgeleverd_at) == ("beantwoord", LATER)


async def test_answer_numbers_are_never_handed_out_twice(fabriek):
    nummers = []
    for _ in range(3):
        async with fabriek() as uow:
            nummers.append(await uow.berichten.next_answer_number())
            nummers.append(await uow.berichten.next_answer_number())
            await uow.commit()
    assert len(set(nummers)) == 6 and nummers == sorted(nummers)


async def test_the_mailbox_holds_what_was_not_fetched_oldest_first_without_declarations(fabriek):
    eerste, tweede, _323, _ander, opgehaald = await opgeslagen(
        fabriek, nieuw("0632", "87654321", berichttype="301", at=LATER),
        nieuw("0632", "87654321", berichttype="319", at=T0),
        nieuw("0632", "87654321", berichttype="323"),
        nieuw("0632", "12345678", berichttype="301"),
        nieuw("0632", "87654321", berichttype="301"))
    async with fabriek() as uow:
        await uow.berichten.mark_delivered(opgehaald.id, LATER)
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        assert [b.id for b in await uow.berichten.list_mailbox("87654321", 10)] == [tweede.id, eerste.id]
        assert [b.id for b in await uow.berichten.list_mailbox("87654321", 1)] == [tweede.id]


async def test_own_messages_are_listed_newest_first_filtered_and_paged(fabriek):
    berichten = await opgeslagen(
        fabriek, *(nieuw("87654321", "0632", berichttype="305", at=T0 + dt.timedelta(minutes=i)) for i in range(3)),
        nieuw("0632", "87654321", berichttype="301", status="ter_aflevering", at=T0 + dt.timedelta(minutes=3)),
        nieuw("12345678", "0632", berichttype="305", at=T0))
    van = berichten[:4]

    async def lijst(**filters):
        args = {"berichttype": None, "status": None, "sinds": None, "limit": 50, "offset": 0} | filters
        async with fabriek(readonly=True) as uow:
            return [b.id for b in await uow.berichten.list_own("87654321", **args)]

    assert await lijst() == [b.id for b in reversed(van)]
    assert await lijst(berichttype="305") == [b.id for b in reversed(van[:3])]
    assert await lijst(status="ter_aflevering") == [van[3].id]
    assert await lijst(sinds=T0 + dt.timedelta(minutes=2)) == [van[3].id, van[2].id]
    assert await lijst(limit=2, offset=1) == [van[2].id, van[1].id]
    assert await lijst(berichttype="323") == []


async def test_a_read_only_unit_of_work_refuses_to_store(fabriek):
    with pytest.raises((PermissionError, asyncpg.ReadOnlySQLTransactionError)):
        async with fabriek(readonly=True) as uow:
            await uow.berichten.add(nieuw())
