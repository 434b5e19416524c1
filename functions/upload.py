"""`POST /uploads`: files posted through the functions, streamed to the bucket and queued."""

from __future__ import annotations

import logging
import os
from typing import IO

from flask import Blueprint, request, url_for
from werkzeug.datastructures import MultiDict

from core import limits as lim
from core import logs, uploads
from core.ids import safe_filename
from functions import forms
from functions.context import services
from functions.errors import ApiError
from functions.inputs import callback_url, check_file
from functions.limits import check_filename, enforce
from functions.security import current_tenant

bp = Blueprint("upload", __name__)
log = logging.getLogger(__name__)


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _form() -> tuple[MultiDict, MultiDict]:
    """The request's fields and files (functions.forms: werkzeug's decoder, no per-request regexes)."""
    boundary = request.mimetype_params.get("boundary", "")
    if not (request.mimetype or "").startswith("multipart/form-data") or not boundary:
        raise ApiError(400, "bad_request", "Send multipart/form-data with one or more `file` parts.")
    try:
        return forms.parse(
            request.stream, boundary.encode("latin-1"), request.max_form_parts, request.max_form_memory_size
        )
    except (ValueError, UnicodeError):
        raise ApiError(400, "bad_request", "The multipart/form-data body is malformed.") from None


def _posted_files(files: MultiDict) -> list[uploads.Posted]:
    parts = files.getlist("file")
    if not parts:
        raise ApiError(400, "bad_request", "No `file` part in the form.")
    enforce(lim.check_part_count, len(parts))
    checked = []
    for part in parts:
        if not part.filename:
            raise ApiError(400, "bad_request", "A `file` part has no filename.")
        filename, size = safe_filename(check_filename(part.filename)), _size(part.stream)
        file_type = check_file(filename, size, services().settings.max_upload_bytes)
        checked.append(uploads.Posted(part.stream, filename, file_type, size))
    return checked


@bp.post("/uploads")
def create_uploads():
    form, parts = _form()
    files = _posted_files(parts)
    hook = callback_url(form.get("callback_url"))
    batch_id, jobs = uploads.accept(services(), files, hook, owner=current_tenant())
    replies = []
    for job in jobs:
        status_url = url_for("jobs.get_job", job_id=job.job_id, _external=True)
        replies.append(
            {"job_id": job.job_id, "filename": job.filename, "key": job.source.key, "status": job.status,
             "status_url": status_url}
        )  # fmt: skip
        logs.event(
            log,
            "upload_accepted",
            job_id=job.job_id,
            batch_id=batch_id,
            key=job.source.key,
            file_type=job.file_type,
        )
    status_url = url_for("batches.get_batch", batch_id=batch_id, _external=True)
    return {"batch_id": batch_id, "status_url": status_url, "jobs": replies}, 202
