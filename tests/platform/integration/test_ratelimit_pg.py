"""The rate limit across replicas, on real PostgreSQL: two gateway processes (two pools, two limiters) draw on one
bucket per party, so running more replicas does not multiply what a party may send."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import pytest

from shared.platform.ratelimit import PostgresRateLimiter
from tests.conftest import schema_pool
from tools.checkout import PROJECT_ROOT

pytestmark = pytest.mark.integration
MIGRATIONS = PROJECT_ROOT / "services" / "berichtenverkeer" / "migrations"


@contextlib.asynccontextmanager
async def second_pool_on(infra, pool: asyncpg.Pool):
    """Another process's pool on the same schema."""
    schema = await pool.fetchval("SELECT current_schema()")
    other = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=2,
                                      server_settings={"search_path": schema})
    try:
        yield other
    finally:
        await other.close()


async def test_two_replicas_share_each_partys_burst_and_keep_parties_apart(infra):
    async with schema_pool(infra, "rl", MIGRATIONS) as pool_a, second_pool_on(infra, pool_a) as pool_b:
        # Refills one request per 1,000 s: nothing comes back during the test.
        replica_a = PostgresRateLimiter(lambda: pool_a, per_seconde=0.001, burst=3)
        replica_b = PostgresRateLimiter(lambda: pool_b, per_seconde=0.001, burst=3)
        assert [await replica_a.vraag("aanbieder:1"), await replica_b.vraag("aanbieder:1"),
                await replica_a.vraag("aanbieder:1")] == [0.0, 0.0, 0.0]
        assert await replica_b.vraag("aanbieder:1") > 900  # the fourth, on either replica: ~1,000 s to wait
        assert await replica_a.vraag("aanbieder:1") > 900
        assert await replica_b.vraag("gemeente:0632") == 0.0  # another party is not slowed down


async def test_concurrent_requests_of_one_party_take_exactly_the_burst(infra):
    async with schema_pool(infra, "rlconc", MIGRATIONS) as pool:
        limiter = PostgresRateLimiter(lambda: pool, per_seconde=0.001, burst=5)
        waits = await asyncio.gather(*(limiter.vraag("aanbieder:2") for _ in range(12)))
        assert sum(w == 0.0 for w in waits) == 5  # the row lock serialises them: no lost update


async def test_the_bucket_refills_at_the_rate(infra):
    async with schema_pool(infra, "rlrefill", MIGRATIONS) as pool:
        limiter = PostgresRateLimiter(lambda: pool, per_seconde=20, burst=1)
        assert await limiter.vraag("p") == 0.0
        wait = await limiter.vraag("p")
        assert 0 < wait <= 0.05
        await asyncio.sleep(wait + 0.02)
        assert await limiter.vraag("p") == 0.0


async def test_a_rate_of_zero_switches_the_limit_off_without_touching_the_database(infra):
    limiter = PostgresRateLimiter(lambda: (_ for _ in ()).throw(AssertionError("no pool needed")), per_seconde=0,
                                  burst=1)
    assert [await limiter.vraag("p") for _ in range(100)] == [0.0] * 100
