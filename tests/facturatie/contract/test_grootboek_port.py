"""One behaviour suite for the ledger port (`Grootboek`), on the in-memory fake and on PostgreSQL: what the use-case
tests rely on from the fake is what the real ledger does."""

from __future__ import annotations

import datetime as dt

import pytest

from facturatie.domain.betaalrun import Betaling, nieuwe_betaalrun
from facturatie.domain.grootboek import Regel
from facturatie.domain.overzichten import Boekingsregel, Saldo
from tests.facturatie.contract.harness import ALLEEN_LEZEN, DUBBEL, VANDAAG, boek, declaratie, post


async def test_a_booked_key_has_its_fingerprint_and_an_unbooked_one_none(h):
    a = declaratie("k1", 100)
    await h.doe(lambda u: u.grootboek.add([a], ["vingerafdruk-1"]))
    assert await h.lees(lambda u: u.grootboek.find_fingerprints(["k1", "k2"])) == {"k1": "vingerafdruk-1"}
    assert await h.lees(lambda u: u.grootboek.find_fingerprints([])) == {}


async def test_the_journal_is_append_only_a_key_is_booked_once(h):
    await boek(h, declaratie("k1", 100))
    with pytest.raises(DUBBEL):
        await boek(h, declaratie("k2", 5), declaratie("k1", 100))
    # The failed unit of work left nothing: k2 is not booked, the balances are the first entry's.
    geboekt = await h.lees(lambda u: u.grootboek.find_fingerprints(["k1", "k2"]))
    assert geboekt == {"k1": declaratie("k1", 100).inhoud_hash}
    assert await h.lees(lambda u: u.grootboek.list_balances("0632", None)) == [
        Saldo("jw", "crediteur:87654321", -100), Saldo("jw", "kosten:45", 100)]


async def test_balances_are_netted_per_account_by_domain_and_code(h):
    await boek(h, declaratie("k1", 100), declaratie("k2", 40, cat="43"), declaratie("w1", 7, domein="wmo"))
    await boek(h, post("c1", ("crediteur:87654321", 100, 0), ("kosten:45", 0, 100), tegen="k1"))
    assert await h.lees(lambda u: u.grootboek.list_balances("0632", None)) == [
        Saldo("jw", "crediteur:87654321", -40), Saldo("jw", "kosten:43", 40), Saldo("jw", "kosten:45", 0),
        Saldo("wmo", "crediteur:87654321", -7), Saldo("wmo", "kosten:45", 7)]
    assert await h.lees(lambda u: u.grootboek.list_balances("0632", "wmo")) == [
        Saldo("wmo", "crediteur:87654321", -7), Saldo("wmo", "kosten:45", 7)]
    assert await h.lees(lambda u: u.grootboek.list_balances("1904", None)) == []


async def test_an_entry_is_found_with_its_lines_and_year_but_not_without_lines(h):
    await boek(h, declaratie("k1", 100), post("nul"))  # a zero-amount line is recorded without lines
    gevonden = await h.lees(lambda u: u.grootboek.find_entries(["k1", "nul", "onbekend"]))
    assert list(gevonden) == ["k1"]
    k1 = gevonden["k1"]
    assert (k1.gemeente, k1.domein, k1.prestatiejaar, k1.soort) == ("0632", "jw", 2026, "prestatie")
    assert sorted(k1.regels) == [Regel("crediteur:87654321", 0, 100), Regel("kosten:45", 100, 0)]
    assert await h.lees(lambda u: u.grootboek.find_fingerprints(["nul"])) == {"nul": post("nul").inhoud_hash}


async def test_refused_entries_are_kept_for_finance(h):
    await h.doe(lambda u: u.grootboek.record_refused([declaratie("k1", 1, bericht_id="b7")], "zelfde sleutel"))
    await h.doe(lambda u: u.grootboek.record_refused([], "niets"))
    assert await h.geweigerd() == [("k1", "b7")]


async def test_a_ceiling_counts_payable_from_declarations_for_care_in_its_year(h):
    await boek(h, declaratie("k1", 600), declaratie("k2", 300, prestatiejaar=2025),
               declaratie("k3", 50, agb="12345678"),
               post("c1", ("crediteur:87654321", 100, 0), ("kosten:45", 0, 100), tegen="k1"),
               post("pay", ("crediteur:87654321", 200, 0), ("bank", 0, 200), soort="betaling", prestatiejaar=None))
    sleutels = [("0632", "jw", "87654321", 2026), ("0632", "jw", "87654321", 2025), ("0632", "jw", "99999999", 2026)]

    async def werk(u):
        return await u.grootboek.lock_ceilings(sleutels)

    # Payments give no room back; a ceiling nothing was made payable against is absent.
    assert await h.doe(werk) == {("0632", "jw", "87654321", 2026): 500, ("0632", "jw", "87654321", 2025): 300}
    assert await h.doe(lambda u: u.grootboek.lock_ceilings([])) == {}


async def test_the_journal_lists_entries_oldest_first_debit_lines_first_with_filters_and_pages(h):
    await boek(h, declaratie("k1", 100, bericht_id="A"), declaratie("k2", 40, cat="43", bericht_id="B"))
    await boek(h, declaratie("w1", 7, domein="wmo", bericht_id="A"),
               post("pay", ("crediteur:87654321", 100, 0), ("bank", 0, 100), soort="betaling", bericht_id="run"))

    async def sleutels(**filters):
        filters = {"bericht_id": None, "limit": 10, "na_id": 0, **filters}
        return [p.idempotentie_sleutel for p in await h.lees(lambda u: u.grootboek.list_journal("0632", **filters))]

    alles = await h.lees(lambda u: u.grootboek.list_journal("0632", bericht_id=None, limit=10, na_id=0))
    assert [p.idempotentie_sleutel for p in alles] == ["k1", "k2", "w1", "pay"]
    assert alles[0].regels == (Boekingsregel("kosten:45", 100, 0), Boekingsregel("crediteur:87654321", 0, 100))
    assert (alles[0].bericht_id, alles[0].soort, alles[0].omschrijving, alles[0].tegenboeking_van) == (
        "A", "prestatie", "post k1", None)
    assert alles[0].geboekt_at.tzinfo is not None and alles[0].id < alles[1].id
    assert await sleutels(bericht_id="A") == ["k1", "w1"] and await sleutels(bericht_id="C") == []
    assert await sleutels(domein="wmo") == ["w1"] and await sleutels(soort="betaling") == ["pay"]
    assert await sleutels(rekening="kosten:43") == ["k2"] and await sleutels(rekening="bank") == ["pay"]
    assert await sleutels(van=VANDAAG, tot=VANDAAG) == ["k1", "k2", "w1", "pay"]
    assert await sleutels(van=VANDAAG + dt.timedelta(days=1)) == [] == await sleutels(tot=VANDAAG - dt.timedelta(1))
    assert await sleutels(limit=2) == ["k1", "k2"] and await sleutels(na_id=alles[1].id, limit=1) == ["w1"]
    assert await h.lees(lambda u: u.grootboek.list_journal("1904", bericht_id=None, limit=10, na_id=0)) == []


async def test_a_lines_history_is_its_entries_and_the_first_run_after_it_that_paid_its_provider(h):
    await boek(h, declaratie("87654321:jw:R1", 100), declaratie("87654321:jw:R2", 5),
               post("87654321:jw:C1", ("crediteur:87654321", 100, 0), ("kosten:45", 0, 100), tegen="87654321:jw:R1"))
    assert await h.lees(lambda u: u.grootboek.find_line_history("0632", "87654321:jw:R9")) is None
    zonder = await h.lees(lambda u: u.grootboek.find_line_history("0632", "87654321:jw:R1"))
    assert [p.idempotentie_sleutel for p in zonder.boekingen] == ["87654321:jw:R1", "87654321:jw:C1"]
    assert zonder.betaald is None

    async def runs(u):  # yesterday, today and tomorrow, each paying the provider its run number in cents
        nummers = []
        for dagen in (-1, 0, 1):
            nummers.append(await u.betaalruns.next_number())
            peil = VANDAAG + dt.timedelta(days=dagen)
            await u.betaalruns.add(nieuwe_betaalrun(nummers[-1], "0632", peil, peil,
                                                    [Betaling("jw", "87654321", nummers[-1])], b"<xml/>"))
        return nummers[-1]

    laatste = await h.doe(runs)
    betaald = (await h.lees(lambda u: u.grootboek.find_line_history("0632", "87654321:jw:R1"))).betaald
    # Yesterday's run came before the line was booked; today's is the first after it.
    assert (betaald.betaalrun_id, betaald.peildatum, betaald.overboeking_cent) == (laatste - 1, VANDAAG, laatste - 1)
    assert betaald.end_to_end_id == f"0632-{VANDAAG:%Y%m%d}-jw-87654321"
    assert await h.lees(lambda u: u.grootboek.find_line_history("1904", "87654321:jw:R1")) is None


async def test_costs_and_ceiling_usage_are_summed_per_category_and_provider(h):
    await boek(h, declaratie("k1", 100), declaratie("k2", 40, cat="43"), declaratie("k3", 60),
               declaratie("w1", 7, domein="wmo", agb="34567890"),
               post("k4", ("kosten:45", 30, 0), ("crediteur:87654321", 0, 20), ("ingehouden:87654321", 0, 10)),
               post("c1", ("crediteur:87654321", 60, 0), ("kosten:45", 0, 60), tegen="k3"),
               post("gr", ("kosten:gr", 9, 0), ("schuld:gr", 0, 9), soort="kostenverdeling", prestatiejaar=None))
    kosten = await h.lees(lambda u: u.grootboek.costs_per_category("0632", VANDAAG.year))
    assert kosten == {("jw", "45"): 130, ("jw", "43"): 40, ("wmo", "45"): 7, ("jw", "gr"): 9}
    assert await h.lees(lambda u: u.grootboek.costs_per_category("0632", VANDAAG.year - 1)) == {}
    gebruik = await h.lees(lambda u: u.grootboek.ceiling_usage("0632", 2026))
    assert gebruik == {("jw", "87654321"): (160, 10), ("wmo", "34567890"): (7, 0)}
    assert await h.lees(lambda u: u.grootboek.ceiling_usage("0632", 2025)) == {}


async def test_a_read_only_unit_of_work_books_nothing(h):
    async with h.make(readonly=True) as u:
        with pytest.raises(ALLEEN_LEZEN):
            await u.grootboek.add([declaratie("k1", 1)], ["x"])
    assert await h.lees(lambda u: u.grootboek.find_fingerprints(["k1"])) == {}
