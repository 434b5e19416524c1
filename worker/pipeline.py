"""One job from start to end: mark it started, fetch, analyze, and let the lifecycle record the end."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from rq.timeouts import JobTimeoutException

from core import logs
from core.errors import JobError
from core.layout import group_key, parts_key
from core.lifecycle import Intake, JobRecord
from core.lifecycle.record import content_of
from core.models import JobStatus, Source
from core.tasks import PROCESS_GROUP
from worker import fanout
from worker.analyze import completed
from worker.fetch import fetched, held
from worker.runtime import Runtime

log = logging.getLogger(__name__)


def _rebuild(job_id: str, source: dict[str, Any], meta: dict[str, Any]) -> Intake:
    """The job as its queued task describes it, for when Redis has lost the record."""
    return Intake(
        job_id=job_id,
        filename=meta.get("filename") or "file",
        file_type=meta.get("file_type"),
        source=Source.model_validate(source),
        batch_id=meta.get("batch_id"),
        owner=meta.get("owner") or "default",
    )


def ended_meanwhile(rt: Runtime, job_id: str) -> Callable[[], bool]:
    """Whether the job ended while it is parsed (cancelled): the parse then stops, and nothing is stored."""
    return lambda: rt.services.lifecycle.has_ended(job_id)


def size_limit(rt: Runtime, record: JobRecord) -> int:
    """The largest file the job may read: MAX_UPLOAD_BYTES, or the larger limit of a multipart upload."""
    return record.size_limit or rt.services.settings.max_upload_bytes


def run_analysis(rt: Runtime, record: JobRecord) -> dict[str, Any] | None:
    """Fetch and analyze the object; None when a long PDF was spread over part jobs.

    Every way a file can fail becomes a JobError with its code.
    """
    svc, source, content = rt.services, record.source.dump(), content_of(record)
    parse = functools.partial(rt.parser.parse, stop=ended_meanwhile(rt, record.job_id))
    limit = size_limit(rt, record)
    local = held(content, limit) if content is not None else fetched(svc.clients.s3, source, limit)
    with local as (path, sha256):
        if record.file_type != "pdf" or path.stat().st_size < fanout.PROBE_BYTES:
            return completed(parse(path, record.file_type), sha256)
        page_count = parse(path, "pdf", (0, 0))["page_count"]
        if page_count <= fanout.PART_PAGES:
            return completed(parse(path, "pdf"), sha256)
        parts = fanout.fan_out(svc, record.job_id, source, page_count, record.attempts)
        first = parse(path, "pdf", (0, fanout.PART_PAGES))  # the other workers start on the rest now
        return fanout.store_part(svc, record.job_id, {**first, "sha256": sha256}, parts)


def process(
    rt: Runtime, job_id: str, source: dict[str, Any] | None = None, meta: dict[str, Any] | None = None
) -> str:
    """Run one job; returns its final status. Transient storage errors propagate so RQ retries them.

    `source` and `meta` (what a job's own task carries) rebuild a record Redis lost; a group's jobs
    were created with their group in one call, so theirs cannot be lost alone.
    """
    lifecycle = rt.services.lifecycle
    rebuild = _rebuild(job_id, source, meta or {}) if source is not None else None
    record = lifecycle.started(job_id, rebuild=rebuild)
    if record is None:
        logs.event(log, "job_skipped", job_id=job_id)
        return "skipped"
    logs.event(log, "job_started", job_id=job_id, key=record.source.key, attempt=record.attempts)
    began = time.monotonic()
    try:
        analysis = run_analysis(rt, record)
    except JobError as err:
        lifecycle.failed(
            job_id, err.code, err.message, attempt=record.attempts, seconds=time.monotonic() - began
        )
        return JobStatus.FAILED
    if analysis is None:
        return JobStatus.STARTED  # its page ranges are queued; the last one to end finishes it
    lifecycle.finished(record, analysis, time.monotonic() - began)
    return JobStatus.FINISHED


def group_members(rt: Runtime, group_id: str) -> list[str]:
    return [raw.decode() for raw in rt.services.clients.redis.lrange(group_key(group_id), 0, -1)]


def process_group(rt: Runtime, group_id: str) -> int:
    """Run each job of a group in turn; returns how many there were.

    A job that fails for a reason RQ should retry (storage away, the parser died) does not hold the
    others back: they run, then the first such error is raised and RQ runs the group again, where the
    jobs that ended are skipped (their `started` transition refuses) and the others are tried again.
    """
    members, retry = group_members(rt, group_id), None
    for job_id in members:
        try:
            process(rt, job_id)
        except JobTimeoutException:
            raise  # RQ's limit for the whole group: the rest run when RQ tries it again
        except Exception as exc:  # noqa: BLE001 - raised below, after the group's other jobs
            log.warning("job %s of group %s: %s; the group will be tried again", job_id, group_id, exc)
            retry = retry or exc
    if retry is not None:
        raise retry
    rt.services.clients.redis.delete(group_key(group_id))
    return len(members)


def process_part(
    rt: Runtime, job_id: str, source: dict[str, Any], pages: tuple[int, int], total: int, attempt: int
) -> str:
    """One page range of a long PDF; the part that completes the set finishes the job."""
    svc = rt.services
    record = svc.lifecycle.get(job_id)
    if record is None or record.status != JobStatus.STARTED or record.attempts != attempt:
        return "skipped"
    logs.event(log, "part_started", job_id=job_id, part=f"{job_id}-p{pages[0]}", attempt=attempt)
    began = time.monotonic()
    try:
        with fetched(svc.clients.s3, source, size_limit(rt, record)) as (path, sha256):
            part = {**rt.parser.parse(path, "pdf", pages, stop=ended_meanwhile(rt, job_id)), "sha256": sha256}
    except JobError as err:
        svc.lifecycle.failed(job_id, err.code, err.message, attempt=attempt, seconds=time.monotonic() - began)
        return JobStatus.FAILED
    analysis = fanout.store_part(svc, job_id, part, total)
    if analysis is None:
        return JobStatus.STARTED
    if not svc.lifecycle.finished(record, analysis, time.monotonic() - began):
        svc.clients.redis.delete(parts_key(job_id))  # ended meanwhile (cancelled): the counts are moot
        return "skipped"
    return JobStatus.FINISHED


def give_up(rt: Runtime, job_id: str, reason: str) -> None:
    """The one give-up path: a job RQ will not try again (retries spent, worker lost) fails `internal`."""
    if rt.services.lifecycle.given_up(job_id, reason):
        log.warning("gave up on job %s: %s", job_id, reason)


def give_up_task(rt: Runtime, task: str, first_arg: str, reason: str) -> None:
    """Give up on what a file task RQ will not try again was for: its job, or each job of its group
    that has not ended (given_up refuses the others)."""
    if task != PROCESS_GROUP:
        give_up(rt, first_arg, reason)
        return
    for job_id in group_members(rt, first_arg):
        give_up(rt, job_id, reason)
    rt.services.clients.redis.delete(group_key(first_arg))
