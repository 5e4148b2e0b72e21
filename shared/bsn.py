"""BSN 11-proef (CS002) and masking. A BSN is personal data: show only a mask outside message content."""

from __future__ import annotations

import hashlib
import hmac

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(bsn: str) -> bool:
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(_WEIGHTS, bsn)) % 11 == 0


def mask(bsn: str) -> str:
    return "*****" + bsn[-4:] if len(bsn) >= 4 else "*****"


def test_bsns(start: int = 999_900_000):
    """Valid test BSNs in the range the chain reserves for tests (999900006–999999990)."""
    n = start
    while n <= 999_999_990:
        s = f"{n:09d}"
        if elfproef(s):
            yield s
        n += 1


def sleutel(bsn: str, geheim: bytes) -> str:
    """Keyed pseudonym of a BSN (HMAC-SHA-256): lets a register compare clients (TR304) without storing the BSN.
    Without the secret the 10⁹ possible BSNs cannot be enumerated against it, unlike a plain hash."""
    return hmac.new(geheim, bsn.encode(), hashlib.sha256).hexdigest()[:32]
