"""Every way a job can end shows in the logs (one line) and in /metrics (scraped from the app)."""

from __future__ import annotations

import logging
from pathlib import Path

from core.bucket import ObjectRef
from core.errors import TIMEOUT, JobError
from functions.app import create_app
from tests.functional.helpers import queued_job, task_args, uploaded
from worker import housekeeping, pipeline
from worker.runtime import Runtime


class TimingOutParser:
    """A parser whose every file runs past the time limit."""

    def parse(self, path: Path, file_type: str, pages=None, stop=None) -> dict:
        raise JobError(TIMEOUT, "Processing took longer than the limit of 1 s.")

    def close(self) -> None:
        return None


def end_every_way(svc, rt) -> dict[str, str]:
    """One job per ending; returns job id -> the status or error code it should end with."""
    ends = {}
    ends[queued_job(svc)] = "finished"
    pipeline.process(rt, *task_args(svc, next(iter(ends))))
    bad = queued_job(svc, b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    pipeline.process(rt, *task_args(svc, bad))
    ends[bad] = "content_mismatch"
    unsupported = uploaded(svc, name="a.exe")
    svc.lifecycle.queued(unsupported)
    ends[unsupported.job_id] = "unsupported_type"
    big = uploaded(svc, b"0123456789", declared_size=2)
    svc.lifecycle.awaiting_upload(big)
    svc.lifecycle.upload_arrived(big.job_id, ObjectRef(**big.source.model_dump()))
    ends[big.job_id] = "too_large"
    never = uploaded(svc)
    svc.clients.s3.delete_object(Bucket="jobs", Key=never.source.key)
    svc.lifecycle.awaiting_upload(never)
    housekeeping.expire_upload(svc, never.job_id)
    ends[never.job_id] = "upload_missing"
    cancelled = queued_job(svc)
    svc.lifecycle.cancelled(cancelled)
    ends[cancelled] = "cancelled"
    lost = queued_job(svc)
    svc.lifecycle.started(lost)
    pipeline.give_up(rt, lost, "The worker processing this file stopped; retries are spent.")
    ends[lost] = "internal"
    slow = queued_job(svc)
    pipeline.process(Runtime(svc, TimingOutParser(), rt.policy), *task_args(svc, slow))
    ends[slow] = "timeout"
    return ends


def test_each_ending_is_logged_once_and_counted_in_metrics(svc, rt, caplog):
    caplog.set_level(logging.INFO, logger="core.lifecycle")
    ends = end_every_way(svc, rt)
    lines = [r for r in caplog.records if getattr(r, "event", None) in ("job_finished", "job_failed")]
    logged = {r.job_id: (r.code or r.status) for r in lines}
    assert logged == ends and len(lines) == len(ends)
    metrics = create_app(svc.settings, svc).test_client().get("/metrics").get_data(as_text=True)
    assert 'filejobs_jobs_ended_total{status="finished"} 1.0' in metrics
    assert f'filejobs_jobs_ended_total{{status="failed"}} {len(ends) - 1}.0' in metrics
    for code in set(ends.values()) - {"finished"}:
        assert f'filejobs_job_failures_total{{code="{code}"}} 1.0' in metrics, code
