"""Job outcome statistics kept in Redis (written by the lifecycle's scripts), so any functions process
can export what every worker saw."""

from __future__ import annotations

from redis import Redis

from core import layout

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
ENDED_KEY = layout.STATS_ENDED
FAILURES_KEY = layout.STATS_FAILURES
duration_key = layout.duration_key


def bucket_label(seconds: float) -> str:
    """The histogram bucket one duration is counted in (the first that holds it; summed when exported)."""
    bound = next((b for b in DURATION_BUCKETS if seconds <= b), None)
    return f"le:{bound}" if bound is not None else "le:+Inf"


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
