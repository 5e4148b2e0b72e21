"""CPU-heavy steps (reading and checking a 25 MB message, unpacking a batch) run in a small thread pool, off the
event loop, so `/health`, the Kafka consumers and every other request keep being answered meanwhile.

Threads rather than processes: libxml2 parses and validates with the GIL released (lxml's `nogil`), so the heavy part
runs truly in parallel, and the result (the message's model, ~200 MB for a 25 MB declaration) needs no pickling back.
What stays Python holds the GIL in 5 ms slices, which still leaves the loop its turns. The pool is bounded, so many
large messages at once queue instead of each taking its share of memory."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# As many as a small machine has cores: more would only share them (and hold more messages in memory at once).
WORKERS = min(4, os.cpu_count() or 2)
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="rekenwerk")


async def buiten_de_lus(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in the pool, in the caller's context (its trace span), awaited."""
    context = contextvars.copy_context()
    call = functools.partial(context.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)


# Below this many declaration lines the work takes a few milliseconds: handing it to a thread and back would cost
# more than the loop gains, so it runs inline.
KLEIN_REGELS = 1000


async def naar_omvang(regels: int, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn` inline for a small message, in the pool for a large one (`regels` declaration lines or so)."""
    if regels < KLEIN_REGELS:
        return fn(*args, **kwargs)
    return await buiten_de_lus(fn, *args, **kwargs)
