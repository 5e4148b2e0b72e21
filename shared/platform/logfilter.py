"""Repeated warnings in the services' logs are summarised instead of repeated.

While Kafka is away, aiokafka logs the same connection error for every node, consumer and retry: about a
hundred lines a second per service (measured in tests/system/test_faults.py: 1,190 lines in one 13 s
broker restart). The first of a kind is logged; the same kind again within the window is counted, and the
next one logged after the window says how many were left out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RepeatFilter(logging.Filter):
    """Lets through the first record of each (logger, message template, level) per `window` seconds."""

    def __init__(self, window: float = 10.0, prefixes: tuple[str, ...] = ("aiokafka",),
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.window, self.prefixes, self.clock = window, prefixes, clock
        self._seen: dict[tuple, tuple[float, int]] = {}  # kind -> (last logged at, suppressed since)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith(self.prefixes):
            return True
        kind = (record.name, record.msg, record.levelno)
        now = self.clock()
        logged_at, suppressed = self._seen.get(kind, (None, 0))
        if logged_at is not None and now - logged_at < self.window:
            self._seen[kind] = (logged_at, suppressed + 1)
            return False
        if len(self._seen) > 1000:  # message templates are few; this only guards against unbounded growth
            self._seen.clear()
        self._seen[kind] = (now, 0)
        if suppressed:
            record.msg = f"{record.msg} ({suppressed} more like this in the last {self.window:.0f}s not logged)"
        return True


def install(window: float = 10.0) -> None:
    """On every handler of the root logger (call after logging.basicConfig)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatFilter(window))
