"""One job from start to end: record it started, fetch, analyze, store the result, record it ended."""

from __future__ import annotations

import json
import logging
from typing import Any

from rq.timeouts import JobTimeoutException

from core import records as rec
from core.errors import INTERNAL, TIMEOUT, TOO_LARGE, JobError
from core.keys import result_key
from core.manifests import job_ended
from core.results import build_result
from core.services import Services
from worker.analyze import analyze
from worker.fetch import fetched

log = logging.getLogger(__name__)
RUNNABLE = (rec.AWAITING_UPLOAD, rec.QUEUED, rec.STARTED)


def begin(svc: Services, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any] | None:
    """Mark the job started (one more attempt); None when it has ended already (a duplicate run)."""
    applied, before = svc.records.transition(job_id, RUNNABLE, count_attempt=True, status=rec.STARTED)
    if before is None:  # Redis lost the record: the queued job carries enough to rebuild it.
        svc.records.create(job_id, status=rec.STARTED, source=source, result_key=result_key(job_id), **meta)
        svc.records.transition(job_id, (rec.STARTED,), count_attempt=True)
    elif not applied:
        log.info("job %s is %s already; not run again", job_id, before)
        return None
    return svc.records.get(job_id)


def fail(svc: Services, job_id: str, code: str, message: str) -> None:
    error = {"code": code, "message": message}
    applied, _ = svc.records.transition(
        job_id, RUNNABLE, status=rec.FAILED, error=error, finished_at=rec.now_iso()
    )
    if applied:
        job_ended(svc, job_id)
    log.info("job %s failed: %s", job_id, code)


def store_result(svc: Services, job_id: str, doc: dict[str, Any]) -> None:
    body = json.dumps(doc, ensure_ascii=False).encode()
    svc.clients.s3.put_object(
        Bucket=svc.settings.s3_bucket, Key=result_key(job_id), Body=body, ContentType="application/json"
    )


def process(svc: Services, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> str:
    """Run one job; returns its final status. Transient storage errors propagate so RQ retries them."""
    record = begin(svc, job_id, source, meta)
    if record is None:
        return "skipped"
    limits = svc.settings.limits
    try:
        with fetched(svc.clients.s3, source, limits.max_bytes) as path:
            analysis = analyze(path, record["file_type"], limits)
    except JobError as err:
        fail(svc, job_id, err.code, err.message)
        return rec.FAILED
    except JobTimeoutException:
        fail(svc, job_id, TIMEOUT, "Processing took longer than the time limit.")
        return rec.FAILED
    except MemoryError:
        fail(svc, job_id, TOO_LARGE, "Processing needed more memory than the limit allows.")
        return rec.FAILED
    finished_at = rec.now_iso()
    store_result(svc, job_id, build_result(record, analysis, finished_at))
    applied, _ = svc.records.transition(
        job_id, (rec.STARTED,), status=rec.FINISHED, result=analysis, error=None, finished_at=finished_at
    )
    if applied:
        job_ended(svc, job_id)
    return rec.FINISHED


def give_up(svc: Services, job_id: str, reason: str) -> None:
    """Record a job RQ will not try again (retries spent, worker lost) as failed with `internal`."""
    fail(svc, job_id, INTERNAL, reason)
