"""Job outcome statistics kept in Redis, so any functions process can export what every worker saw."""

from __future__ import annotations

from redis import Redis

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
ENDED_KEY = "stats:ended"
FAILURES_KEY = "stats:failures"


def duration_key(file_type: str) -> str:
    return f"stats:duration:{file_type}"


def record_outcome(
    redis: Redis, file_type: str | None, status: str, code: str | None, seconds: float
) -> None:
    """Count one ended job (one pipeline, one round trip)."""
    with redis.pipeline(transaction=False) as pipe:
        pipe.hincrby(ENDED_KEY, status, 1)
        if code:
            pipe.hincrby(FAILURES_KEY, code, 1)
        if file_type:
            key = duration_key(file_type)
            for bound in DURATION_BUCKETS:
                if seconds <= bound:
                    pipe.hincrby(key, f"le:{bound}", 1)
            pipe.hincrby(key, "count", 1)
            pipe.hincrbyfloat(key, "sum", seconds)
        pipe.execute()


def read_hash(redis: Redis, key: str) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in redis.hgetall(key).items()}
