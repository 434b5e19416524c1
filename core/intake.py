"""Objects in the bucket becoming jobs: the one path events, listings and the reconciler go through."""

from __future__ import annotations

from typing import Any

from core.bucket import ObjectRef
from core.ids import file_type_of, object_job_id, safe_filename
from core.layout import job_id_from_upload_key
from core.lifecycle import Intake
from core.lifecycle.record import DEFAULT_OWNER
from core.s3events import ParsedEvent
from core.services import Services


def intake_for(job_id: str, filename: str, obj: ObjectRef, **extra: Any) -> Intake:
    """What a new job for `obj` is made of."""
    return Intake(
        job_id=job_id, filename=filename, file_type=file_type_of(filename), source=obj.source(), **extra
    )


def ingest_object(
    services: Services, obj: ObjectRef, batch_id: str | None = None, owner: str = DEFAULT_OWNER
) -> dict[str, Any] | str:
    """Make `obj` a job (one per object version) or start its waiting upload; else say why not."""
    upload_job = job_id_from_upload_key(obj.key)
    if upload_job:
        change = services.lifecycle.upload_arrived(upload_job, obj)
        if change.record is None:
            return f"no job is waiting for {obj.key!r}"
        return {"job_id": upload_job, "key": obj.key, "status": change.record.status, "new": change.applied}
    if not (batch_id or obj.key.startswith(services.settings.drop_prefix)):
        return f"{obj.key!r} is outside {services.settings.drop_prefix!r} and uploads/"
    job_id = object_job_id(obj.bucket, obj.key, obj.version)
    intake = intake_for(job_id, safe_filename(obj.key), obj, batch_id=batch_id, owner=owner)
    change = services.lifecycle.queued(intake)
    status = change.record.status if change.record else "queued"
    return {"job_id": job_id, "key": obj.key, "status": status, "new": change.applied}


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
