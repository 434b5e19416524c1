"""`POST /uploads`: files posted through the functions, streamed to the bucket and queued."""

from __future__ import annotations

import logging
import os
from typing import IO, Any

from boto3.s3.transfer import TransferConfig
from flask import Blueprint, request, url_for
from werkzeug.datastructures import FileStorage

from core import batches as bat
from core import callbacks, logs
from core import records as rec
from core.intake import create_queued
from core.keys import file_type_of, new_job_id, safe_filename, upload_key
from core.manifests import seal
from core.objects import ObjectRef
from core.services import Services
from functions.context import services
from functions.errors import ApiError

bp = Blueprint("upload", __name__)
log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "txt": "text/plain",
    "json": "application/json",
    "rtf": "application/rtf",
    "pdf": "application/pdf",
}
# Above this size boto3's transfer manager sends the file in parts; below it one PUT returns the ETag.
SINGLE_PUT_BYTES = 8 << 20
# One part in memory at a time: a request thread holds 8 MB, not the transfer manager's 10 × 8 MB.
SEQUENTIAL_PARTS = TransferConfig(multipart_chunksize=SINGLE_PUT_BYTES, use_threads=False)


def check_file(filename: str, size: int, limit: int) -> str:
    """The file type of an acceptable file, else an ApiError with the contract's code."""
    file_type = file_type_of(filename)
    if file_type is None:
        raise ApiError(
            415, "unsupported_type", f"{filename!r}: only .txt, .json, .rtf and .pdf are accepted."
        )
    if size > limit:
        raise ApiError(
            413, "too_large", f"{filename!r} is {size} bytes; the limit is {limit} bytes.", limit=limit
        )
    return file_type


def callback_url(given: object) -> str | None:
    """The submitter's `callback_url`, checked, or None when none was given."""
    if given in (None, ""):
        return None
    try:
        return callbacks.check_url(given, services().settings.callback_secret)
    except callbacks.CallbackError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _file_parts() -> list[tuple[FileStorage, str, int]]:
    if not (request.mimetype or "").startswith("multipart/form-data"):
        raise ApiError(400, "bad_request", "Send multipart/form-data with one or more `file` parts.")
    parts = request.files.getlist("file")
    if not parts:
        raise ApiError(400, "bad_request", "No `file` part in the form.")
    checked = []
    for part in parts:
        if not part.filename:
            raise ApiError(400, "bad_request", "A `file` part has no filename.")
        filename, size = safe_filename(part.filename), _size(part.stream)
        check_file(filename, size, services().settings.max_upload_bytes)
        checked.append((part, filename, size))
    return checked


def store(svc: Services, stream: IO[bytes], key: str, size: int, file_type: str) -> str | None:
    """Stream one file to the bucket; returns its ETag when S3 tells it without another request."""
    bucket, content_type = svc.settings.s3_bucket, CONTENT_TYPES[file_type]
    if size <= SINGLE_PUT_BYTES:
        reply = svc.clients.s3.put_object(Bucket=bucket, Key=key, Body=stream, ContentType=content_type)
        return reply.get("ETag", "").strip('"') or None
    svc.clients.s3.upload_fileobj(
        stream, bucket, key, ExtraArgs={"ContentType": content_type}, Config=SEQUENTIAL_PARTS
    )
    return None


def job_summary(job_id: str, filename: str, key: str, status: str) -> dict[str, Any]:
    status_url = url_for("jobs.get_job", job_id=job_id, _external=True)
    return {"job_id": job_id, "filename": filename, "key": key, "status": status, "status_url": status_url}


@bp.post("/uploads")
def create_uploads():
    svc = services()
    parts = _file_parts()
    hook = callback_url(request.form.get("callback_url"))
    batch_id = bat.new_batch_id()
    jobs = []
    for part, filename, size in parts:
        job_id = new_job_id()
        key = upload_key(job_id, filename)
        etag = store(svc, part.stream, key, size, file_type_of(filename) or "txt")
        obj = ObjectRef(bucket=svc.settings.s3_bucket, key=key, size=size, etag=etag)
        create_queued(svc, job_id, filename, obj, batch_id=batch_id, callback_url=hook)
        jobs.append(job_summary(job_id, filename, key, rec.QUEUED))
        logs.event(
            log, "upload_accepted", job_id=job_id, batch_id=batch_id, key=key, file_type=file_type_of(key)
        )
    job_ids = [job["job_id"] for job in jobs]
    # A one-file upload's batch is only a handle: its job's result says all a manifest would.
    tracked = len(job_ids) > 1
    svc.batches.create(batch_id, bat.RUNNING, job_ids, tracked=tracked, origin="upload")
    if tracked:
        seal(svc, batch_id, job_ids)
    status_url = url_for("batches.get_batch", batch_id=batch_id, _external=True)
    return {"batch_id": batch_id, "status_url": status_url, "jobs": jobs}, 202
