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
    """Count one ended job in one round trip: its status, its code, and its duration's bucket."""
    with redis.pipeline(transaction=False) as pipe:
        pipe.hincrby(ENDED_KEY, status, 1)
        if code:
            pipe.hincrby(FAILURES_KEY, code, 1)
        if file_type:
            # One bucket per job (the first that holds it); the exporter adds them up cumulatively.
            bound = next((b for b in DURATION_BUCKETS if seconds <= b), None)
            key = duration_key(file_type)
            pipe.hincrby(key, f"le:{bound}" if bound is not None else "le:+Inf", 1)
            pipe.hincrbyfloat(key, "sum", seconds)
        pipe.execute()


def cumulative_buckets(values: dict[str, float]) -> list[tuple[str, float]]:
    """Prometheus histogram buckets (cumulative, ending with +Inf) from per-bucket counts."""
    buckets, running = [], 0.0
    for bound in DURATION_BUCKETS:
        running += values.get(f"le:{bound}", 0.0)
        buckets.append((str(bound), running))
    buckets.append(("+Inf", running + values.get("le:+Inf", 0.0)))
    return buckets


def read_hash(redis: Redis, key: str) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in redis.hgetall(key).items()}
