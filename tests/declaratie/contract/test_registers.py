"""One behaviour suite for declaratie's registers port, run against the in-memory fake and against PostgreSQL:
what the use-case tests rely on from the fake is what the real registers do."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

import declaratie
from declaratie.adapters.unit_of_work import PostgresDeclaratieUnitOfWork
from declaratie.domain.beoordeling import Beoordeling
from declaratie.domain.context import EerdereRegel
from declaratie.service_layer.unit_of_work import (
    DeclaratieUnitOfWork,
    GelijktijdigGebruikt,
    Registers,
    Samenvatting,
)
from shared.bsn import sleutel
from shared.istandaard import parse_301, parse_323
from shared.models import Declaratiebericht, Toewijzingsbericht
from tests.conftest import FIXTURES, fake_and_real, schema_pool
from tests.declaratie.fakes import FakeFabriek

MIGRATIONS = Path(declaratie.__file__).parent / "migrations"
GEHEIM = b"test-geheim"
DAG = dt.date(2026, 5, 5)
VOORBEELD_301 = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()
VOORBEELD_323 = parse_323((FIXTURES / "jw323-voorbeeld.xml").read_bytes())  # 87654321 → 0632, jw
CLIENT = sleutel("999990019", GEHEIM)
ANDER = sleutel("999990044", GEHEIM)


@dataclasses.dataclass
class Harness:
    make: Callable[[], DeclaratieUnitOfWork]
    samenvattingen: Callable[[], Awaitable[dict[str, Samenvatting]]]

    async def doe(self, werk: Callable[[Registers], Awaitable]):
        """`werk` in one unit of work that commits."""
        async with self.make() as uow:
            uitkomst = await werk(uow.registers)
            await uow.commit()
        return uitkomst


@contextlib.asynccontextmanager
async def fake_harness() -> AsyncIterator[Harness]:
    fabriek = FakeFabriek()

    async def samenvattingen() -> dict[str, Samenvatting]:
        return dict(fabriek.registers().beoordelingen)

    yield Harness(fabriek, samenvattingen)


@contextlib.asynccontextmanager
async def postgres_harness(infra) -> AsyncIterator[Harness]:
    async with schema_pool(infra, "declaratie", MIGRATIONS) as pool:
        async def samenvattingen() -> dict[str, Samenvatting]:
            rows = await pool.fetch("SELECT bericht_id, domein, aanbieder, gemeente, declaratienummer, goedgekeurd, "
                                    "afgewezen, toegekend_cent FROM beoordelingen")
            return {r["bericht_id"]: Samenvatting(**dict(r)) for r in rows}

        yield Harness(lambda: PostgresDeclaratieUnitOfWork(pool, "contract"), samenvattingen)


@pytest.fixture(params=fake_and_real("fake", "postgres"))
async def h(request) -> AsyncIterator[Harness]:
    if request.param == "postgres":
        async with postgres_harness(request.getfixturevalue("infra")) as harness:
            yield harness
    else:
        async with fake_harness() as harness:
            yield harness


def toewijzing(client: str = "999990019", aanbieder: str = "87654321", *, einddatum: str = "2026-09-30",
               datum: str = "2026-03-20", tijd: str = "10:15:00") -> Toewijzingsbericht:
    raw = (VOORBEELD_301.replace(b"999990019", client.encode())
           .replace(b"<jw301:Ontvanger>87654321", f"<jw301:Ontvanger>{aanbieder}".encode())
           .replace(b"<jw301:Einddatum>2026-09-30", f"<jw301:Einddatum>{einddatum}".encode())
           .replace(b"<jw301:Toewijzingsdatum>2026-03-20", f"<jw301:Toewijzingsdatum>{datum}".encode())
           .replace(b"<jw301:Toewijzingstijd>10:15:00", f"<jw301:Toewijzingstijd>{tijd}".encode()))
    return parse_301(raw)


def declaratiebericht(identificatie: str = "DCL2605-0001", nummer: str = "D202604001", domein: str = "jw",
                      begin: dt.date = dt.date(2026, 4, 1)) -> Declaratiebericht:
    b = VOORBEELD_323
    periode = dataclasses.replace(b.declaratie.declaratieperiode, begindatum=begin)
    return b.model_copy(update={
        "domein": domein, "header": b.header.model_copy(update={"identificatie": identificatie}),
        "declaratie": b.declaratie.model_copy(update={"declaratienummer": nummer, "declaratieperiode": periode})})


def regel(ref: str, *, dc: str = "D", ok: bool = True, nummer: int = 400123, vorig: str | None = None,
          bedrag: int = 98500) -> EerdereRegel:
    return EerdereRegel(ref, dc, ok, nummer, "45", "45A07", dt.date(2026, 4, 1), dt.date(2026, 4, 30), 10, "04",
                        bedrag, vorig)


def beoordeling(*regels: EerdereRegel, header: str = "0200") -> Beoordeling:
    return Beoordeling(header_retourcodes=[header], declaratie_retourcodes=[], client_retourcodes={}, oordelen=[],
                       totaal_toegekend_bedrag=0, totaal_toegekend_debet_credit="D", vast_te_leggen=list(regels))


async def vastgelegd(h: Harness, bericht: Declaratiebericht, *regels: EerdereRegel, gemeente: str = "0632",
                     header: str = "0200", bericht_id: str | None = None) -> None:
    """Load the context and record the message with the given lines, as a use case does."""
    async def werk(r: Registers) -> None:
        ctx = await r.laad_context(bericht, gemeente, DAG)
        await r.leg_vast(bericht_id or bericht.header.identificatie, bericht, gemeente, ctx,
                         beoordeling(*regels, header=header))

    await h.doe(werk)


async def context(h: Harness, bericht: Declaratiebericht | None = None, gemeente: str = "0632"):
    return await h.doe(lambda r: r.laad_context(bericht or declaratiebericht("NIEUW", "NIEUW"), gemeente, DAG))


# --------------------------------------------------------------------------- allocations

async def test_empty_registers_give_an_empty_context(h):
    ctx = await context(h, VOORBEELD_323)
    assert ctx.systeemdatum == DAG
    assert not ctx.identificatie_gebruikt and not ctx.declaratienummer_gebruikt
    assert ctx.laatste_declaratieperiode is None
    assert ctx.toewijzingen == {} and ctx.eerdere == {}
    assert ctx.gebruikte_referenties == frozenset() and ctx.gecrediteerd == frozenset()


async def test_the_current_allocation_is_the_latest_version_and_a_repeat_adds_nothing(h):
    def vast(t: Toewijzingsbericht, client_sleutel: str = CLIENT):
        return h.doe(lambda r: r.leg_toewijzingen_vast("b301", t, "0632", client_sleutel))

    assert await vast(toewijzing()) == (1, [])
    assert await vast(toewijzing()) == (0, [])  # OP087: the full picture again
    assert await vast(toewijzing(einddatum="2026-06-30", datum="2026-05-01")) == (1, [])
    assert await vast(toewijzing(einddatum="2026-12-31", datum="2026-04-01")) == (1, [])  # older decision
    stand = (await context(h)).toewijzingen[400123]
    assert (stand.nummer, stand.aanbieder, stand.client_sleutel) == (400123, "87654321", CLIENT)
    assert stand.einddatum == dt.date(2026, 6, 30)
    assert (stand.categorie, stand.code) == ("45", "45A07")
    assert stand.omvang is not None and (stand.omvang.volume, stand.omvang.eenheid) == (4, "04")


async def test_an_allocation_number_belongs_to_its_first_client_and_provider(h):
    assert await h.doe(lambda r: r.leg_toewijzingen_vast("b1", toewijzing(), "0632", CLIENT)) == (1, [])
    assert await h.doe(lambda r: r.leg_toewijzingen_vast(
        "b2", toewijzing("999990044", tijd="11:00:00"), "0632", ANDER)) == (0, [400123])
    assert await h.doe(lambda r: r.leg_toewijzingen_vast(
        "b3", toewijzing(aanbieder="12345678", tijd="12:00:00"), "0632", CLIENT)) == (0, [400123])
    stand = (await context(h)).toewijzingen[400123]
    assert (stand.aanbieder, stand.client_sleutel) == ("87654321", CLIENT)
    assert stand.einddatum == dt.date(2026, 9, 30)  # neither refused version was recorded


async def test_allocations_are_kept_per_municipality(h):
    await h.doe(lambda r: r.leg_toewijzingen_vast("b1", toewijzing(), "0632", CLIENT))
    assert (await context(h, gemeente="0736")).toewijzingen == {}
    # TR332 is per municipality: the same number elsewhere is another allocation.
    assert await h.doe(lambda r: r.leg_toewijzingen_vast("b2", toewijzing("999990044"), "0736", ANDER)) == (1, [])


# --------------------------------------------------------------------------- judged messages

async def test_a_processed_message_records_identification_number_period_and_lines(h):
    await vastgelegd(h, declaratiebericht(), regel("R1"), regel("R2", ok=False))
    ctx = await context(h, declaratiebericht("ANDER", "D202604001"))
    assert ctx.declaratienummer_gebruikt and not ctx.identificatie_gebruikt
    assert ctx.laatste_declaratieperiode == dt.date(2026, 4, 1)
    assert (await context(h, declaratiebericht(identificatie="DCL2605-0001"))).identificatie_gebruikt
    ctx = await context(h, VOORBEELD_323)  # its lines are on 400123, 400124, 400200, 400201
    assert list(ctx.eerdere) == ["R1"]  # approved lines only
    assert ctx.eerdere["R1"] == regel("R1")


async def test_reference_numbers_used_before_are_found_whatever_their_verdict(h):
    refs = [p.referentienummer for _c, p in VOORBEELD_323.prestaties()]
    await vastgelegd(h, declaratiebericht(), regel(refs[0]), regel(refs[1], ok=False), regel("ANDERS"))
    assert (await context(h, VOORBEELD_323)).gebruikte_referenties == {refs[0], refs[1]}


async def test_a_reference_number_used_twice_in_one_message_stays_under_its_first_use(h):
    await vastgelegd(h, declaratiebericht(), regel("R1", bedrag=100), regel("R1", ok=False, bedrag=200))
    assert (await context(h)).eerdere["R1"].bedrag == 100


async def test_a_message_treated_as_not_sent_records_its_identification_only(h):
    await vastgelegd(h, declaratiebericht(), regel("R1"), header="9056")
    ctx = await context(h, declaratiebericht())
    assert ctx.identificatie_gebruikt
    assert not ctx.declaratienummer_gebruikt and ctx.laatste_declaratieperiode is None
    assert ctx.eerdere == {} and ctx.gebruikte_referenties == frozenset()


async def test_identifications_are_per_berichtsoort_and_numbers_per_domain(h):
    await vastgelegd(h, declaratiebericht())
    wmo = await context(h, declaratiebericht(domein="wmo"))
    assert not wmo.identificatie_gebruikt and not wmo.declaratienummer_gebruikt
    await vastgelegd(h, declaratiebericht(domein="wmo"))  # the same Identificatie in the other kind is allowed
    assert (await context(h, declaratiebericht(domein="wmo"))).identificatie_gebruikt


async def test_the_latest_period_is_per_provider_domain_and_municipality(h):
    await vastgelegd(h, declaratiebericht("I1", "D1", begin=dt.date(2026, 3, 1)))
    await vastgelegd(h, declaratiebericht("I2", "D2", begin=dt.date(2026, 5, 1)))
    await vastgelegd(h, declaratiebericht("I3", "D3", begin=dt.date(2026, 7, 1)), gemeente="0736")
    await vastgelegd(h, declaratiebericht("I4", "D4", domein="wmo", begin=dt.date(2026, 8, 1)))
    assert (await context(h)).laatste_declaratieperiode == dt.date(2026, 5, 1)


async def test_earlier_lines_are_those_on_the_allocations_and_those_credited(h):
    # R1 on one of the message's allocations, R2 on another allocation (only a credit's reference finds it), R3
    # on the message's allocation but in another municipality.
    await vastgelegd(h, declaratiebericht("I1", "D1"), regel("R1", nummer=400123), regel("R2", nummer=999))
    await vastgelegd(h, declaratiebericht("I2", "D2"), regel("R3", nummer=400123), gemeente="0736")
    assert set((await context(h)).eerdere) == {"R1"}
    credit = declaratiebericht("I3", "D3")
    (client,) = credit.declaratie.clienten[:1]
    lijn = dataclasses.replace(client.prestaties[0], referentienummer="C2", debet_credit="C",
                               vorig_referentienummer="R2", toewijzingnummer=999)
    credit = credit.model_copy(update={"declaratie": credit.declaratie.model_copy(update={
        "clienten": [dataclasses.replace(client, prestaties=[lijn])]})})
    assert set((await context(h, credit)).eerdere) == {"R2"}


async def test_a_debit_with_an_approved_credit_is_credited(h):
    await vastgelegd(h, declaratiebericht("I1", "D1"), regel("R1"), regel("R2"))
    await vastgelegd(h, declaratiebericht("I2", "D2"), regel("C1", dc="C", vorig="R1"),
                     regel("C2", dc="C", vorig="R2", ok=False))
    ctx = await context(h)
    assert ctx.gecrediteerd == {"R1"}  # a rejected credit reverses nothing
    assert ctx.eerdere["C1"].vorig_referentienummer == "R1"


async def test_an_identification_taken_after_the_context_was_loaded_is_a_concurrent_use(h):
    bericht = declaratiebericht()
    with pytest.raises(GelijktijdigGebruikt):
        async with h.make() as uow:
            ctx = await uow.registers.laad_context(bericht, "0632", DAG)
            other = await uow.registers.laad_context(bericht, "0632", DAG)
            await uow.registers.leg_vast("ander", bericht, "0632", other, beoordeling())
            await uow.registers.leg_vast("dit", bericht, "0632", ctx, beoordeling(regel("R1")))
    assert not (await context(h, bericht)).identificatie_gebruikt  # rolled back, the other message too
    # Known as used when the context was loaded, the identification is no conflict (the message gets 9056).
    await vastgelegd(h, bericht, bericht_id="eerste")
    await vastgelegd(h, bericht, header="9056", bericht_id="tweede")


async def test_nothing_is_recorded_without_a_commit(h):
    async with h.make() as uow:
        await uow.registers.leg_toewijzingen_vast("b1", toewijzing(), "0632", CLIENT)
        ctx = await uow.registers.laad_context(declaratiebericht(), "0632", DAG)
        await uow.registers.leg_vast("b", declaratiebericht(), "0632", ctx, beoordeling(regel("R1")))
        await uow.registers.leg_samenvatting_vast(Samenvatting("b", "jw", "87654321", "0632", "D1", 1, 0, 1))
    ctx = await context(h, declaratiebericht())
    assert ctx.toewijzingen == {} and not ctx.identificatie_gebruikt and ctx.eerdere == {}
    assert await h.samenvattingen() == {}


async def test_the_verdicts_summary_is_recorded(h):
    s = Samenvatting("b1", "jw", "87654321", "0632", "D202604001", goedgekeurd=4, afgewezen=1,
                     toegekend_cent=-98500)
    await h.doe(lambda r: r.leg_samenvatting_vast(s))
    assert await h.samenvattingen() == {"b1": s}
