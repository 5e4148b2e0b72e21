"""Standalone fuzz target for the codec: random byte-level damage to every example message, fed to the reader.

The contract: any input either reads as a message (levels 1 and 2 run, and its values write back to the same values)
or raises ParseError with problems a provider can read. Anything else — another exception, a hang, a round trip that
changes the message — is a crash: the input is saved under fuzz-crashes/ and the run exits 1.

    .venv/bin/python bench/fuzz_codec.py --seconds 60 [--seed 7]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from shared.istandaard import HUIDIGE, ParseError, lees, niveau2, write_bericht

VOORBEELDEN = HUIDIGE.voorbeelden
HOSTILE = [
    b'<!DOCTYPE Bericht [<!ENTITY x "xxxxxxxxxx">]>', b"&x;", b"&#0;", b"&#x110000;", b"\x00", b"\xff\xfe",
    b"\xef\xbb\xbf", b"<![CDATA[x]]>", b"<!-- c -->", b"<?pi x?>", b' xmlns:x="urn:x"', b' x:y="1"',
    b"<a>" * 300, b"</a>", b"\xc3\x28", b"\r", b"\t", b"  ", b"-", b"+", b"9" * 40, b"2026-02-30", b"\xe2\x80\xae",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
]


def damage(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            break
        i = rng.randrange(len(buf))
        action = rng.randrange(6)
        if action == 0:
            buf[i] = rng.randrange(256)
        elif action == 1:
            del buf[i:i + rng.randint(1, 64)]
        elif action == 2:
            j = min(len(buf), i + rng.randint(1, 256))
            buf[i:i] = buf[i:j]
        elif action == 3:
            buf[i:i] = rng.choice(HOSTILE)
        elif action == 4:  # replace one element's text with a hostile value
            start = buf.find(b">", i)
            end = buf.find(b"</", start)
            if 0 <= start < end:
                buf[start + 1:end] = rng.choice(HOSTILE)
        else:  # swap two chunks
            j = rng.randrange(len(buf))
            a, b = sorted((i, j))
            n = rng.randint(1, 32)
            buf[a:a + n], buf[b:b + n] = buf[b:b + n], buf[a:a + n]
    return bytes(buf)


def check_one(data: bytes) -> str:
    """'accepted' or 'refused'; raises AssertionError/any exception for a crash."""
    try:
        soort, _root, values = lees(data)
    except ParseError as e:
        assert e.problems and all(p.message and p.rule for p in e.problems), "refusal without readable problems"
        return "refused"
    for p in niveau2(soort, values):
        assert p.message and p.rule and p.path.startswith("/Bericht"), "a level-2 problem that says too little"
    _soort, _root, again = lees(write_bericht(soort.domein, soort.berichttype, values, soort.release))
    assert again == values, "round trip changed the message"
    return "accepted"


def run(seconds: float, seed: int, iterations: int | None = None, crash_dir: Path = Path("fuzz-crashes"),
        progress: bool = True) -> dict:
    rng = random.Random(seed)
    corpus = [p.read_bytes() for p in sorted(VOORBEELDEN.glob("*.xml"))]
    counts = {"accepted": 0, "refused": 0, "crashes": 0}
    started = last = time.monotonic()
    n = 0
    while (iterations is None and time.monotonic() - started < seconds) or (iterations is not None and n < iterations):
        data = damage(rng.choice(corpus), rng)
        n += 1
        try:
            counts[check_one(data)] += 1
        except Exception:
            counts["crashes"] += 1
            crash_dir.mkdir(exist_ok=True)
            path = crash_dir / f"crash-{hashlib.sha256(data).hexdigest()[:16]}.xml"
            path.write_bytes(data)
            print(f"CRASH saved to {path}:\n{traceback.format_exc()}", file=sys.stderr)
        if progress and time.monotonic() - last >= 5:
            last = time.monotonic()
            print(f"  {n:,} inputs, {counts}", flush=True)
    counts["inputs"] = n
    counts["inputs_per_s"] = round(n / max(time.monotonic() - started, 1e-9))
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    print(f"fuzzing the codec for {args.seconds:g} s (seed {args.seed}) ...", flush=True)
    result = run(args.seconds, args.seed)
    print(result)
    if result["crashes"]:
        print("crashes found: reproduce with the saved files and `backoffice check FILE`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
