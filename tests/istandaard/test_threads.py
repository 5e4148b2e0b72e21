"""Messages are read in a thread pool (shared.platform.werkpool), so reading must hold when threads read at once: every
invalid message refused with its problems, every valid one read, whatever runs beside it. One shared lxml XMLSchema
validating in two threads at once let a third of the invalid messages through (and then fail while being read)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from shared.istandaard import HUIDIGE, ParseError, parse_301, parse_323
from tools.checkout import PROJECT_ROOT

GOED_323 = (HUIDIGE.voorbeelden / "jw323-voorbeeld.xml").read_bytes()
GOED_301 = (HUIDIGE.voorbeelden / "jw301-voorbeeld.xml").read_bytes()
# 20,000 unknown elements in the declaration: libxml2 takes a while over it, so the threads overlap.
FOUT_323 = GOED_323.replace(b"<jw323:Declaratie>", b"<jw323:Declaratie>" + b"<x/>" * 20000, 1)


def uitkomst(parse, raw: bytes) -> str:
    try:
        parse(raw)
    except ParseError as exc:
        return "geweigerd" if exc.problems else "geweigerd zonder reden"
    except Exception as exc:  # what a race produced: a crash while reading what should have been refused
        return type(exc).__name__
    return "gelezen"


def test_messages_read_in_threads_at_once_are_each_refused_or_read_as_alone():
    werk = [(parse_323, FOUT_323, "geweigerd"), (parse_323, GOED_323, "gelezen"), (parse_301, GOED_301, "gelezen")]
    alleen = {raw: uitkomst(parse, raw) for parse, raw, _ in werk}
    assert list(alleen.values()) == [verwacht for _, _, verwacht in werk]  # each alone, in this thread
    with ThreadPoolExecutor(4) as pool:
        futures = [(raw, pool.submit(uitkomst, parse, raw)) for _ in range(100) for parse, raw, _ in werk]
        tellingen = Counter((raw is FOUT_323, f.result()) for raw, f in futures)
    assert tellingen == {(True, "geweigerd"): 100, (False, "gelezen"): 200}


# A fresh interpreter whose threads all start at once, so they also compile the schemas at the same moment: one
# compiler run in two threads at once crashed the process (SIGSEGV), and one parser shared by threads now and then
# failed a well-formed message.
KOUDE_START = """
import sys, threading
from collections import Counter
from shared.istandaard import HUIDIGE, ParseError, parse_301, parse_323
werk = [(parse_323, (HUIDIGE.voorbeelden / "jw323-voorbeeld.xml").read_bytes()),
        (parse_301, (HUIDIGE.voorbeelden / "jw301-voorbeeld.xml").read_bytes())]
uitkomsten, slot, start = Counter(), threading.Lock(), threading.Barrier(16)
def lees(i):
    start.wait()
    for k in range(30):
        parse, raw = werk[(i + k) % 2]
        try:
            parse(raw)
            uitkomst = "gelezen"
        except Exception as exc:
            uitkomst = type(exc).__name__
        with slot:
            uitkomsten[uitkomst] += 1
threads = [threading.Thread(target=lees, args=(i,)) for i in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(dict(uitkomsten))
"""


def test_threads_that_start_reading_at_once_neither_crash_nor_fail_a_good_message():
    for _ in range(5):
        r = subprocess.run([sys.executable, "-c", KOUDE_START], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, f"exit {r.returncode}: {r.stderr[-2000:]}"
        assert r.stdout.strip() == "{'gelezen': 480}", r.stdout
