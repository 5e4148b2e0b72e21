"""Who submits what, a ZIP batch read defensively, and the rate limit per party (all pure)."""

from __future__ import annotations

import io
import zipfile

import pytest

from berichtenverkeer.domain.batch import MAX_BERICHTEN, BatchError, berichten_uit_zip
from berichtenverkeer.domain.routering import STROMEN, indienende_partij, partijen, retourcodes
from shared.platform.ratelimit import RateLimiter


def test_every_heen_message_of_the_standard_has_one_submitter_and_the_back_office_makes_the_rest():
    assert {t for t, s in STROMEN.items() if s.indiener == "aanbieder"} == {"302", "305", "307", "315", "317", "320",
                                                                            "323"}
    assert {t for t, s in STROMEN.items() if s.indiener == "gemeente"} == {"301", "319"}
    assert not {"306", "308", "316", "318", "325"} & set(STROMEN)


def test_a_providers_retour_keeps_the_municipality_as_afzender():
    # IV028: the 302 copies the 301 header, so Afzender is the municipality and the provider is Ontvanger.
    s302 = STROMEN["302"]
    assert partijen(s302, "0632", "87654321") == ("0632", "87654321")
    assert indienende_partij(s302, "0632", "87654321") == "87654321"
    s323 = STROMEN["323"]
    assert partijen(s323, "87654321", "0632") == ("0632", "87654321")
    assert indienende_partij(s323, "87654321", "0632") == "87654321"


def test_retourcodes_other_than_0200_anywhere_make_a_rejection():
    accepted = {"Header": {}, "Client": {"RetourCodes": {"RetourCode": ["0200"]}}}
    rejected = {"Header": {}, "Client": {"ToegewezenProducten": {"ToegewezenProduct": [
        {"RetourCodes": {"RetourCode": ["0200"]}}, {"RetourCodes": {"RetourCode": ["9332", "0200"]}}]}}}
    assert retourcodes({"Header": {}}) == [] and retourcodes(accepted) == []
    assert retourcodes(rejected) == ["9332"]


def zip_of(files: dict[str, bytes], **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data, **kw)
    return buf.getvalue()


def test_a_zip_of_up_to_30_messages_is_read_in_order():
    files = {f"bericht-{i:02d}.xml": f"<Bericht n='{i}'/>".encode() for i in range(MAX_BERICHTEN)}
    assert berichten_uit_zip(zip_of(files), 1000) == list(files.items())


@pytest.mark.parametrize("files, status, fragment", [
    ({f"b{i}.xml": b"<x/>" for i in range(MAX_BERICHTEN + 1)}, 413, "31 files"),
    ({"map/b.xml": b"<x/>"}, 400, "top level"),
    ({"b.txt": b"<x/>"}, 400, "only .xml"),
    ({"bom.xml": b"\0" * 5000}, 413, "larger than 25 MB"),  # with a 4,000-byte limit for the test
    ({}, 400, "holds no messages"),
])
def test_a_zip_that_breaks_a_limit_is_refused_with_the_reason(files, status, fragment):
    with pytest.raises(BatchError) as exc:
        berichten_uit_zip(zip_of(files), 4000)
    assert exc.value.status == status and fragment in exc.value.error


@pytest.mark.parametrize("groottes, geweigerd", [
    ((4000, 4000, 2000), False),  # exactly the total cap (10,000 bytes in the test)
    ((4000, 4000, 2001), True),  # one byte over: refused at the third file, before it is read whole
])
def test_a_batch_may_unpack_to_at_most_the_total_cap(groottes, geweigerd):
    files = {f"b{i}.xml": b"x" * n for i, n in enumerate(groottes)}
    if not geweigerd:
        assert [len(inhoud) for _naam, inhoud in berichten_uit_zip(zip_of(files), 4000, 10_000)] == list(groottes)
        return
    with pytest.raises(BatchError) as exc:
        berichten_uit_zip(zip_of(files), 4000, 10_000)
    assert exc.value.status == 413 and "unpacks to more than" in exc.value.error and "'b2.xml'" in exc.value.error


def test_a_zip_bomb_is_stopped_while_unpacking_even_if_its_header_lies():
    data = bytearray(zip_of({"bom.xml": b"\0" * 50_000}))
    # Patch the uncompressed size in the central directory to 10 bytes: the reader must not trust it.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(BatchError) as exc:
        berichten_uit_zip(bytes(data), 4000)
    assert exc.value.status in (400, 413)


def test_not_a_zip_is_a_400():
    with pytest.raises(BatchError) as exc:
        berichten_uit_zip(b"PK\x03\x04 not really", 4000)
    assert exc.value.status == 400 and "not a readable ZIP" in exc.value.error


def test_the_rate_limit_allows_the_burst_then_the_rate_and_keeps_parties_apart():
    limiter = RateLimiter(per_seconde=2, burst=3)
    assert [limiter.toestaan("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.toestaan("a", 0.0) == pytest.approx(0.5)  # one token comes back after 1/rate seconds
    assert limiter.toestaan("b", 0.0) == 0.0  # another party is not slowed down
    assert limiter.toestaan("a", 0.49) > 0
    assert limiter.toestaan("a", 0.5) == 0.0
    assert limiter.toestaan("a", 100.0) == 0.0 and limiter.toestaan("a", 100.0) == 0.0  # back to the burst


def test_a_rate_of_zero_switches_the_limit_off():
    limiter = RateLimiter(per_seconde=0, burst=1)
    assert all(limiter.toestaan("a", 0.0) == 0.0 for _ in range(1000))
