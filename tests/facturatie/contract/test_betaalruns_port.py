"""One behaviour suite for the payment-run port (`Betaalruns`), on the in-memory fake and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from facturatie.domain.betaalrun import Betaalbestand, Betaling, nieuwe_betaalrun
from tests.facturatie.contract.harness import DUBBEL, VANDAAG, boek, declaratie, post

GISTEREN = VANDAAG - dt.timedelta(days=1)


async def maak(h, gemeente: str, peildatum: dt.date, *betalingen: Betaling, bestand: bytes = b"<Document/>") -> int:
    async def werk(u):
        nummer = await u.betaalruns.next_number()
        await u.betaalruns.add(nieuwe_betaalrun(nummer, gemeente, peildatum, peildatum + dt.timedelta(days=1),
                                                list(betalingen), bestand))
        return nummer

    return await h.doe(werk)


async def test_a_run_is_recorded_once_per_cut_off_and_read_back_as_made(h):
    nummer = await maak(h, "0632", VANDAAG, Betaling("wmo", "34567890", 500), Betaling("jw", "87654321", 1000),
                        bestand="<Document>é</Document>".encode())
    run = await h.lees(lambda u: u.betaalruns.find("0632", VANDAAG))
    assert (run.id, run.gemeente, run.peildatum, run.uitvoeringsdatum) == (nummer, "0632", VANDAAG,
                                                                         VANDAAG + dt.timedelta(days=1))
    assert (run.aantal, run.totaal_cent) == (2, 1500) and len(run.bestand_sha256) == 64
    assert run.aangemaakt_at.tzinfo is not None
    assert await h.lees(lambda u: u.betaalruns.get("0632", nummer)) == run
    assert await h.lees(lambda u: u.betaalruns.get("1904", nummer)) is None  # another municipality's number
    overboekingen = await h.lees(lambda u: u.betaalruns.list_transfers(nummer))
    assert [(o.domein, o.aanbieder, o.bedrag_cent) for o in overboekingen] == [("jw", "87654321", 1000),
                                                                              ("wmo", "34567890", 500)]
    assert overboekingen[0].end_to_end_id == f"0632-{VANDAAG:%Y%m%d}-jw-87654321"
    assert overboekingen[0].idempotentie_sleutel == f"betaalrun:0632:{VANDAAG}:jw:87654321"
    assert await h.lees(lambda u: u.betaalruns.get_file("0632", nummer)) == Betaalbestand(
        VANDAAG, "<Document>é</Document>")
    assert await h.lees(lambda u: u.betaalruns.get_file("0632", nummer + 100)) is None
    with pytest.raises(DUBBEL):
        await maak(h, "0632", VANDAAG, Betaling("jw", "87654321", 1))
    assert len(await h.lees(lambda u: u.betaalruns.list_runs("0632"))) == 1


async def test_runs_are_listed_newest_cut_off_first_per_municipality(h):
    eerste = await maak(h, "0632", GISTEREN, Betaling("jw", "87654321", 1))
    await maak(h, "1904", VANDAAG, Betaling("jw", "87654321", 2))
    tweede = await maak(h, "0632", VANDAAG, Betaling("jw", "87654321", 3))
    assert [r.id for r in await h.lees(lambda u: u.betaalruns.list_runs("0632"))] == [tweede, eerste]
    assert await h.lees(lambda u: u.betaalruns.latest_cut_off("0632")) == VANDAAG
    assert await h.lees(lambda u: u.betaalruns.latest_cut_off("0335")) is None
    assert await h.lees(lambda u: u.betaalruns.find("0632", VANDAAG - dt.timedelta(days=7))) is None


async def test_run_numbers_are_never_given_twice(h):
    async def drie(u):
        return [await u.betaalruns.next_number() for _ in range(3)]

    nummers = await h.doe(drie) + await h.doe(drie)
    assert len(set(nummers)) == 6 and nummers == sorted(nummers)


async def test_payable_at_a_cut_off_is_declarations_booked_up_to_it_and_every_payment(h):
    await boek(h, declaratie("k1", 1000), declaratie("k2", 300, agb="12345678"),
               declaratie("w1", 50, domein="wmo", agb="34567890"),
               post("c1", ("crediteur:12345678", 400, 0), ("kosten:45", 0, 400), aanbieder="12345678", tegen="k2"),
               post("pay", ("crediteur:87654321", 600, 0), ("bank", 0, 600), soort="betaling", prestatiejaar=None))
    vandaag = await h.lees(lambda u: u.betaalruns.list_payable("0632", VANDAAG))
    # A provider whose credits exceed its debits owes the municipality: its payable is negative.
    assert vandaag == {("jw", "87654321"): 400, ("jw", "12345678"): -100, ("wmo", "34567890"): 50}
    # Booked today: not payable at yesterday's cut-off; a payment counts whenever it was made.
    assert await h.lees(lambda u: u.betaalruns.list_payable("0632", GISTEREN)) == {("jw", "87654321"): -600}
    assert await h.lees(lambda u: u.betaalruns.list_payable("1904", VANDAAG)) == {}


async def test_a_lock_is_taken_inside_the_unit_of_work(h):
    async def werk(u):
        await u.betaalruns.lock("0632")
        await u.betaalruns.lock("0632")  # held by this transaction already: no wait
        return await u.betaalruns.find("0632", VANDAAG)

    assert await h.doe(werk) is None
