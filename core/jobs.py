"""What a client asks of one job: find it (in Redis, else from its result in the bucket), start it
after a presigned upload, retry it, cancel it, read its result."""

from __future__ import annotations

import json

from core import bucket, layout
from core.errors import UPLOAD_MISSING, JobError
from core.ids import is_job_id
from core.lifecycle import Change, JobRecord
from core.models import JobStatus
from core.results import record_from_result
from core.services import Services


def find(svc: Services, job_id: str) -> JobRecord | None:
    """The job from its record, or rebuilt from its result once Redis has forgotten it."""
    if not is_job_id(job_id):
        return None
    record = svc.lifecycle.get(job_id)
    if record is not None:
        return record
    stored = read_result(svc, job_id)
    return record_from_result(json.loads(stored)) if stored is not None else None


def read_result(svc: Services, job_id: str) -> bytes | None:
    """The stored result document of a job, or None if the bucket has none."""
    return bucket.read(svc.clients.s3, svc.settings.s3_bucket, layout.result_key(job_id))


def start(svc: Services, record: JobRecord) -> JobRecord:
    """Queue a job whose presigned upload is done (the job as it is if it was past waiting).

    Raises JobError(upload_missing) when nothing has been uploaded yet.
    """
    if record.status != "awaiting_upload":
        return record
    obj = bucket.head(svc.clients.s3, svc.settings.s3_bucket, record.source.key)
    if obj is None:
        raise JobError(UPLOAD_MISSING, "Nothing has been uploaded for this job yet.")
    change = svc.lifecycle.upload_arrived(record.job_id, obj)
    return change.record or record


def retry(svc: Services, job_id: str) -> Change:
    """Queue a failed job again (only for a code a retry may cure, within MAX_ATTEMPTS)."""
    return svc.lifecycle.retried(job_id)


def cancel(svc: Services, job_id: str) -> Change:
    """End a job that has not ended with `cancelled`; a queued one leaves the queue too.

    A started job's worker sees the end while it parses (worker.pipeline) and stops the parsing child.
    """
    change = svc.lifecycle.cancelled(job_id)
    if change.applied and change.before == JobStatus.QUEUED and change.record is not None:
        svc.tasks.forget(job_id, change.record.attempts)  # RQ's job and its place in the queue
    return change


def cancel_batch(svc: Services, job_ids: list[str]) -> int:
    """Cancel every job of a batch that has not ended; returns how many were cancelled."""
    return sum(cancel(svc, job_id).applied for job_id in job_ids)
