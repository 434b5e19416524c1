"""Background chores: expiring presigned uploads that never came."""

from __future__ import annotations

import logging

from core import records as rec
from core.endings import job_ended
from core.errors import UPLOAD_MISSING
from core.intake import start_upload
from core.services import Services
from core.storage import head

log = logging.getLogger(__name__)


def expire_upload(svc: Services, job_id: str) -> str:
    """Fail a job still awaiting its upload after its URL expired; start it if the file did arrive."""
    record = svc.records.get(job_id)
    if record is None or record["status"] != rec.AWAITING_UPLOAD:
        return "ignored"
    obj = head(svc.clients.s3, svc.settings.s3_bucket, record["source"]["key"])
    if obj is not None:
        start_upload(svc, job_id, obj)
        return "started"
    error = {"code": UPLOAD_MISSING, "message": "Nothing was uploaded before the upload URL expired."}
    applied, _ = svc.records.transition(job_id, (rec.AWAITING_UPLOAD,), status=rec.FAILED, error=error)
    if applied:
        job_ended(svc, job_id)
    log.info("job %s expired without an upload", job_id)
    return "expired"
