"""Messages the back office made and refused to send (`uow.uitgaand_afgekeurd`), one behaviour for the fake and
PostgreSQL: recorded once per message and type, counted, the latest first."""

from __future__ import annotations

import datetime as dt

from tests.berichtenverkeer.contract.voorbeelden import T0, nieuw, opgeslagen


async def test_a_defect_is_recorded_once_and_the_latest_come_first(fabriek):
    berichten = await opgeslagen(fabriek, *(nieuw() for _ in range(3)))
    async with fabriek() as uow:
        for i, b in enumerate(berichten):
            await uow.uitgaand_afgekeurd.record(b.id, "325", ["TR342"], "TR342 at /a", T0 + dt.timedelta(minutes=i))
        # A retry meets the same bug: still one record; a retour of the same message is another.
        await uow.uitgaand_afgekeurd.record(berichten[0].id, "325", ["TR999"], "x", T0 + dt.timedelta(hours=1))
        await uow.uitgaand_afgekeurd.record(berichten[0].id, "306", ["IV032", "TR001"], "y", T0)
        await uow.commit()
    async with fabriek(readonly=True) as uow:
        total, latest = await uow.uitgaand_afgekeurd.summary(limit=2)
        _, alle = await uow.uitgaand_afgekeurd.summary()
    assert total == 4
    assert [(f.bericht_id, f.berichttype, f.regels, f.gezien_at) for f in latest] == [
        (berichten[2].id, "325", ["TR342"], T0 + dt.timedelta(minutes=2)),
        (berichten[1].id, "325", ["TR342"], T0 + dt.timedelta(minutes=1))]
    assert ["TR999"] not in [f.regels for f in alle] and len(alle) == 4


async def test_nothing_recorded_is_nothing_shown(fabriek):
    async with fabriek(readonly=True) as uow:
        assert await uow.uitgaand_afgekeurd.summary() == (0, [])
