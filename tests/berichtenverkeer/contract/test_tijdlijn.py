"""A message's timeline (`uow.tijdlijn`), one behaviour for the fake and PostgreSQL: steps per message, in the
order they were added, with their moment, trace and detail."""

from __future__ import annotations

import datetime as dt

from berichtenverkeer.service_layer.unit_of_work import TijdlijnStap
from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen


async def test_steps_read_back_per_message_in_the_order_they_were_added(fabriek):
    a, b = await opgeslagen(fabriek, nieuw(), nieuw())
    later = T0 + dt.timedelta(seconds=3)
    async with fabriek() as uow:
        await uow.tijdlijn.add(a.id, "ontvangen", later, "t1", {"regels": 2})
        await uow.tijdlijn.add(b.id, "ontvangen", T0, None)
        await uow.tijdlijn.add(a.id, "beantwoord", T0, "t1", {"antwoord_id": "x", "retourcodes": ["0200"]})
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        assert await uow.tijdlijn.list_for(a.id) == [
            TijdlijnStap("ontvangen", later, "t1", {"regels": 2}),
            TijdlijnStap("beantwoord", T0, "t1", {"antwoord_id": "x", "retourcodes": ["0200"]})]
        assert await uow.tijdlijn.list_for(b.id) == [TijdlijnStap("ontvangen", T0, None, None)]
        assert await uow.tijdlijn.list_for(nieuw().id) == []


async def test_steps_of_a_unit_of_work_left_without_commit_are_gone(fabriek):
    (a,) = await opgeslagen(fabriek, nieuw())
    async with fabriek() as uow:
        await uow.tijdlijn.add(a.id, "ontvangen", T0, None)
    async with fabriek(readonly=True) as uow:
        assert await uow.tijdlijn.list_for(a.id) == []
