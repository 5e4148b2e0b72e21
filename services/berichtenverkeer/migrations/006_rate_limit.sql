-- The rate limit's buckets, one per party, shared by every replica of the gateway (shared/platform/ratelimit.py).
CREATE TABLE rate_limit (
    partij text PRIMARY KEY,
    tokens float8 NOT NULL,
    at     timestamptz NOT NULL
);
