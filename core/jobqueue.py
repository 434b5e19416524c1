"""The RQ queue both sides use: JSON serialization, retries, time limits, and enqueue by dotted path."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Callback
from rq.serializers import JSONSerializer

from core.settings import Settings

PROCESS_TASK = "worker.tasks.process"
ON_FAILURE = "worker.tasks.on_failure"
# Time for the S3 download and upload around the extraction's own limit.
IO_MARGIN_SECONDS = 30


def make_queue(redis: Redis, settings: Settings, name: str | None = None) -> Queue:
    return Queue(name or settings.queue_name, connection=redis, serializer=JSONSerializer)


def enqueue_process(
    queue: Queue,
    settings: Settings,
    job_id: str,
    source: dict[str, Any],
    task: str = PROCESS_TASK,
    **meta: Any,
) -> bool:
    """Queue the processing of one job; False if that job is already queued or running."""
    retries = settings.max_attempts - 1
    try:
        queue.enqueue(
            task,
            job_id,
            source,
            meta,
            job_id=job_id,
            unique=True,
            job_timeout=settings.job_timeout_seconds + IO_MARGIN_SECONDS,
            result_ttl=600,
            failure_ttl=settings.record_ttl_seconds,
            # No interval: a retry needs no scheduler, so a killed scheduler cannot hold jobs back.
            # Storage outages are ridden out inside an attempt by botocore's backoff.
            retry=Retry(max=retries) if retries else None,
            on_failure=Callback(ON_FAILURE),
        )
    except DuplicateJobError:
        return False
    return True
