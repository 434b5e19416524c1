"""Requests per tenant per minute: a fixed window counted in Redis in one round trip."""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis import Redis

WINDOW_SECONDS = 60

# Count this request in the window's key; the key outlives its window so a late INCR cannot revive it.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
"""


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on, and when the caller may try again if not."""

    allowed: bool
    retry_after: int


def window_key(tenant: str, now: float) -> str:
    return f"ratelimit:{tenant}:{int(now // WINDOW_SECONDS)}"


class RateLimiter:
    """At most `per_minute` requests per tenant in each clock minute."""

    def __init__(self, redis: Redis, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hit = redis.register_script(_HIT)

    def hit(self, tenant: str, now: float | None = None) -> Verdict:
        """Count one request of `tenant`; refused past the limit until the window ends."""
        now = time.time() if now is None else now
        count = int(self._hit(keys=[window_key(tenant, now)], args=[2 * WINDOW_SECONDS]))
        if count <= self.per_minute:
            return Verdict(True, 0)
        return Verdict(False, max(1, int(WINDOW_SECONDS - now % WINDOW_SECONDS + 0.999)))
