"""Objects in the bucket becoming jobs: the one path events, listings and the reconciler go through."""

from __future__ import annotations

from typing import Any

from core import bucket, layout, tenants
from core.bucket import ObjectRef
from core.ids import file_type_of, object_job_id, safe_filename
from core.layout import job_id_from_upload_key
from core.lifecycle import Intake
from core.lifecycle.record import DEFAULT_OWNER
from core.s3events import ParsedEvent
from core.services import Services
from core.settings import Settings


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
    if not batch_id:
        owner = drop_owner(services.settings, obj.key)
    job_id = _known_or_new(services, drop_job_ids(services.settings, obj))
    intake = intake_for(job_id, safe_filename(obj.key), obj, batch_id=batch_id, owner=owner)
    change = services.lifecycle.queued(intake)
    status = change.record.status if change.record else "queued"
    return {"job_id": job_id, "key": obj.key, "status": status, "new": change.applied}


def drop_job_ids(settings: Settings, obj: ObjectRef) -> tuple[str, ...]:
    """The id of the job for a dropped object, then (with ID_SECRET) the id it had before ID_SECRET.

    Every process computes the same ids from the same settings. The earlier id is only looked up, never
    made: a deployment that sets ID_SECRET keeps the jobs of its earlier drops instead of redoing them.
    """
    parts = (obj.bucket, obj.key, obj.etag, obj.size, obj.version_id)
    made = object_job_id(settings.id_secret, *parts)
    return (made, object_job_id(None, *parts)) if settings.id_secret else (made,)


def _known_or_new(services: Services, job_ids: tuple[str, ...]) -> str:
    """The first of the earlier ids that has a job, else the id a new job gets."""
    for earlier in job_ids[1:]:
        if services.clients.redis.exists(layout.job_key(earlier)):
            return earlier
    return job_ids[0]


def ingest_page(
    services: Services, objects: list[ObjectRef], batch_id: str, owner: str = DEFAULT_OWNER
) -> list[dict[str, Any] | str]:
    """`ingest_object` for each object of a batch's listing page, the new jobs made together (small
    files then share RQ jobs: Lifecycle.queued_many)."""
    outcomes: list[dict[str, Any] | str | None] = [None] * len(objects)
    intakes, places = [], []
    for n, obj in enumerate(objects):
        if job_id_from_upload_key(obj.key):
            outcomes[n] = ingest_object(services, obj, batch_id, owner)
            continue
        job_id = _known_or_new(services, drop_job_ids(services.settings, obj))
        intakes.append(intake_for(job_id, safe_filename(obj.key), obj, batch_id=batch_id, owner=owner))
        places.append(n)
    for n, intake, change in zip(places, intakes, services.lifecycle.queued_many(intakes), strict=True):
        status = change.record.status if change.record else "queued"
        key, new = objects[n].key, change.applied
        outcomes[n] = {"job_id": intake.job_id, "key": key, "status": status, "new": new}
    return [outcome for outcome in outcomes if outcome is not None]


def drop_owner(settings: Settings, key: str) -> str:
    """Who owns a dropped object: the tenant whose folder `<DROP_PREFIX><tenant>/` holds it, else default."""
    if not settings.api_keys:
        return DEFAULT_OWNER
    return tenants.owner_of_key(key, settings.drop_prefix, settings.tenant_keys.values())


def claimed(services: Services, obj: ObjectRef) -> ObjectRef | str:
    """The object an event names as the bucket has it (size, ETag, version), else why it is ignored.

    An event is a claim: anyone holding the token may send one, so nothing but the key is believed.
    """
    found = bucket.head(services.clients.s3, obj.bucket, obj.key)
    return found if found is not None else f"{obj.key!r} is not in the bucket"


def already_in(services: Services, announced: ObjectRef) -> dict[str, Any] | None:
    """The reply for an event about an upload that is in already, read from Redis alone: every object
    a POST /uploads stores comes back as an event while (or after) its job runs, and a HEAD of it cost
    the functions more than the upload's own PUT (bench/live.py's profile)."""
    job_id = job_id_from_upload_key(announced.key)
    status = services.lifecycle.upload_in(job_id, announced.key) if job_id else None
    if status is None:
        return None
    return {"job_id": job_id, "key": announced.key, "status": status, "new": False}


def ingest_event(services: Services, parsed: ParsedEvent) -> dict[str, Any]:
    """Every object an S3 notification announces, ingested: the reply of `POST /events` and Lambda."""
    jobs, reasons = [], list(parsed.ignored)
    for announced in parsed.objects:
        if (known := already_in(services, announced)) is not None:
            jobs.append(known)
            continue
        obj = claimed(services, announced)
        outcome = obj if isinstance(obj, str) else ingest_object(services, obj)
        if isinstance(outcome, str):
            reasons.append(outcome)
        else:
            jobs.append(outcome)
    return {"jobs": jobs, "ignored": len(reasons), "reasons": reasons}
