"""Builders for the functional tests: objects in the bucket and jobs for them."""

from __future__ import annotations

from core.bucket import ObjectRef
from core.ids import new_job_id
from core.intake import intake_for
from core.layout import upload_key
from core.lifecycle import Intake
from core.services import Services


def put(svc: Services, key: str, body: bytes) -> ObjectRef:
    reply = svc.clients.s3.put_object(Bucket=svc.settings.s3_bucket, Key=key, Body=body)
    return ObjectRef(svc.settings.s3_bucket, key, len(body), reply["ETag"].strip('"'))


def uploaded(svc: Services, body: bytes = b"one two three", name: str = "a.txt", **extra) -> Intake:
    """A file uploaded under uploads/<job_id>/, and what its job is made of."""
    job_id = new_job_id()
    obj = put(svc, upload_key(job_id, name), body)
    return intake_for(job_id, name, obj, **extra)


def queued_job(svc: Services, body: bytes = b"one two three", name: str = "a.txt", **extra) -> str:
    intake = uploaded(svc, body, name, **extra)
    assert svc.lifecycle.queued(intake).applied
    return intake.job_id


def task_args(svc: Services, job_id: str) -> list:
    """What the queued RQ job for `job_id` would be called with (after the runtime)."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    return Job.fetch(job_id, connection=svc.clients.redis, serializer=JSONSerializer).args
