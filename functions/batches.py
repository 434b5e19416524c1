"""`GET /batches/<id>`: a batch's status, totals and jobs (paginated)."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from core import batches as bat
from core import records as rec
from functions.context import services
from functions.errors import ApiError
from functions.upload import callback_url

bp = Blueprint("batches", __name__)
MAX_PAGE = 1000


def _page_args() -> tuple[int, int]:
    try:
        offset = max(0, int(request.args.get("offset", 0)))
        limit = min(MAX_PAGE, max(1, int(request.args.get("limit", 100))))
    except ValueError:
        raise ApiError(400, "bad_request", "offset and limit must be integers.") from None
    return offset, limit


@bp.get("/batches/<batch_id>")
def get_batch(batch_id: str):
    svc = services()
    loaded = bat.load_summary(svc.batches, svc.records, batch_id)
    if loaded is None:
        raise ApiError(404, "not_found", f"No batch {batch_id!r}.")
    summary, jobs = loaded
    offset, limit = _page_args()
    page = [rec.public_view(job) for job in jobs[offset : offset + limit] if job]
    return {**summary, "offset": offset, "limit": limit, "jobs": page}


LIST_TASK = "worker.tasks.list_batch"


@bp.post("/batches")
def create_batch():
    svc = services()
    body = request.get_json(silent=True)
    prefix = body.get("prefix") if isinstance(body, dict) else None
    if not isinstance(prefix, str) or not prefix.strip("/"):
        raise ApiError(400, "bad_request", 'Send {"prefix": "incoming/..."} naming a folder in the bucket.')
    prefix = prefix.lstrip("/")
    if prefix.startswith(("results/", "uploads/")):
        raise ApiError(
            400, "bad_request", "Batches list dropped files; results/ and uploads/ are managed here."
        )
    batch_id = bat.new_batch_id()
    hook = callback_url(body.get("callback_url"))
    svc.batches.create(batch_id, bat.LISTING, prefix=prefix, origin="prefix", callback_url=hook)
    svc.queue.enqueue(LIST_TASK, batch_id, prefix, job_id=f"list-{batch_id}", result_ttl=0)
    return {
        "batch_id": batch_id,
        "status_url": url_for("batches.get_batch", batch_id=batch_id, _external=True),
    }, 202
