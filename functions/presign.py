"""`POST /uploads/presign`: a job awaiting its upload, and a URL to upload it straight to the bucket."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from core import limits as lim
from core import uploads
from core.ids import safe_filename
from functions.context import services
from functions.errors import ApiError
from functions.inputs import callback_url, check_file
from functions.limits import check_filename, enforce, json_body
from functions.security import current_tenant

bp = Blueprint("presign", __name__)


def _body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Send a JSON object with `filename` and `size`.")
    filename, size = body.get("filename"), body.get("size")
    if not isinstance(filename, str) or not filename.strip():
        raise ApiError(400, "bad_request", "`filename` must be a non-empty string.")
    check_filename(filename)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ApiError(400, "bad_request", "`size` must be the file's size in bytes (an integer >= 0).")
    if body.get("method", "PUT") not in ("PUT", "POST"):
        raise ApiError(400, "bad_request", "`method` must be PUT or POST.")
    if not isinstance(body.get("content_type", ""), str):
        raise ApiError(400, "bad_request", "`content_type` must be a string.")
    return body


@bp.post("/uploads/presign")
def presign():
    svc = services()
    body = _body()
    filename = safe_filename(body["filename"])
    file_type = check_file(filename, body["size"], svc.settings.max_upload_bytes)
    content_type = enforce(lim.content_type_for, file_type, body.get("content_type"))
    hook = callback_url(body.get("callback_url"))
    method = body.get("method", "PUT")
    record, upload, expires_at = uploads.presign(
        svc, filename, body["size"], content_type, method, callback_url=hook, owner=current_tenant()
    )
    return {
        "job_id": record.job_id,
        "key": record.source.key,
        "status_url": url_for("jobs.get_job", job_id=record.job_id, _external=True),
        "expires_at": expires_at,
        "upload": upload,
    }, 201
