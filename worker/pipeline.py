"""One job from start to end: record it started, fetch, analyze, store the result, record it ended."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from rq.timeouts import JobTimeoutException

from core import logs, stats
from core import records as rec
from core.endings import job_ended
from core.errors import INTERNAL, TIMEOUT, TOO_LARGE, JobError
from core.keys import result_key
from core.results import build_result
from core.services import Services
from worker import context, fanout
from worker.analyze import analyze
from worker.fetch import fetched

log = logging.getLogger(__name__)
RUNNABLE = (rec.AWAITING_UPLOAD, rec.QUEUED, rec.STARTED)


def count_attempt(svc: Services, job_id: str) -> None:
    """Mark the job started and count one more attempt (the worker does it before running the job)."""
    svc.records.transition(job_id, RUNNABLE, count_attempt=True, status=rec.STARTED)


def begin(svc: Services, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any] | None:
    """The job's record, started; None when it has ended already (a duplicate run)."""
    if not context.attempts_counted:
        count_attempt(svc, job_id)
    record = svc.records.get(job_id)
    if record is None:  # Redis lost the record: the queued job carries enough to rebuild it.
        svc.records.create(job_id, status=rec.STARTED, source=source, result_key=result_key(job_id), **meta)
        svc.records.transition(job_id, (rec.STARTED,), count_attempt=True)
        return svc.records.get(job_id)
    if record["status"] in rec.ENDED:
        logs.event(log, "job_skipped", job_id=job_id, status=record["status"])
        return None
    return record


def fail(
    svc: Services,
    job_id: str,
    code: str,
    message: str,
    record: dict[str, Any] | None = None,
    seconds: float = 0.0,
) -> None:
    error = {"code": code, "message": message}
    applied, _ = svc.records.transition(
        job_id, RUNNABLE, status=rec.FAILED, error=error, finished_at=rec.now_iso()
    )
    if applied:
        job_ended(svc, job_id, record)
        file_type = record.get("file_type") if record else None
        stats.record_outcome(svc.clients.redis, file_type, rec.FAILED, code, seconds)
        logs.event(log, "job_failed", job_id=job_id, code=code, status=rec.FAILED)


def store_result(svc: Services, job_id: str, doc: dict[str, Any]) -> None:
    body = json.dumps(doc, ensure_ascii=False).encode()
    svc.clients.s3.put_object(
        Bucket=svc.settings.s3_bucket, Key=result_key(job_id), Body=body, ContentType="application/json"
    )


def parse(svc: Services, path: Path, file_type: str, pages: tuple[int, int] | None = None) -> dict[str, Any]:
    """The analysis of a local file, in the isolated child when there is one."""
    limits = svc.settings.limits
    try:
        if context.extractor is None:
            return analyze(path, file_type, limits, pages)
        return context.extractor.analyze(path, file_type, limits, svc.settings.job_timeout_seconds, pages)
    except JobTimeoutException:
        raise JobError(TIMEOUT, "Processing took longer than the time limit.") from None
    except MemoryError:
        raise JobError(TOO_LARGE, "Processing needed more memory than the limit allows.") from None


def run_analysis(svc: Services, job_id: str, source: dict[str, Any], file_type: str) -> dict[str, Any] | None:
    """Fetch and analyze the object; None when a long PDF was spread over part jobs.

    Every way a file can fail becomes a JobError with its code.
    """
    with fetched(svc.clients.s3, source, svc.settings.max_upload_bytes) as path:
        if file_type != "pdf" or path.stat().st_size < fanout.PROBE_BYTES:
            return parse(svc, path, file_type)
        page_count = parse(svc, path, file_type, pages=(0, 0))["page_count"]
        if page_count <= fanout.PART_PAGES:
            return parse(svc, path, file_type)
        parts = fanout.fan_out(svc, job_id, source, page_count)  # the others start on the rest now
        first = parse(svc, path, file_type, pages=(0, fanout.PART_PAGES))
        return fanout.store_part(svc, job_id, first, parts)


def process_part(
    svc: Services, job_id: str, source: dict[str, Any], pages: tuple[int, int], total: int
) -> str:
    """One page range of a long PDF; the part that completes the set finishes the job."""
    record = svc.records.get(job_id)
    if record is None or record["status"] != rec.STARTED:
        return "skipped"
    began = time.monotonic()
    try:
        with fetched(svc.clients.s3, source, svc.settings.max_upload_bytes) as path:
            part = parse(svc, path, "pdf", pages)
    except JobError as err:
        fail(svc, job_id, err.code, err.message, record, time.monotonic() - began)
        return rec.FAILED
    analysis = fanout.store_part(svc, job_id, part, total)
    if analysis is not None:
        finish(svc, record, analysis, time.monotonic() - began)
        return rec.FINISHED
    return rec.STARTED


def finish(svc: Services, record: dict[str, Any], analysis: dict[str, Any], seconds: float) -> None:
    """Store the result once, then record the job finished (a duplicate run rewrites the same key)."""
    job_id, finished_at = record["job_id"], rec.now_iso()
    store_result(svc, job_id, build_result(record, analysis, finished_at))
    applied, _ = svc.records.transition(
        job_id, (rec.STARTED,), status=rec.FINISHED, result=analysis, error=None, finished_at=finished_at
    )
    if applied:
        job_ended(svc, job_id, record)
        stats.record_outcome(svc.clients.redis, record["file_type"], rec.FINISHED, None, seconds)
    duration = round(seconds * 1000, 1)
    logs.event(log, "job_finished", job_id=job_id, file_type=record["file_type"], duration_ms=duration)


def process(svc: Services, job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> str:
    """Run one job; returns its final status. Transient storage errors propagate so RQ retries them."""
    record = begin(svc, job_id, source, meta)
    if record is None:
        return "skipped"
    logs.event(log, "job_started", job_id=job_id, key=source.get("key"), attempt=record.get("attempts"))
    began = time.monotonic()
    try:
        analysis = run_analysis(svc, job_id, source, record["file_type"])
    except JobError as err:
        fail(svc, job_id, err.code, err.message, record, time.monotonic() - began)
        return rec.FAILED
    if analysis is None:
        return rec.STARTED  # its page ranges are queued; the last one to end finishes it
    finish(svc, record, analysis, time.monotonic() - began)
    return rec.FINISHED


def give_up(svc: Services, job_id: str, reason: str) -> None:
    """Record a job RQ will not try again (retries spent, worker lost) as failed with `internal`."""
    fail(svc, job_id, INTERNAL, reason)
