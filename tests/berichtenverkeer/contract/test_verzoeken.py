"""Requests waiting for an answer (`uow.verzoeken`), one behaviour for the fake and PostgreSQL: a 301 or 319 finds
the open requests (315/317) of its provider and municipality that carry one of its references."""

from __future__ import annotations

from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen


async def test_open_requests_are_found_by_any_of_their_references(fabriek):
    a, b, wmo, klaar, ander = await opgeslagen(
        fabriek, *(nieuw(berichttype="315", status="in_behandeling") for _ in range(2)),
        nieuw(berichttype="315", status="in_behandeling", domein="wmo"),
        nieuw(berichttype="317", status="in_behandeling"),
        nieuw("12345678", berichttype="315", status="in_behandeling"))
    async with fabriek() as uow:
        await uow.verzoeken.add(a.id, "jw", "0632", "87654321", ["R1", "R2"])
        await uow.verzoeken.add(a.id, "jw", "0632", "87654321", ["R2"])  # again: nothing new
        await uow.verzoeken.add(b.id, "jw", "0632", "87654321", ["R2"])
        await uow.verzoeken.add(wmo.id, "wmo", "0632", "87654321", ["R1"])
        await uow.verzoeken.add(klaar.id, "jw", "0632", "87654321", ["R1"])
        await uow.verzoeken.add(ander.id, "jw", "0632", "12345678", ["R1"])
        await uow.verzoeken.add(b.id, "jw", "0632", "87654321", [])
        await uow.berichten.set_status(klaar.id, "beantwoord", T0)  # answered already
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        find = uow.verzoeken.find_open
        assert await find("jw", "0632", "87654321", ["R1"]) == [a.id]
        assert await find("jw", "0632", "87654321", ["R2", "R1"]) == sorted([a.id, b.id])
        assert await find("wmo", "0632", "87654321", ["R1", "R2"]) == [wmo.id]
        assert await find("jw", "0335", "87654321", ["R1"]) == []
        assert await find("jw", "0632", "87654321", ["R3"]) == []
