"""The RQ entry points, enqueued by dotted path (core.tasks names them): a few lines each.

Our worker runs each with its Runtime as the first argument (see worker.runner.runtime_job_class).
"""

from __future__ import annotations

from typing import Any

from worker import deliver, housekeeping, listing, pipeline
from worker.runtime import Runtime


def process(rt: Runtime, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> str:
    return pipeline.process(rt, job_id, source, meta)


def process_group(rt: Runtime, group_id: str) -> int:
    return pipeline.process_group(rt, group_id)


def process_part(
    rt: Runtime, job_id: str, source: dict[str, Any], start: int, stop: int, total: int, attempt: int = 1
) -> str:
    return pipeline.process_part(rt, job_id, source, (start, stop), total, attempt)


def expire_upload(rt: Runtime, job_id: str) -> str:
    return housekeeping.expire_upload(rt.services, job_id)


def expire_multipart(rt: Runtime, job_id: str) -> str:
    return housekeeping.expire_multipart(rt.services, job_id)


def list_batch(rt: Runtime, batch_id: str, prefix: str) -> int:
    return listing.list_batch(rt.services, batch_id, prefix)


def deliver_callback(rt: Runtime, url: str, event: str, payload: dict[str, Any]) -> int:
    return deliver.deliver(rt.services, url, event, payload)


def on_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ calls this on every failed attempt of a file task (also for a worker lost mid-job)."""
    if job.retries_left:
        return
    pipeline.give_up_task(job.runtime, job.func_name, job.args[0], describe(exc_type, exc_value))


def describe(exc_type: type | None, exc_value: BaseException | None) -> str:
    """A user-facing reason that names the cause without a traceback, path or host."""
    name = getattr(exc_type, "__name__", "Error")
    if name == "ExtractorDied":
        return "The process reading this file died every time it tried; retries are spent."
    if name == "AbandonedJobError":
        return "The worker processing this file stopped; retries are spent."
    if name in (
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    ):
        return "The object storage did not answer; retries are spent."
    if name == "ClientError":
        return "The object storage refused a request; retries are spent."
    if name in ("ConnectionError", "TimeoutError"):
        return "A service did not answer; retries are spent."
    return f"Processing failed ({name}); retries are spent."
