"""Level 1 is the official XSD run by libxml2; what it finds is made readable (rule, path, line, found, expected, in
Dutch and English) from libxml2's error log and the XSD itself, a BSN is never echoed, and a hostile message with
a hundred thousand faults costs a fraction of a second, not minutes."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from lxml import etree

from shared.istandaard import HUIDIGE, ParseError, lees, parse_301, parse_323
from shared.istandaard.niveau1 import LARGE_MESSAGE_BYTES, SLICE, validate
from tests.conftest import FIXTURES

V323 = (FIXTURES / "jw323-voorbeeld.xml").read_bytes()
V301 = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()


def problems(data: bytes) -> list:
    with pytest.raises(ParseError) as info:
        lees(data)
    return info.value.problems


def sub(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


@pytest.mark.parametrize("old, new, rule, path_end, found, expected", [
    (b"<jw323:ProductCode>45A07<", b"<jw323:ProductCode>45A0799<", "XSD", "Prestatie[1]/ProductCode", "45A0799",
     "1–5 characters"),
    (b"<jw323:Eenheid>04<", b"<jw323:Eenheid>4<", "XSD", "Prestatie[1]/Eenheid", "4", "one of 01, 04, 14"),
    (b"<ijw:Dagtekening>2026-05-04<", b"<ijw:Dagtekening>2026-02-30<", "XSD", "BerichtIdentificatie/Dagtekening",
     "2026-02-30", "date YYYY-MM-DD"),
    (b"<jw323:DeclaratieNummer>D202604001<", b"<jw323:DeclaratieNummer>D2026-04001<", "CS319",
     "Declaratie/DeclaratieNummer", "D2026-04001", "letters and digits only"),
    (b"<jw323:BerichtCode>490<", b"<jw323:BerichtCode>484<", "RS010", "Header/BerichtCode", "484", "490"),
    (b"<jw323:GeleverdVolume>", b"<jw323:GeleverdVolume>x", "XSD", "Prestatie[1]/GeleverdVolume", None,
     "whole number 0–99999999"),
    (b"<jw323:ProductCode>45A07<", b"<jw323:ProductCode><", "RS033", "Prestatie[1]/ProductCode", "", "not blank"),
])
def test_a_value_that_does_not_fit_its_type_says_what_was_found_and_expected(old, new, rule, path_end, found,
                                                                              expected):
    (p,) = problems(sub(V323, old, new))
    assert p.rule == rule and p.path.startswith("/Bericht/") and p.path.endswith(path_end)
    if found is not None:
        assert p.found == found
    assert expected in p.expected
    nl, en = p.message.split(" / ")
    assert nl and en and p.line is not None


def test_a_missing_element_is_named_with_its_place():
    (p,) = problems(sub(V323, b"<jw323:ToewijzingNummer>400124</jw323:ToewijzingNummer>", b""))
    assert p.path == "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/ToewijzingNummer"
    assert "Required element ToewijzingNummer is missing" in p.message and p.line is not None


def test_an_element_out_of_place_names_what_was_expected_there():
    (p,) = problems(sub(V323, b"</jw323:Eenheid>", b"</jw323:Eenheid><jw323:Extra>1</jw323:Extra>"))
    assert p.found == "Extra" and "ProductTarief" in p.expected and "is not allowed here" in p.message


def test_attributes_and_text_between_elements_are_refused():
    (a,) = problems(sub(V323, b"<jw323:DeclaratieNummer>", b'<jw323:DeclaratieNummer id="1">'))
    assert a.path.endswith("DeclaratieNummer/@id") and a.found == "id"
    (t,) = problems(sub(V323, b"</jw323:DeclaratieNummer>", b"</jw323:DeclaratieNummer>tekst"))
    assert t.found == "tekst" and "Text between elements" in t.message


def test_a_bsn_is_never_echoed_and_nine_digit_numbers_are_masked():
    (p,) = problems(sub(V323, b"<jw323:Bsn>999990019<", b"<jw323:Bsn>99999001<"))
    assert p.found == "***" and "99999001" not in p.message + p.expected
    # A BSN whose tag went missing is text out of place: still masked.
    out_of_place = sub(V323, b"<jw323:Bsn>999990019</jw323:Bsn>", b"<jw323:Bsnn>999990019</jw323:Bsnn>")
    assert all("999990019" not in str(q.as_dict()) for q in problems(out_of_place))


def test_problems_are_all_reported_not_just_the_first():
    data = V323.replace(b"<ijw:DebetCredit>D</ijw:DebetCredit>", b"<ijw:DebetCredit>X</ijw:DebetCredit>", 3)
    assert len(problems(data)) == 3


def test_a_year_the_xsd_allows_but_no_date_can_hold_is_refused_at_level_1():
    # xs:date admits years beyond 9999; no system on either side can mean one. Listed in the README.
    data = sub(V323, b"<jw323:DeclaratieDagtekening>2026-05-04<", b"<jw323:DeclaratieDagtekening>12026-05-04<")
    assert HUIDIGE.soort("jw", "323").xmlschema.validate(etree.fromstring(data))
    (p,) = problems(data)
    assert p.rule == "JAAR" and p.path == "/Bericht/Declaratie/DeclaratieDagtekening" and p.line == 25
    with pytest.raises(ParseError):
        parse_323(data)  # the hot path refuses it the same way


def test_the_end_of_the_day_24_00_00_orders_after_every_other_time():
    tijd = parse_301(sub(V301, b"<jw301:Toewijzingstijd>10:15:00<", b"<jw301:Toewijzingstijd>24:00:00<"))
    assert tijd.toewijzingen[0].toewijzingstijd == dt.time(23, 59, 59, 999_999)


def _many_clients(n: int, client: bytes) -> bytes:
    i, j = V323.index(b"<jw323:Client>"), V323.rindex(b"</jw323:Clienten>")
    return V323[:i] + client * n + V323[j:]


def test_a_hundred_thousand_faulty_clients_get_the_first_hundred_problems_fast():
    data = _many_clients(100_000, b"<jw323:Client><jw323:Bsn>x</jw323:Bsn></jw323:Client>")
    started = time.process_time()
    found = problems(data)
    spent = time.process_time() - started
    assert len(found) == 101 and found[-1].message.startswith("Meer dan 100 problemen")
    assert all(p.found in (None, "***") for p in found)
    # Not a timing assertion on speed, a bound on a quadratic blow-up (minutes before slicing).
    assert spent < 30, spent


def _client(bsn: bytes = b"999990019") -> bytes:
    start = V323.index(b"<jw323:Client>")
    return V323[start:V323.index(b"</jw323:Client>", start) + len(b"</jw323:Client>")].replace(b"999990019", bsn)


@pytest.mark.parametrize("bad_at", [None, 0, SLICE - 1, SLICE, 3 * SLICE + 7])
def test_a_large_message_validated_in_slices_gets_the_verdict_of_the_whole(bad_at):
    clients = [_client()] * (4 * SLICE)
    if bad_at is not None:
        clients[bad_at] = _client(b"99999001X")
    i, j = V323.index(b"<jw323:Client>"), V323.rindex(b"</jw323:Clienten>")
    data = V323[:i] + b"".join(clients) + V323[j:]
    assert len(data) > LARGE_MESSAGE_BYTES
    soort = HUIDIGE.soort("jw", "323")
    whole = soort.xmlschema.validate(etree.fromstring(data))
    root = etree.fromstring(data)
    if bad_at is None:
        assert whole
        validate(root, soort, len(data))
        return
    assert not whole
    with pytest.raises(ParseError) as info:
        validate(root, soort, len(data))
    (p,) = info.value.problems
    assert p.path == f"/Bericht/Declaratie/Clienten/Client[{bad_at + 1}]/Bsn" and p.found == "***"
    # The tree is whole again afterwards: every client back in its place.
    assert len(root.find(".//{*}Clienten")) == 4 * SLICE
