"""`/uploads/multipart`: large files straight to the bucket in parts, resumable, checked per part."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from flask import Blueprint, Response, url_for

from core import multipart
from core import multipart_jobs as mpj
from core.ids import safe_filename
from core.lifecycle import JobRecord
from core.models import JobStatus
from core.uploads import CONTENT_TYPES
from functions.context import services
from functions.errors import ApiError
from functions.inputs import callback_url, check_file
from functions.jobs import existing
from functions.limits import check_filename, json_body
from functions.security import current_tenant

bp = Blueprint("multipart", __name__)
# The types a multipart upload may declare for each extension (its object keeps that Content-Type).
ALLOWED_TYPES = {
    "txt": ("text/plain",),
    "json": ("application/json",),
    "rtf": ("application/rtf", "text/rtf"),
    "pdf": ("application/pdf",),
}


def _json_object() -> dict[str, Any]:
    """The request's JSON object, size- and depth-checked before parsing (read once per request)."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Send a JSON object.")
    return body


def _create_body(body: dict[str, Any]) -> tuple[str, int, str | None]:
    filename, size, content_type = body.get("filename"), body.get("size"), body.get("content_type")
    if not isinstance(filename, str) or not filename.strip():
        raise ApiError(400, "bad_request", "`filename` must be a non-empty string.")
    check_filename(filename)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ApiError(400, "bad_request", "`size` must be the file's size in bytes (an integer >= 0).")
    if content_type is not None and not isinstance(content_type, str):
        raise ApiError(400, "bad_request", "`content_type` must be a string.")
    return filename, size, content_type or None


def _content_type(file_type: str, given: str | None) -> str:
    if given is None:
        return CONTENT_TYPES[file_type]
    if given.split(";")[0].strip().lower() not in ALLOWED_TYPES[file_type]:
        allowed = ", ".join(ALLOWED_TYPES[file_type])
        raise ApiError(415, "unsupported_type", f"A .{file_type} file is sent as {allowed}, not {given!r}.")
    return given


def _waiting_upload(job_id: str) -> JobRecord:
    """The job's record if it is a multipart upload still open, else 404 or 409."""
    record = existing(job_id)
    if not mpj.is_multipart(record):
        raise ApiError(404, "not_found", f"Job {job_id!r} has no multipart upload.")
    if record.status != JobStatus.AWAITING_UPLOAD:
        raise ApiError(409, "conflict", f"The upload is over; the job is {record.status}.")
    return record


def _gone(exc: ClientError) -> ApiError:
    """The answer when the bucket no longer holds the upload; any other S3 error is re-raised."""
    if not multipart.no_such_upload(exc):
        raise exc
    return ApiError(409, "upload_missing", "The bucket no longer holds this upload.")


@bp.post("/uploads/multipart")
def create():
    svc = services()
    body = _json_object()
    filename, size, given_type = _create_body(body)
    filename = safe_filename(filename)
    file_type = check_file(filename, size, svc.settings.max_multipart_bytes)
    content_type = _content_type(file_type, given_type)
    hook = callback_url(body.get("callback_url"))
    record = mpj.open_job(svc, filename, size, content_type, callback_url=hook, owner=current_tenant())
    return {
        "job_id": record.job_id, "key": record.source.key, "upload_id": record.upload_id,
        "part_size": record.part_size, "part_count": record.part_count,
        "expires_at": record.upload_expires_at,
        "status_url": url_for("jobs.get_job", job_id=record.job_id, _external=True),
    }, 201  # fmt: skip


def _parts_to_sign(plan: multipart.PartPlan) -> list[tuple[int, str | None]]:
    parts = _json_object().get("parts")
    if not isinstance(parts, list) or not 1 <= len(parts) <= multipart.SIGN_BATCH:
        raise ApiError(400, "bad_request", f"`parts` must list 1 to {multipart.SIGN_BATCH} parts.")
    wanted = []
    for part in parts:
        number = part.get("part_number") if isinstance(part, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= plan.part_count:
            raise ApiError(
                400, "bad_request", f"Each `part_number` is an integer from 1 to {plan.part_count}."
            )
        checksum = part.get("checksum_sha256")
        if checksum is not None and not multipart.is_sha256_b64(checksum):
            raise ApiError(400, "bad_request", "`checksum_sha256` is the base64 of the part's SHA-256.")
        wanted.append((number, checksum))
    return wanted


@bp.post("/uploads/multipart/<job_id>/parts")
def sign_parts(job_id: str):
    svc = services()
    record = _waiting_upload(job_id)
    plan = mpj.plan_of(record)
    key, upload_id = record.source.key, record.upload_id or ""
    signed = [
        multipart.sign_part(
            svc.clients.public_s3,
            svc.settings.s3_bucket,
            key,
            upload_id,
            number,
            plan.part_bytes(number),
            checksum,
            svc.settings.presign_expires_seconds,
        )  # fmt: skip
        for number, checksum in _parts_to_sign(plan)
    ]
    return {"parts": signed}


@bp.get("/uploads/multipart/<job_id>/parts")
def list_parts(job_id: str):
    svc = services()
    record = _waiting_upload(job_id)
    try:
        return {"parts": mpj.held_parts(svc, record)}
    except ClientError as exc:
        raise _gone(exc) from None


def _parts_sent() -> dict[int, str]:
    parts = _json_object().get("parts")
    if not isinstance(parts, list) or not parts or len(parts) > multipart.MAX_PARTS:
        raise ApiError(400, "bad_request", "`parts` must list every part with its `part_number` and `etag`.")
    sent: dict[int, str] = {}
    for part in parts:
        number = part.get("part_number") if isinstance(part, dict) else None
        etag = part.get("etag") if isinstance(part, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not isinstance(etag, str) or not etag:
            raise ApiError(400, "bad_request", "Each part has an integer `part_number` and a string `etag`.")
        if number in sent:
            raise ApiError(400, "bad_request", f"Part {number} is listed twice.")
        sent[number] = etag
    return sent


@bp.post("/uploads/multipart/<job_id>/complete")
def complete(job_id: str):
    svc = services()
    record = _waiting_upload(job_id)
    sent = _parts_sent()
    try:
        outcome = mpj.complete(svc, record, sent)
    except ClientError as exc:
        outcome = svc.lifecycle.get(job_id)  # a concurrent complete may have won
        if outcome is None or outcome.status == JobStatus.AWAITING_UPLOAD:
            raise _gone(exc) from None
    if isinstance(outcome, str):
        raise ApiError(400, "bad_request", outcome)
    if outcome.status == JobStatus.FAILED and outcome.error and outcome.error.code == "too_large":
        raise ApiError(413, "too_large", outcome.error.message, job=outcome.dump())
    return outcome.dump(), 202


@bp.delete("/uploads/multipart/<job_id>")
def abort(job_id: str):
    record = _waiting_upload(job_id)
    if not mpj.abort(services(), record):
        raise ApiError(409, "conflict", "The upload is over.")
    return Response(status=204)
