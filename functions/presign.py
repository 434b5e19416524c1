"""`POST /uploads/presign`, `POST /jobs/<id>/start` and `/retry`: uploads straight to the bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, request, url_for

from core import records as rec
from core.intake import retry_failed, start_upload
from core.keys import new_job_id, result_key, safe_filename, upload_key
from core.objects import ObjectRef
from core.services import Services
from core.storage import head
from functions.context import services
from functions.errors import ApiError
from functions.jobs import existing_record
from functions.upload import CONTENT_TYPES, callback_url, check_file

bp = Blueprint("presign", __name__)
EXPIRY_TASK = "worker.tasks.expire_upload"
# A job whose URL expired is failed a little later, so an upload that just made it can still start.
EXPIRY_GRACE_SECONDS = 60


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Send a JSON object with `filename` and `size`.")
    filename, size = body.get("filename"), body.get("size")
    if not isinstance(filename, str) or not filename.strip():
        raise ApiError(400, "bad_request", "`filename` must be a non-empty string.")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ApiError(400, "bad_request", "`size` must be the file's size in bytes (an integer >= 0).")
    if body.get("method", "PUT") not in ("PUT", "POST"):
        raise ApiError(400, "bad_request", "`method` must be PUT or POST.")
    if not isinstance(body.get("content_type", ""), str):
        raise ApiError(400, "bad_request", "`content_type` must be a string.")
    return body


def _signed_upload(svc: Services, key: str, size: int, content_type: str, method: str) -> dict[str, Any]:
    bucket, expires = svc.settings.s3_bucket, svc.settings.presign_expires_seconds
    if method == "POST":
        post = svc.clients.public_s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 0, size]],
            ExpiresIn=expires,
        )
        return {"method": "POST", "url": post["url"], "fields": post["fields"]}
    # Content-Length is signed too, so a server that checks signatures refuses a body of another size;
    # clients send it anyway (browsers may not set it), so only Content-Type is listed in `headers`.
    params = {"Bucket": bucket, "Key": key, "ContentType": content_type, "ContentLength": size}
    url = svc.clients.public_s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expires)
    return {"method": "PUT", "url": url, "headers": {"Content-Type": content_type}}


@bp.post("/uploads/presign")
def presign():
    svc = services()
    body = _body()
    filename = safe_filename(body["filename"])
    file_type = check_file(filename, body["size"], svc.settings.max_upload_bytes)
    content_type = body.get("content_type") or CONTENT_TYPES[file_type]
    hook = callback_url(body.get("callback_url"))
    job_id = new_job_id()
    key = upload_key(job_id, filename)
    upload = _signed_upload(svc, key, body["size"], content_type, body.get("method", "PUT"))
    expires = datetime.now(UTC) + timedelta(seconds=svc.settings.presign_expires_seconds)
    source = ObjectRef(bucket=svc.settings.s3_bucket, key=key).source()
    svc.records.create(
        job_id, status=rec.AWAITING_UPLOAD, filename=filename, file_type=file_type, source=source,
        result_key=result_key(job_id), declared_size=body["size"], callback_url=hook,
    )  # fmt: skip
    delay = timedelta(seconds=svc.settings.presign_expires_seconds + EXPIRY_GRACE_SECONDS)
    svc.queue.enqueue_in(delay, EXPIRY_TASK, job_id, job_id=f"expire-{job_id}", result_ttl=0)
    return {
        "job_id": job_id,
        "key": key,
        "status_url": url_for("jobs.get_job", job_id=job_id, _external=True),
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "upload": upload,
    }, 201


@bp.post("/jobs/<job_id>/start")
def start(job_id: str):
    svc = services()
    record = existing_record(svc, job_id)
    if record["status"] == rec.AWAITING_UPLOAD:
        obj = head(svc.clients.s3, svc.settings.s3_bucket, record["source"]["key"])
        if obj is None:
            raise ApiError(409, "upload_missing", "Nothing has been uploaded for this job yet.")
        _, record = start_upload(svc, job_id, obj)
    if record and record["status"] == rec.FAILED and record["error"]["code"] == "too_large":
        raise ApiError(413, "too_large", record["error"]["message"], job=rec.public_view(record))
    return rec.public_view(record or {}), 202


@bp.post("/jobs/<job_id>/retry")
def retry(job_id: str):
    svc = services()
    record = existing_record(svc, job_id)
    queued = retry_failed(svc, job_id)
    if queued is None:
        raise ApiError(409, "conflict", f"Only failed jobs can be retried; this one is {record['status']}.")
    return rec.public_view(queued), 202
