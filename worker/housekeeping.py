"""Background chores: expiring presigned uploads that never came."""

from __future__ import annotations

import logging

from core.bucket import head
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
