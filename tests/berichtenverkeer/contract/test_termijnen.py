"""Deadlines (`uow.termijnen`), one behaviour for the fake and PostgreSQL: one obligation per message and kind, met
once, listed earliest deadline first with the message that set it."""

from __future__ import annotations

import datetime as dt

from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen

D = dt.date(2026, 12, 7)
LATER = T0 + dt.timedelta(days=2)


async def test_an_obligation_is_set_once_met_once_and_listed_with_its_message(fabriek):
    b, antwoord, tweede = await opgeslagen(fabriek, nieuw(berichttype="323", identificatie="DCL-1"),
                                           nieuw("0632", "87654321", richting="uit", berichttype="325"),
                                           nieuw("0632", "87654321", richting="uit", berichttype="325"))
    async with fabriek() as uow:
        await uow.termijnen.add(b.id, "325", "0632", D)
        await uow.termijnen.add(b.id, "325", "0632", D + dt.timedelta(days=9))  # the same kind again: ignored
        await uow.commit()
    async with fabriek() as uow:
        (t,) = await uow.termijnen.list_for("0632", alleen_open=True)
        assert (t.bericht_id, t.soort, t.partij, t.uiterlijk, t.vervuld_at, t.vervuld_door) == (
            b.id, "325", "0632", D, None, None)
        assert (t.berichttype, t.afzender, t.identificatie, t.ontvangen_at) == ("323", "87654321", "DCL-1", T0)
        await uow.termijnen.fulfil(b.id, "325", antwoord.id, LATER)
        await uow.termijnen.fulfil(b.id, "325", tweede.id, LATER + dt.timedelta(days=1))  # met already
        await uow.termijnen.fulfil(b.id, "retour", tweede.id, LATER)  # no such obligation: nothing
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        assert await uow.termijnen.list_for("0632", alleen_open=True) == []
        (t,) = await uow.termijnen.list_for("0632", alleen_open=False)
    assert (t.vervuld_at, t.vervuld_door) == (LATER, antwoord.id)


async def test_an_obligation_met_at_once_is_stored_met(fabriek):
    b, retour = await opgeslagen(fabriek, nieuw(berichttype="305"),
                                 nieuw("0632", "87654321", richting="uit", berichttype="306"))
    async with fabriek() as uow:
        await uow.termijnen.add(b.id, "retour", "0632", D, vervuld_door=retour.id, vervuld_at=T0)
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        assert await uow.termijnen.list_for(None, alleen_open=True) == []
        (t,) = await uow.termijnen.list_for(None, alleen_open=False)
    assert (t.vervuld_at, t.vervuld_door) == (T0, retour.id)


async def test_obligations_are_listed_earliest_first_per_party_or_all(fabriek):
    berichten = sorted(await opgeslagen(fabriek, *(nieuw() for _ in range(4))), key=lambda b: b.id)
    async with fabriek() as uow:
        await uow.termijnen.add(berichten[3].id, "325", "0632", D - dt.timedelta(days=3))
        await uow.termijnen.add(berichten[1].id, "325", "0632", D)
        await uow.termijnen.add(berichten[0].id, "325", "0632", D)
        await uow.termijnen.add(berichten[2].id, "retour", "87654321", D - dt.timedelta(days=1))
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        gemeente = [t.bericht_id for t in await uow.termijnen.list_for("0632", alleen_open=True)]
        alle = [(t.bericht_id, t.partij) for t in await uow.termijnen.list_for(None, alleen_open=True)]
        eerste = [t.bericht_id for t in await uow.termijnen.list_for(None, alleen_open=True, limit=2)]
    assert gemeente == [berichten[3].id, berichten[0].id, berichten[1].id]  # same day: by message id
    assert alle == [(berichten[3].id, "0632"), (berichten[2].id, "87654321"), (berichten[0].id, "0632"),
                    (berichten[1].id, "0632")]
    assert eerste == [berichten[3].id, berichten[2].id]


async def test_open_obligations_are_counted_per_party_kind_and_deadline(fabriek):
    berichten = await opgeslagen(fabriek, *(nieuw() for _ in range(4)))
    async with fabriek() as uow:
        await uow.termijnen.add(berichten[0].id, "325", "0632", D)
        await uow.termijnen.add(berichten[1].id, "325", "0632", D)
        await uow.termijnen.add(berichten[2].id, "retour", "0632", D)
        await uow.termijnen.add(berichten[3].id, "325", "0632", D - dt.timedelta(days=1))
        await uow.termijnen.fulfil(berichten[3].id, "325", berichten[0].id, LATER)  # met: not counted
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        assert await uow.termijnen.tel_open() == {("0632", "325", D): 2, ("0632", "retour", D): 1}
