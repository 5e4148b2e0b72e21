"""The archive's hash chain (pure): every way of tampering with archived messages breaks it, at the right link."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from berichtenverkeer.domain.archief import (
    BEGIN,
    Gearchiveerd,
    Kop,
    Schakel,
    bewaren_tot,
    controleer_keten,
    keten_partij,
    volgende_schakel,
)

T0 = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
VANDAAG = dt.date(2026, 11, 23)


def keten(n: int, partij: str = "87654321") -> list[Gearchiveerd]:
    links, vorige = [], BEGIN
    for i in range(1, n + 1):
        inhoud = f"<Bericht nr='{i}'/>".encode()
        s = Schakel(partij, i, f"00000000-0000-0000-0000-{i:012d}", "in", "323", hashlib.sha256(inhoud).hexdigest(),
                    T0 + dt.timedelta(seconds=i, microseconds=7), dt.date(2033, 11, 23), vorige)
        links.append(Gearchiveerd(s, s.hash(), sha(inhoud)))
        vorige = s.hash()
    return links


def sha(inhoud: bytes) -> str:
    return hashlib.sha256(inhoud).hexdigest()


def kop(links):
    return Kop(links[-1].schakel.volgnummer, links[-1].keten_hash)


def test_an_untouched_chain_has_no_breaks():
    links = keten(5)
    assert controleer_keten("87654321", links, kop(links), VANDAAG) == []
    assert controleer_keten("87654321", [], None, VANDAAG) == []


def test_the_hash_depends_on_every_field_and_the_time_to_the_microsecond():
    s = keten(1)[0].schakel
    changed = [dataclasses.replace(s, **{f.name: v}) for f, v in zip(dataclasses.fields(s), (
        "87654322", 2, "00000000-0000-0000-0000-000000000009", "uit", "325", "0" * 64,
        s.opgeslagen_at + dt.timedelta(microseconds=1), s.bewaren_tot + dt.timedelta(days=1), "1" * 64))]
    assert len(changed) == len(dataclasses.fields(s))
    assert len({c.hash() for c in changed} | {s.hash()}) == len(changed) + 1
    # The same moment in another time zone is the same moment: the same hash.
    assert dataclasses.replace(s, opgeslagen_at=s.opgeslagen_at.astimezone(
        dt.timezone(dt.timedelta(hours=1)))).hash() == s.hash()


def test_changed_content_is_found_at_its_link():
    links = keten(4)
    links[2] = dataclasses.replace(links[2], inhoud_sha256=sha(b"<Bericht nr='8'/>"))
    (breuk,) = controleer_keten("87654321", links, kop(links), VANDAAG)
    assert (breuk.volgnummer, breuk.reden) == (3, "content changed (SHA-256 differs)")


def test_changed_content_with_a_recomputed_content_hash_breaks_the_link_hash():
    links = keten(4)
    inhoud = b"<Bericht nr='vervalst'/>"
    s = dataclasses.replace(links[1].schakel, sha256=hashlib.sha256(inhoud).hexdigest())
    links[1] = Gearchiveerd(s, links[1].keten_hash, sha(inhoud))
    breuken = controleer_keten("87654321", links, kop(links), VANDAAG)
    assert [(b.volgnummer, b.reden.split(" (")[0]) for b in breuken] == [(2, "link hash does not match its metadata")]


def test_a_rewritten_link_with_a_new_hash_breaks_the_next_link():
    links = keten(4)
    s = dataclasses.replace(links[1].schakel, berichttype="301")
    links[1] = Gearchiveerd(s, s.hash(), links[1].inhoud_sha256)
    (breuk,) = controleer_keten("87654321", links, kop(links), VANDAAG)
    assert breuk.volgnummer == 3 and breuk.reden.startswith("previous hash does not match")


def test_a_removed_link_is_found():
    links = keten(5)
    del links[2]
    redenen = [(b.volgnummer, b.reden.split(" (")[0]) for b in controleer_keten("87654321", links, kop(links),
                                                                                 VANDAAG)]
    assert redenen == [(3, "links 3..3 are missing"), (4, "previous hash does not match the link before it")]


def test_links_cut_off_the_end_are_found_against_the_head():
    links = keten(5)
    head = kop(links)
    (breuk,) = controleer_keten("87654321", links[:3], head, VANDAAG)
    assert breuk.volgnummer == 5 and "chain ends at link 3" in breuk.reden
    (breuk,) = controleer_keten("87654321", links, None, VANDAAG)
    assert breuk.reden == "chain head missing"


@pytest.mark.parametrize("bewaard_tot, breuken", [(dt.date(2026, 11, 22), 0), (dt.date(2026, 11, 23), 1)])
def test_content_may_be_erased_only_after_its_retention(bewaard_tot, breuken):
    links, vorige = [], BEGIN
    for i, link in enumerate(keten(2)):
        s = dataclasses.replace(link.schakel, bewaren_tot=bewaard_tot if i == 0 else link.schakel.bewaren_tot,
                                vorige_hash=vorige)
        links.append(Gearchiveerd(s, s.hash(), None if i == 0 else link.inhoud_sha256))
        vorige = s.hash()
    assert len(controleer_keten("87654321", links, kop(links), VANDAAG)) == breuken


@pytest.mark.parametrize("dag, jaren, tot", [
    (dt.date(2026, 11, 23), 7, dt.date(2033, 11, 23)),
    (dt.date(2028, 2, 29), 7, dt.date(2035, 2, 28)),  # no 29 February in 2035
    (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 29)),
])
def test_retention_ends_the_same_day_n_years_later(dag, jaren, tot):
    assert bewaren_tot(dag, jaren) == tot


def test_the_next_link_follows_the_head_and_is_kept_from_the_dutch_date_it_was_stored():
    kop = Kop(41, "a" * 64)
    # 23:30 UTC on 29 February 2028 is 1 March in the Netherlands: kept until 1 March 2035.
    s = volgende_schakel(kop, partij="87654321", bericht_id="b", richting="uit", berichttype="325", sha256="c" * 64,
                         opgeslagen_at=dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC), bewaartermijn_jaren=7)
    assert (s.volgnummer, s.vorige_hash, s.bewaren_tot) == (42, "a" * 64, dt.date(2035, 3, 1))
    assert volgende_schakel(Kop(), partij="0632", bericht_id="b", richting="in", berichttype="301", sha256="c" * 64,
                            opgeslagen_at=T0, bewaartermijn_jaren=7).vorige_hash == BEGIN
    # The sender's chain for what came in, the addressee's for what went out.
    assert keten_partij("in", "87654321", "0632") == keten_partij("uit", "0632", "87654321") == "87654321"
