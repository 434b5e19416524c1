"""Background chores: expiring presigned uploads that never came, and multipart uploads left open."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from core import layout, multipart, multipart_jobs
from core.bucket import head
from core.lifecycle import JobRecord
from core.models import JobStatus
from core.services import Services

log = logging.getLogger(__name__)


def expire_upload(svc: Services, job_id: str) -> str:
    """Fail a job still awaiting its upload after its URL expired; start it if the file did arrive."""
    record = svc.lifecycle.get(job_id)
    if record is None or record.status != JobStatus.AWAITING_UPLOAD:
        return "ignored"
    obj = head(svc.clients.s3, svc.settings.s3_bucket, record.source.key)
    if obj is not None:
        svc.lifecycle.upload_arrived(job_id, obj)
        return "started"
    if svc.lifecycle.expired(job_id):
        log.info("job %s expired without an upload", job_id)
    return "expired"


def expire_multipart(svc: Services, job_id: str) -> str:
    """Abort a multipart upload left open past its deadline and fail its job (`upload_missing`)."""
    outcome = multipart_jobs.expire(svc, job_id)
    if outcome == "expired":
        log.info("job %s: multipart upload expired and aborted", job_id)
    return outcome


def _job_of(svc: Services, upload: dict[str, Any]) -> JobRecord | None:
    """The record of the job this open upload belongs to, if Redis still has it."""
    job_id = layout.job_id_from_upload_key(upload["key"])
    record = svc.lifecycle.get(job_id) if job_id else None
    return record if record is not None and record.upload_id == upload["upload_id"] else None


def _older_than_deadline(svc: Services, upload: dict[str, Any], now: datetime) -> bool:
    initiated = upload.get("initiated")
    return initiated is None or (now - initiated).total_seconds() > svc.settings.multipart_expires_seconds


def sweep_multipart(svc: Services) -> int:
    """Abort every open upload under uploads/ past its deadline or whose job has ended; returns how many."""
    now, aborted, bucket = datetime.now(UTC), 0, svc.settings.s3_bucket
    for upload in multipart.open_uploads(svc.clients.s3, bucket, layout.UPLOADS_PREFIX):
        record = _job_of(svc, upload)
        if record is not None and record.status == JobStatus.AWAITING_UPLOAD:
            if multipart_jobs.is_past(record.upload_expires_at, now):
                aborted += multipart_jobs.expire(svc, record.job_id) == "expired"
        elif record is not None or _older_than_deadline(svc, upload, now):
            aborted += multipart.abort(svc.clients.s3, bucket, upload["key"], upload["upload_id"])
    return aborted
