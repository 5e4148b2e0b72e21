"""What the gateway refuses before anything is stored (pure: controleer_inzending), at the boundaries: the day a
municipality joins (ingroeimodel), who may submit which type, and as whom."""

from __future__ import annotations

import datetime as dt

import pytest

from berichtenverkeer.domain.fouten import Geweigerd, NietBevoegd, NietVerwerkbaar
from berichtenverkeer.domain.inzending import controleer_inzending
from shared.platform.partij import Party
from shared.platform.regio import load_regio
from tests.conftest import FIXTURES
from tools.checkout import DEFAULT_REGIO

AANBIEDER = Party("aanbieder", "87654321")
ANDERE_AANBIEDER = Party("aanbieder", "12345678")
WOERDEN = Party("gemeente", "0632")
MONTFOORT = Party("gemeente", "0335")
VANDAAG = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def regio():
    return load_regio(DEFAULT_REGIO)


@pytest.fixture
def woerden_joins_tomorrow(regio):
    gemeente = regio.gemeente("0632")
    return regio.model_copy(update={"gemeenten": [
        g.model_copy(update={"aangesloten_per": VANDAAG + dt.timedelta(days=1)}) if g is gemeente else g
        for g in regio.gemeenten]})


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def refused(party, name, regio, dag=VANDAAG) -> Geweigerd:
    with pytest.raises(Geweigerd) as exc:
        controleer_inzending(raw(name), party, regio, dag)
    return exc.value


@pytest.mark.parametrize("name, party", [("jw323-voorbeeld.xml", AANBIEDER), ("jw315-voorbeeld.xml", AANBIEDER),
                                         ("jw301-voorbeeld.xml", WOERDEN), ("jw319-voorbeeld.xml", WOERDEN)])
def test_a_municipality_is_served_from_the_day_it_joins(woerden_joins_tomorrow, name, party):
    exc = refused(party, name, woerden_joins_tomorrow)
    assert isinstance(exc, NietVerwerkbaar) and "joins the regional back office on 2026-11-24" in exc.body["error"]
    a = controleer_inzending(raw(name), party, woerden_joins_tomorrow, VANDAAG + dt.timedelta(days=1))
    assert a.gemeente == "0632"


@pytest.mark.parametrize("name, party, soort, fragment", [
    ("jw301-voorbeeld.xml", AANBIEDER, NietBevoegd, "aanbieder may not submit a 301"),
    ("jw319-voorbeeld.xml", AANBIEDER, NietBevoegd, "aanbieder may not submit a 319"),
    ("jw302-voorbeeld.xml", WOERDEN, NietBevoegd, "gemeente may not submit a 302"),
    ("jw315-voorbeeld.xml", WOERDEN, NietBevoegd, "gemeente may not submit a 315"),
    ("jw323-voorbeeld.xml", ANDERE_AANBIEDER, NietBevoegd, "Afzender 87654321 is not the AGB code"),
    ("jw317-voorbeeld.xml", ANDERE_AANBIEDER, NietBevoegd, "Afzender 87654321 is not the AGB code"),
    ("jw301-voorbeeld.xml", MONTFOORT, NietBevoegd, "Afzender 0632 is not the CBS code"),
    ("jw319-voorbeeld.xml", MONTFOORT, NietBevoegd, "Afzender 0632 is not the CBS code"),
    # A retour copies the heen header: only the heen's addressee (Ontvanger) may send it.
    ("jw302-voorbeeld.xml", ANDERE_AANBIEDER, NietBevoegd, "Ontvanger 87654321 is not the AGB code"),
    ("jw320-voorbeeld.xml", ANDERE_AANBIEDER, NietBevoegd, "Ontvanger 87654321 is not the AGB code"),
    ("jw306-voorbeeld.xml", AANBIEDER, NietVerwerkbaar, "not submitted to this gateway"),
    ("jw325-voorbeeld-0611.xml", WOERDEN, NietVerwerkbaar, "not submitted to this gateway"),
])
def test_who_may_submit_what_and_as_whom(regio, name, party, soort, fragment):
    exc = refused(party, name, regio)
    assert type(exc) is soort and fragment in exc.body["error"], exc.body


@pytest.mark.parametrize("name, party, afzender, ontvanger", [
    ("jw302-voorbeeld.xml", AANBIEDER, "87654321", "0632"),  # the provider sent it, whatever the copied header says
    ("jw320-voorbeeld.xml", AANBIEDER, "87654321", "0632"),
    ("jw315-voorbeeld.xml", AANBIEDER, "87654321", "0632"),
    ("jw319-voorbeeld.xml", WOERDEN, "0632", "87654321"),
    ("jw305-voorbeeld.xml", AANBIEDER, "87654321", "0632"),
])
def test_accepted_messages_are_stored_with_their_real_sender_and_addressee(regio, name, party, afzender, ontvanger):
    a = controleer_inzending(raw(name), party, regio, VANDAAG)
    assert (a.afzender, a.ontvanger, a.gemeente, a.aanbieder) == (afzender, ontvanger, "0632", "87654321")


def test_a_319_to_a_provider_outside_the_region_is_a_routing_error(regio):
    body = raw("jw319-voorbeeld.xml").replace(b"<jw319:Ontvanger>87654321", b"<jw319:Ontvanger>99999999")
    with pytest.raises(NietVerwerkbaar) as exc:
        controleer_inzending(body, WOERDEN, regio, VANDAAG)
    assert "provider 99999999 is not known" in exc.value.body["error"]


def test_a_request_keeps_its_references_and_a_retour_its_codes(regio):
    assert controleer_inzending(raw("jw315-voorbeeld.xml"), AANBIEDER, regio, VANDAAG).referenties == ("VOT-2026-0007",)
    assert controleer_inzending(raw("jw319-voorbeeld.xml"), WOERDEN, regio, VANDAAG).referenties == ("VOT-2026-0007",)
    a = controleer_inzending(raw("jw320-voorbeeld.xml"), AANBIEDER, regio, VANDAAG)
    assert a.retourcodes == ("9379",) and a.identificatie == "ANTW2604-011"
