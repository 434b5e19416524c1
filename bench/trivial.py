"""Trivial tasks for the queue-only benchmark: all the cost is the queue's and the worker's."""

from __future__ import annotations

from typing import Any


def process(runtime: Any, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> None:
    """Takes what worker.tasks.process takes (so core.tasks' enqueue path is used as is)."""
    return None


def noop(*args: Any) -> None:
    return None
