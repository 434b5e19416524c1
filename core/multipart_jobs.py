"""A job behind a multipart upload: opened, completed into the queue, aborted or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core import layout, multipart
from core.bucket import ObjectRef, head
from core.ids import new_job_id
from core.intake import intake_for
from core.lifecycle import JobRecord, MultipartUpload
from core.models import JobStatus
from core.multipart import PartPlan, plan_parts
from core.services import Services

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def plan_of(record: JobRecord) -> PartPlan:
    return PartPlan(record.declared_size or 0, record.part_size or 0, record.part_count or 0)


def is_multipart(record: JobRecord) -> bool:
    return bool(record.upload_id)


def open_job(svc: Services, filename: str, size: int, content_type: str, **extra: Any) -> JobRecord:
    """Open the upload in the bucket and record its job, awaiting the parts."""
    job_id, settings = new_job_id(), svc.settings
    key, plan = layout.upload_key(job_id, filename), plan_parts(size)
    upload = svc.clients.s3.create_multipart_upload(
        Bucket=settings.s3_bucket, Key=key, ContentType=content_type
    )
    expires = datetime.now(UTC) + timedelta(seconds=settings.multipart_expires_seconds)
    opened = MultipartUpload(
        upload_id=upload["UploadId"], part_size=plan.part_size, part_count=plan.part_count,
        expires_at=expires.strftime(STAMP), size_limit=settings.max_multipart_bytes,
    )  # fmt: skip
    obj = ObjectRef(settings.s3_bucket, key)
    intake = intake_for(job_id, filename, obj, declared_size=size, multipart=opened, **extra)
    return svc.lifecycle.multipart_opened(intake)


def held_parts(svc: Services, record: JobRecord) -> list[dict[str, Any]]:
    """The parts the bucket holds for the job's upload (NoSuchUpload errors propagate)."""
    return multipart.list_parts(
        svc.clients.s3, svc.settings.s3_bucket, record.source.key, record.upload_id or ""
    )


def complete(svc: Services, record: JobRecord, sent: dict[int, str]) -> JobRecord | str:
    """Check the client's parts against the bucket, complete the upload and queue the job; else why not."""
    held = {part["part_number"]: part for part in held_parts(svc, record)}
    problem = multipart.mismatched_part(plan_of(record), held, sent)
    if problem:
        return problem
    bucket, key = svc.settings.s3_bucket, record.source.key
    parts = [{"PartNumber": n, "ETag": held[n]["etag"]} for n in sorted(sent)]
    svc.clients.s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=record.upload_id, MultipartUpload={"Parts": parts}
    )
    obj = head(svc.clients.s3, bucket, key)
    if obj is None:
        return "The completed object is not in the bucket."
    change = svc.lifecycle.upload_arrived(record.job_id, obj)
    return change.record or record


def abort(svc: Services, record: JobRecord) -> bool:
    """Abort the upload in the bucket and end the job `cancelled`; False if it was no longer waiting."""
    if record.status != JobStatus.AWAITING_UPLOAD:
        return False
    multipart.abort(svc.clients.s3, svc.settings.s3_bucket, record.source.key, record.upload_id or "")
    return svc.lifecycle.cancelled(record.job_id, "The upload was aborted.").applied


def expire(svc: Services, job_id: str) -> str:
    """Abort an upload still open past its deadline and fail its job with `upload_missing`."""
    record = svc.lifecycle.get(job_id)
    if record is None or not is_multipart(record) or record.status != JobStatus.AWAITING_UPLOAD:
        return "ignored"
    multipart.abort(svc.clients.s3, svc.settings.s3_bucket, record.source.key, record.upload_id or "")
    svc.lifecycle.multipart_expired(job_id)
    return "expired"


def is_past(stamp: str | None, now: datetime) -> bool:
    if not stamp:
        return True
    return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC) <= now
