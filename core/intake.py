"""Turning an object in the bucket into a queued job: the one path every way in goes through."""

from __future__ import annotations

import contextlib
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from core import records as rec
from core.endings import job_ended
from core.errors import TOO_LARGE, UNSUPPORTED_TYPE
from core.jobqueue import enqueue_process
from core.keys import file_type_of, job_id_from_upload_key, object_job_id, result_key, safe_filename
from core.objects import ObjectRef
from core.s3events import ParsedEvent
from core.services import Services


def enqueue(services: Services, job_id: str, record: dict[str, Any]) -> bool:
    """Put a job whose record says `queued` on the queue; False if it is there already."""
    meta = {
        "filename": record["filename"],
        "file_type": record["file_type"],
        "batch_id": record.get("batch_id"),
    }
    return enqueue_process(services.queue, services.settings, job_id, record["source"], **meta)


def create_queued(services: Services, job_id: str, filename: str, obj: ObjectRef, **extra: Any) -> bool:
    """Record a new job for `obj` and queue it; False when a job with this id existed already."""
    file_type = file_type_of(filename)
    fields: dict[str, Any] = {
        "status": rec.QUEUED if file_type else rec.FAILED,
        "filename": filename,
        "file_type": file_type,
        "source": obj.source(),
        "result_key": result_key(job_id),
        "error": None if file_type else unsupported(filename),
        **extra,
    }
    if not services.records.create(job_id, **fields):
        return False
    if file_type:
        enqueue(services, job_id, {**fields, "job_id": job_id})
    else:
        job_ended(services, job_id, fields)
    return True


def unsupported(filename: str) -> dict[str, str]:
    return {"code": UNSUPPORTED_TYPE, "message": f"{filename!r} is not a .txt, .json, .rtf or .pdf file."}


def start_upload(services: Services, job_id: str, obj: ObjectRef) -> tuple[bool, dict[str, Any] | None]:
    """Queue a job waiting for its upload, now that `obj` is in the bucket; exactly one caller wins.

    Returns (whether this call queued it, the record after). Too big an object fails the job instead.
    """
    record = services.records.get(job_id)
    if record is None or record["status"] != rec.AWAITING_UPLOAD:
        return False, record
    limit = min(
        services.settings.max_upload_bytes, record.get("declared_size") or services.settings.max_upload_bytes
    )
    if obj.size is not None and obj.size > limit:
        error = {
            "code": TOO_LARGE,
            "message": f"The uploaded file is {obj.size} bytes; at most {limit} were allowed.",
        }
        failed, _ = services.records.transition(
            job_id, (rec.AWAITING_UPLOAD,), status=rec.FAILED, error=error, source=obj.source()
        )
        if failed:
            job_ended(services, job_id, record)
        return False, services.records.get(job_id)
    won, _ = services.records.transition(
        job_id, (rec.AWAITING_UPLOAD,), status=rec.QUEUED, source=obj.source()
    )
    record = services.records.get(job_id)
    if won and record is not None:
        enqueue(services, job_id, record)
    return won, record


def ingest_object(services: Services, obj: ObjectRef, batch_id: str | None = None) -> dict[str, Any] | str:
    """Make `obj` a job (one per object version) or start its waiting upload; else say why not."""
    upload_job = job_id_from_upload_key(obj.key)
    if upload_job:
        queued, record = start_upload(services, upload_job, obj)
        if record is None:
            return f"no job is waiting for {obj.key!r}"
        return {"job_id": upload_job, "key": obj.key, "status": record["status"], "new": queued}
    if not (batch_id or obj.key.startswith(services.settings.drop_prefix)):
        return f"{obj.key!r} is outside {services.settings.drop_prefix!r} and uploads/"
    job_id = object_job_id(obj.bucket, obj.key, obj.version)
    created = create_queued(services, job_id, safe_filename(obj.key), obj, batch_id=batch_id)
    record = services.records.get(job_id) if not created else None
    status = record["status"] if record else rec.QUEUED
    return {"job_id": job_id, "key": obj.key, "status": status, "new": created}


def retry_failed(services: Services, job_id: str) -> dict[str, Any] | None:
    """Queue a failed job again; None if the job is not failed (RQ's finished copy is replaced)."""
    applied, _ = services.records.transition(job_id, (rec.FAILED,), status=rec.QUEUED, error=None)
    if not applied:
        return None
    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=services.clients.redis, serializer=JSONSerializer).delete()
    record = services.records.get(job_id)
    if record is not None:
        enqueue(services, job_id, record)
    return record


def ingest_event(services: Services, parsed: ParsedEvent) -> dict[str, Any]:
    """Every object an S3 notification announces, ingested: the reply of `POST /events` and Lambda."""
    jobs, reasons = [], list(parsed.ignored)
    for obj in parsed.objects:
        outcome = ingest_object(services, obj)
        if isinstance(outcome, str):
            reasons.append(outcome)
        else:
            jobs.append(outcome)
    return {"jobs": jobs, "ignored": len(reasons), "reasons": reasons}
