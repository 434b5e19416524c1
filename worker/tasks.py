"""The RQ entry points, enqueued by dotted path: a few lines each that call the pipeline."""

from __future__ import annotations

from typing import Any

from worker import context, deliver, housekeeping, listing, pipeline


def process(job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> str:
    return pipeline.process(context.current(), job_id, source, meta)


def on_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ calls this on every failed attempt (of a job or a PDF part); the last one fails the job."""
    if job.retries_left:
        return
    pipeline.give_up(context.current(), job.args[0], describe(exc_type, exc_value))


def describe(exc_type: type | None, exc_value: BaseException | None) -> str:
    """A user-facing reason that names the cause without a traceback, path or host."""
    name = getattr(exc_type, "__name__", "Error")
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


def expire_upload(job_id: str) -> str:
    return housekeeping.expire_upload(context.current(), job_id)


def list_batch(batch_id: str, prefix: str) -> int:
    return listing.list_batch(context.current(), batch_id, prefix)


def deliver_callback(url: str, event: str, payload: dict[str, Any]) -> int:
    return deliver.deliver(context.current().settings, url, event, payload)


def process_part(job_id: str, source: dict[str, Any], start: int, stop: int, total: int) -> str:
    return pipeline.process_part(context.current(), job_id, source, (start, stop), total)
