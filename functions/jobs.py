"""The job functions: `GET /jobs/<id>`, `/result`, and `POST /jobs/<id>/start`, `/retry`, `/cancel`."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request

from core import jobs
from core.errors import JobError
from core.layout import result_key
from core.lifecycle import JobRecord
from functions.context import services
from functions.errors import ApiError
from functions.security import owns

bp = Blueprint("jobs", __name__)


def not_found(job_id: str) -> ApiError:
    return ApiError(404, "not_found", f"No job {job_id!r}.")


def existing(job_id: str) -> JobRecord:
    """The job, else a 404 (also when another tenant owns it: exactly as for an id that does not exist)."""
    record = jobs.find(services(), job_id)
    if record is None or not owns(record.owner):
        raise not_found(job_id)
    return record


@bp.get("/jobs/<job_id>")
def get_job(job_id: str):
    from functions import live  # live serves GET with ETag and `wait` (and reads through `existing`)

    return live.respond(live.job_watched(job_id))


@bp.get("/jobs/<job_id>/result")
def get_result(job_id: str):
    svc = services()
    job = existing(job_id)
    if job.status == "failed":
        error = job.error.model_dump() if job.error else {"code": "internal", "message": "The job failed."}
        raise ApiError(409, error["code"], error["message"], status=job.status)
    if job.status != "finished":
        raise ApiError(409, "not_finished", f"The job is {job.status}; no result yet.", status=job.status)
    if request.args.get("redirect") in ("1", "true"):
        url = svc.clients.public_s3.generate_presigned_url(
            "get_object", Params={"Bucket": svc.settings.s3_bucket, "Key": result_key(job_id)}, ExpiresIn=300
        )
        return redirect(url, code=302)
    stored = jobs.read_result(svc, job_id)
    if stored is None:
        raise not_found(job_id)
    # Results stored before they ended in a newline get one, as every other JSON reply has.
    body = stored if stored.endswith(b"\n") else stored + b"\n"
    return Response(body, mimetype="application/json")


@bp.post("/jobs/<job_id>/start")
def start(job_id: str):
    try:
        record = jobs.start(services(), existing(job_id))
    except JobError as err:
        raise ApiError(409, err.code, err.message) from None
    if record.status == "failed" and record.error and record.error.code == "too_large":
        raise ApiError(413, "too_large", record.error.message, job=record.dump())
    return record.dump(), 202


@bp.post("/jobs/<job_id>/retry")
def retry(job_id: str):
    existing(job_id)
    change = jobs.retry(services(), job_id)
    if not change.applied:
        status = change.before or "unknown"
        raise ApiError(
            409, "conflict",
            f"Only a failed job whose code is timeout, internal or upload_missing can be retried, within "
            f"MAX_ATTEMPTS attempts; this one is {status}.",
        )  # fmt: skip
    return change.record.dump(), 202


@bp.post("/jobs/<job_id>/cancel")
def cancel(job_id: str):
    existing(job_id)
    change = jobs.cancel(services(), job_id)
    if not change.applied:
        raise ApiError(409, "conflict", f"The job has ended ({change.before}); there is nothing to cancel.")
    return change.record.dump()
