"""A rate limit per party (token bucket, pure: the clock is passed in), so one party's runaway client cannot
crowd out the others. Requests over the limit get 429 with the seconds to wait."""

from __future__ import annotations

from dataclasses import dataclass, field


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
        tokens = min(float(self.burst), tokens + (nu - at) * self.per_seconde)
        if tokens >= 1.0:
            self._buckets[partij] = (tokens - 1.0, nu)
            return 0.0
        self._buckets[partij] = (tokens, nu)
        return (1.0 - tokens) / self.per_seconde
