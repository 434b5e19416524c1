"""Trivial tasks for the queue-only benchmark: all the cost is the queue's and the worker's."""

from __future__ import annotations

import time
from typing import Any

ENDED_KEY = "bench:ended"


def process(runtime: Any, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> None:
    """Takes what worker.tasks.process takes (so core.tasks' enqueue path is used as is); notes its end,
    since RQ keeps nothing of a job queued with result_ttl=0 (one HSET, as Celery stores one result)."""
    runtime.services.clients.redis.hset(ENDED_KEY, job_id, repr(time.time()))


def noop(*args: Any) -> None:
    return None
