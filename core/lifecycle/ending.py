"""What the lifecycle does around its transitions: queue work, store results, and the one ending hook
(manifests of completed batches, the submitter's callback, one log line). Statistics for /metrics are
counted inside the transition itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core import bucket, layout, logs
from core.batches import Batches, write_manifest
from core.lifecycle.record import JobRecord
from core.results import build_result
from core.settings import Settings
from core.tasks import QueuedTask, TaskQueue

if TYPE_CHECKING:
    from core.lifecycle import Intake
    from core.lifecycle.store import Change

log = logging.getLogger("core.lifecycle")


def task_meta(job: JobRecord | Intake) -> dict[str, Any]:
    """What a queued task carries besides the job's id and source: enough to rebuild a lost record."""
    meta = {"filename": job.filename, "file_type": job.file_type, "batch_id": job.batch_id}
    if job.owner != "default":
        meta["owner"] = job.owner
    return meta


@dataclass(frozen=True)
class Hooks:
    """The clients the lifecycle's follow-ups use."""

    settings: Settings
    s3: Any
    tasks: TaskQueue
    batches: Batches

    def enqueue(self, record: JobRecord) -> bool:
        """Put a queued job on the queue with what a worker needs to rebuild it if Redis loses it."""
        return self.tasks.process(record.job_id, record.source.dump(), task_meta(record), record.attempts)

    def task_for(self, intake: Intake) -> QueuedTask:
        """The RQ job of a new job, for the script that creates its record to queue it too."""
        return self.tasks.prepare_process(intake.job_id, intake.source.dump(), task_meta(intake))

    def store_result(self, record: JobRecord, analysis: dict[str, Any], finished_at: str) -> dict[str, Any]:
        """Write the result document to the bucket; returns it."""
        doc = build_result(record, analysis, finished_at)
        bucket.put_json(self.s3, self.settings.s3_bucket, layout.result_key(record.job_id), doc)
        return doc

    def drop_result(self, job_id: str) -> None:
        bucket.delete(self.s3, self.settings.s3_bucket, layout.result_key(job_id))

    def ended(self, change: Change, code: str | None = None, seconds: float | None = None) -> None:
        """Once per job, after the transition that ended it."""
        record = change.record
        assert record is not None
        for batch_id in change.completed:
            self.batch_done(batch_id)
        if record.callback_url:
            self.tasks.deliver_callback(record.callback_url, f"job.{record.status}", record.dump())
        duration = round(seconds * 1000, 1) if seconds is not None else None
        name = "job_finished" if code is None else "job_failed"
        logs.event(
            log, name, job_id=record.job_id, batch_id=record.batch_id, file_type=record.file_type,
            status=record.status, code=code, duration_ms=duration, attempt=record.attempts,
        )  # fmt: skip

    def batch_done(self, batch_id: str) -> None:
        """Write a completed batch's manifest and queue its callback (the scripts say when: once)."""
        info = write_manifest(self.batches, self.s3, self.settings.s3_bucket, batch_id)
        if info is None:
            return
        logs.event(log, "batch_done", batch_id=batch_id, status=info.summary.status)
        if info.callback_url:
            self.tasks.deliver_callback(info.callback_url, "batch.done", info.summary.model_dump(mode="json"))
