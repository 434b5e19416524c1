"""`GET /jobs/<id>` and `GET /jobs/<id>/result`: a job's status, and its result from the bucket."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, redirect, request

from core import records as rec
from core.keys import is_job_id, result_key
from core.results import job_from_result
from core.services import Services
from core.storage import read_object
from functions.context import services
from functions.errors import ApiError

bp = Blueprint("jobs", __name__)


def not_found(job_id: str) -> ApiError:
    return ApiError(404, "not_found", f"No job {job_id!r}.")


def existing_record(svc: Services, job_id: str) -> dict[str, Any]:
    """The job's record in Redis, else a 404."""
    record = svc.records.get(job_id) if is_job_id(job_id) else None
    if record is None:
        raise not_found(job_id)
    return record


def read_result(svc: Services, job_id: str) -> bytes | None:
    """The stored result document of a job, or None if the bucket has none."""
    return read_object(svc.clients.s3, svc.settings.s3_bucket, result_key(job_id))


def find_job(svc: Services, job_id: str) -> dict[str, Any]:
    """The job from its record, or rebuilt from its result once Redis has forgotten it."""
    if not is_job_id(job_id):
        raise not_found(job_id)
    record = svc.records.get(job_id)
    if record is not None:
        return rec.public_view(record)
    stored = read_result(svc, job_id)
    if stored is None:
        raise not_found(job_id)
    return job_from_result(json.loads(stored))


@bp.get("/jobs/<job_id>")
def get_job(job_id: str):
    return find_job(services(), job_id)


@bp.get("/jobs/<job_id>/result")
def get_result(job_id: str):
    svc = services()
    job = find_job(svc, job_id)
    if job["status"] == rec.FAILED:
        error = job["error"] or {"code": "internal", "message": "The job failed."}
        raise ApiError(409, error["code"], error["message"], status=job["status"])
    if job["status"] != rec.FINISHED:
        raise ApiError(
            409, "not_finished", f"The job is {job['status']}; no result yet.", status=job["status"]
        )
    if request.args.get("redirect") in ("1", "true"):
        url = svc.clients.public_s3.generate_presigned_url(
            "get_object", Params={"Bucket": svc.settings.s3_bucket, "Key": result_key(job_id)}, ExpiresIn=300
        )
        return redirect(url, code=302)
    stored = read_result(svc, job_id)
    if stored is None:
        raise not_found(job_id)
    return Response(stored, mimetype="application/json")
