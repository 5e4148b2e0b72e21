"""A rate limit per party (token bucket), so one party's runaway client cannot crowd out the others. Requests over
the limit get 429 with the seconds to wait.

The bucket rule is one pure function (`emmer`). `RateLimiter` keeps the buckets in the process (one replica, tests);
`PostgresRateLimiter` keeps them in a table, so the limit holds across every replica of the gateway, which a bucket per
process would multiply by the number of replicas."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg

from shared.platform.db import ACQUIRE_TIMEOUT_S


def emmer(tokens: float, at: float, nu: float, per_seconde: float, burst: int) -> tuple[float, float]:
    """A bucket of `tokens` at time `at`, asked at `nu`: (its tokens afterwards, 0 if the request may go ahead (and
    counts) or else the seconds until it may)."""
    tokens = min(float(burst), tokens + max(0.0, nu - at) * per_seconde)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / per_seconde


class Limiet(Protocol):
    per_seconde: float

    async def vraag(self, partij: str) -> float:
        """0 if `partij` may make a request now (and it counts), else the seconds to wait."""
        ...


@dataclass
class RateLimiter:
    per_seconde: float  # sustained requests per second per party; 0 switches the limit off
    burst: int  # requests a party may make at once after being idle
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # party → (tokens, at)

    def toestaan(self, partij: str, nu: float) -> float:
        """0 if the request may go ahead (and counts), else the seconds until it may."""
        if self.per_seconde <= 0:
            return 0.0
        tokens, at = self._buckets.get(partij, (float(self.burst), nu))
        tokens, wachten = emmer(tokens, at, nu, self.per_seconde, self.burst)
        self._buckets[partij] = (tokens, nu)
        return wachten

    async def vraag(self, partij: str) -> float:
        return self.toestaan(partij, time.monotonic())


class PostgresRateLimiter:
    """The buckets in PostgreSQL (table `rate_limit` of the service's schema: partij, tokens, at). A request takes
    its party's row lock, reads the bucket and the database's clock (one clock for all replicas), applies `emmer` and
    writes the bucket back, in one short transaction."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], per_seconde: float, burst: int):
        self._pool, self.per_seconde, self.burst = pool, per_seconde, burst

    async def vraag(self, partij: str) -> float:
        if self.per_seconde <= 0:
            return 0.0
        async with self._pool().acquire(timeout=ACQUIRE_TIMEOUT_S) as conn, conn.transaction():
            # A new party starts with a full bucket; an existing row is returned as it is, and locked.
            row = await conn.fetchrow(
                "INSERT INTO rate_limit AS r (partij, tokens, at) VALUES ($1, $2, clock_timestamp()) "
                "ON CONFLICT (partij) DO UPDATE SET partij = r.partij "
                "RETURNING r.tokens, extract(epoch FROM r.at)::float8, extract(epoch FROM clock_timestamp())::float8",
                partij, float(self.burst))
            assert row is not None  # an upsert with RETURNING always returns its row
            bucket, at, nu = row
            tokens, wachten = emmer(bucket, at, nu, self.per_seconde, self.burst)
            await conn.execute("UPDATE rate_limit SET tokens = $2, at = to_timestamp($3) WHERE partij = $1",
                               partij, tokens, nu)
        return wachten
