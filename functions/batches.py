"""`POST /batches` (every object under a prefix becomes a job) and `GET /batches/<id>` (totals and jobs)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from core import batches as bat
from core import bucket, ids, jobs, tenants
from core.models import BatchStatus
from core.services import Services
from functions.context import services
from functions.errors import ApiError
from functions.inputs import callback_url
from functions.limits import json_body
from functions.security import current_tenant, owns

bp = Blueprint("batches", __name__)
MAX_PAGE = 1000


def page_args() -> tuple[int, int]:
    try:
        offset = max(0, int(request.args.get("offset", 0)))
        limit = min(MAX_PAGE, max(1, int(request.args.get("limit", 100))))
    except ValueError:
        raise ApiError(400, "bad_request", "offset and limit must be integers.") from None
    return offset, limit


def _not_found(batch_id: str) -> ApiError:
    return ApiError(404, "not_found", f"No batch {batch_id!r}.")


def batch_document(svc: Services, batch_id: str, offset: int, limit: int) -> tuple[dict[str, Any], list[str]]:
    """The batch as `GET` shows it (totals and a page of jobs), and the times it last changed; else 404."""
    single, warning = ids.job_of_single_batch(batch_id), None
    if single:
        job = jobs.find(svc, single)
        if job is None or job.batch_id != batch_id or not owns(job.owner):
            raise _not_found(batch_id)
        summary, page, stamps = bat.single_summary(batch_id, job), [job][offset : offset + limit], []
    else:
        info = svc.batches.get(batch_id)
        if info is None or not owns(info.owner):
            raise _not_found(batch_id)
        summary, stamps = info.summary, [info.updated_at or ""]
        if summary.status == BatchStatus.DONE and summary.total == 0 and info.prefix is not None:
            warning = bat.empty_prefix_warning(info.prefix)
        job_ids = svc.batches.job_ids(batch_id, offset, limit)
        found = svc.lifecycle.get_many(job_ids)
        found = [job or jobs.find(svc, job_id) for job_id, job in zip(job_ids, found, strict=True)]
        page = [job for job in found if job is not None]
    head = summary.model_dump(mode="json")
    if warning:
        head["warning"] = warning
    doc = {**head, "offset": offset, "limit": limit, "jobs": [job.dump() for job in page]}
    return doc, stamps + [job.updated_at for job in page]


@bp.get("/batches/<batch_id>")
def get_batch(batch_id: str):
    from functions import live  # live serves GET with ETag and `wait` (and reads through batch_document)

    return live.respond(live.batch_watched(batch_id))


@bp.post("/batches")
def create_batch():
    svc = services()
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", 'Send {"prefix": "incoming/..."} naming a folder in the bucket.')
    tenant = current_tenant() if svc.settings.api_keys else None
    try:
        prefix = tenants.batch_prefix(body.get("prefix"), svc.settings.drop_prefix, tenant)
    except ValueError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    batch_id = ids.new_batch_id()
    hook = callback_url(body.get("callback_url"))
    svc.batches.create(
        batch_id,
        BatchStatus.LISTING,
        prefix=prefix,
        origin="prefix",
        callback_url=hook,
        owner=current_tenant(),
    )
    svc.tasks.list_batch(batch_id, prefix)
    reply = {
        "batch_id": batch_id,
        "status_url": url_for("batches.get_batch", batch_id=batch_id, _external=True),
    }
    if not bucket.holds_any(svc.clients.s3, svc.settings.s3_bucket, prefix):
        reply["warning"] = bat.empty_prefix_warning(prefix)
    return reply, 202


@bp.post("/batches/<batch_id>/cancel")
def cancel_batch(batch_id: str):
    svc = services()
    offset, limit = page_args()
    batch_document(svc, batch_id, offset, limit)  # 404 for no such batch
    single = ids.job_of_single_batch(batch_id)
    cancelled = jobs.cancel_batch(svc, [single] if single else svc.batches.job_ids(batch_id))
    doc, _ = batch_document(svc, batch_id, offset, limit)
    return {**doc, "cancelled": cancelled}
