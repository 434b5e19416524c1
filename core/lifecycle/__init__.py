"""Every change of a job's status, in one place: created, queued, started, finished, failed, given up,
expired, cancelled, retried.

Each transition is one Lua call that updates the record, the counters of the job's batches and the
statistics together, and publishes the change (see `core.lifecycle.scripts`). Each ending then runs
one hook (`core.lifecycle.ending`): manifests of completed batches, the callback, one log line.
Nothing else writes a job's status.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.bucket import ObjectRef
from core.errors import CANCELLED, INTERNAL, RETRYABLE_CODES, TOO_LARGE, UNSUPPORTED_TYPE, UPLOAD_MISSING
from core.ids import single_batch_id
from core.layout import job_id_from_upload_key, upload_key
from core.lifecycle.record import DEFAULT_OWNER, JobRecord, now_iso, result_of
from core.lifecycle.store import Change, New, RecordStore, Step
from core.models import JobStatus, Source

if TYPE_CHECKING:
    from core.lifecycle.ending import Hooks

AWAITING, QUEUED, STARTED = JobStatus.AWAITING_UPLOAD, JobStatus.QUEUED, JobStatus.STARTED
FINISHED, FAILED = JobStatus.FINISHED, JobStatus.FAILED
RUNNABLE = (AWAITING, QUEUED, STARTED)
# What a finished job's record keeps besides its status (the bucket's result document holds the rest).
KEPT_WHEN_FINISHED = ("owner", "batches", "batch_id", "filename")
# Watchers of a finished job get its result with the change (see core.lifecycle.finished); a bigger
# one (a long PDF's page counts) is read from the bucket instead.
MAX_ANNOUNCED_CHARS = 64 * 1024

__all__ = ["Change", "Intake", "JobRecord", "Lifecycle", "MultipartUpload", "RUNNABLE", "now_iso"]


@dataclass(frozen=True)
class Intake:
    """What a new job is made of."""

    job_id: str
    filename: str
    file_type: str | None
    source: Source
    batch_id: str | None = None
    owner: str = DEFAULT_OWNER
    callback_url: str | None = None
    declared_size: int | None = None
    multipart: MultipartUpload | None = None
    # The file's bytes, for a small upload the functions just stored: the worker need not GET them.
    content: bytes | None = None


@dataclass(frozen=True)
class MultipartUpload:
    """The open multipart upload a job waits for, and the size limit it was opened under."""

    upload_id: str
    part_size: int
    part_count: int
    expires_at: str
    size_limit: int


def announced_result(doc: dict[str, Any]) -> str:
    """The result document as the finished change announces it ('' when too big to send along)."""
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= MAX_ANNOUNCED_CHARS else ""


class Lifecycle:
    """The transitions of jobs; built once per process (see core.services)."""

    def __init__(self, store: RecordStore, hooks: Hooks) -> None:
        self.store = store
        self.hooks = hooks
        self.settings = hooks.settings

    # Reads

    def get(self, job_id: str) -> JobRecord | None:
        return self.store.get(job_id)

    def get_many(self, job_ids: list[str]) -> list[JobRecord | None]:
        return self.store.get_many(job_ids)

    def has_ended(self, job_id: str) -> bool:
        """Whether the job has ended (e.g. cancelled while a worker runs it); False if Redis lost it."""
        return self.store.status(job_id) in (FINISHED, FAILED)

    def upload_in(self, job_id: str, key: str) -> str | None:
        """The status of a job whose upload `key` is in already (queued by POST /uploads or an earlier
        event, or since ended), else None: a later event for it needs no word from the bucket."""
        status, filename = self.store.status_and_filename(job_id)
        if status in (None, AWAITING) or filename is None or upload_key(job_id, filename) != key:
            return None
        return status

    # Beginnings

    def awaiting_upload(self, intake: Intake) -> JobRecord:
        """A job for a presigned upload: waits for its file, and expires if none comes."""
        change = self.store.create(intake, AWAITING)
        self.hooks.tasks.expire_upload(intake.job_id)
        return change.record

    def multipart_opened(self, intake: Intake) -> JobRecord:
        """A job for a multipart upload: waits for its parts, and expires if they are not completed."""
        change = self.store.create(intake, AWAITING)
        self.hooks.tasks.expire_multipart(intake.job_id)
        return change.record

    def queued(self, intake: Intake) -> Change:
        """A new job for an object in the bucket, queued (or failed at once for an unsupported type)."""
        if intake.file_type is None:
            change = self.store.create(intake, FAILED, error=_unsupported(intake))
            if change.applied:
                self.hooks.ended(change, code=UNSUPPORTED_TYPE)
            return change
        return self.store.create(intake, QUEUED, task=self.hooks.task_for(intake))

    def queued_many(self, intakes: list[Intake]) -> list[Change]:
        """New jobs, as `queued` makes them, for the objects of one upload or listing page: files up to
        TASK_GROUP_MAX_BYTES share RQ jobs, TASK_GROUP_FILES at most each (every file is still its own
        job, with its own record, transitions and result); larger ones get one each."""
        limit, size = self.settings.task_group_max_bytes, self.settings.task_group_files
        small = [n for n, intake in enumerate(intakes) if (intake.source.size or limit + 1) <= limit]
        changes: dict[int, Change] = {}
        for start in range(0, len(small), size):
            chunk = small[start : start + size]
            if len(chunk) > 1:
                changes.update(zip(chunk, self._grouped([intakes[n] for n in chunk]), strict=True))
        return [changes[n] if n in changes else self.queued(intake) for n, intake in enumerate(intakes)]

    def _grouped(self, intakes: list[Intake]) -> list[Change]:
        news = [New(i, QUEUED) if i.file_type else New(i, FAILED, _unsupported(i)) for i in intakes]
        group_id = f"group-{uuid.uuid4().hex}"
        changes = self.store.create_group(news, group_id, self.hooks.tasks.prepare_group(group_id, len(news)))
        for new, change in zip(news, changes, strict=True):
            if change.applied and new.status == FAILED:
                self.hooks.ended(change, code=UNSUPPORTED_TYPE)
        return changes

    def upload_arrived(self, job_id: str, obj: ObjectRef) -> Change:
        """Queue a job waiting for its upload, now that `obj` is there; exactly one caller wins.

        Too big an object (over the declared size or MAX_UPLOAD_BYTES) fails the job instead.
        """
        record = self.store.get(job_id)
        if record is None or record.status != AWAITING:
            return Change(False, record.status if record else None, record)
        ceiling = record.size_limit or self.settings.max_upload_bytes  # multipart uploads may be larger
        limit = min(ceiling, record.declared_size or ceiling)
        source = {"source": obj.source()}
        if obj.size is not None and obj.size > limit:
            message = f"The uploaded file is {obj.size} bytes; at most {limit} were allowed."
            return self._fail(job_id, TOO_LARGE, message, allowed=(AWAITING,), fields=source)
        change = self.store.transition(job_id, Step(QUEUED, (AWAITING,)), source)
        if change.applied:
            self.hooks.enqueue(change.record)
        return change

    def retried(self, job_id: str) -> Change:
        """Queue a failed job again: only for codes a retry may cure, within MAX_ATTEMPTS in all."""
        step = Step(QUEUED, (FAILED,), retry_max=self.settings.max_attempts, retry_codes=RETRYABLE_CODES)
        change = self.store.transition(job_id, step, {"-error": "", "-finished_at": ""})
        if change.applied and change.record is not None:
            # A run with these attempts never started (it would have counted one), so RQ is done with
            # it: forgetting it cannot touch the attempt a worker may still be closing (core.tasks.run_id).
            self.hooks.tasks.forget(job_id, change.record.attempts)
            self.hooks.enqueue(change.record)
        return change

    # The worker's steps

    def started(self, job_id: str, rebuild: Intake | None = None) -> JobRecord | None:
        """Count an attempt and mark the job started; None when it ended already (a duplicate run).

        With `rebuild` (what the queued task carries), a record Redis lost is made again.
        """
        change = self.store.transition(job_id, Step(STARTED, RUNNABLE, count_attempt=True))
        if change.before is None and rebuild is not None:
            return self.store.create(rebuild, STARTED, attempts=1).record
        return change.record if change.applied else None

    def finished(self, record: JobRecord, analysis: dict[str, Any], seconds: float) -> bool:
        """Store the result, then mark the job finished, if this attempt is still the job's current one.

        Redis then keeps a small record (the bucket's result document holds the rest).
        """
        finished_at = now_iso()
        stored = self.hooks.store_result(record, analysis, finished_at)
        words = analysis.get("words", 0)
        fields: dict[str, Any] = {"words": words, **{f"+{name}": "" for name in KEPT_WHEN_FINISHED}}
        fields["=result"] = announced_result(stored)
        if record.batches and not job_id_from_upload_key(record.source.key):
            fields["key"] = record.source.key  # for the batch's manifest (an upload's key is derived)
        step = Step(
            FINISHED, (STARTED,), attempt=record.attempts, seconds=seconds, words=words, rewrite=True,
            returns_record=False, ttl=self._finished_ttl(record),
        )  # fmt: skip
        change = self.store.transition(record.job_id, step, fields, now=finished_at)
        if change.applied:
            update = {"status": FINISHED, "result": result_of(analysis), "updated_at": finished_at}
            ended = record.model_copy(update=update | {"finished_at": finished_at})
            self.hooks.ended(Change(True, change.before, ended, change.completed), seconds=seconds)
        elif change.before == FAILED:  # cancelled (or given up) meanwhile: no result may stay
            self.hooks.drop_result(record.job_id)
        return change.applied

    def _finished_ttl(self, record: JobRecord) -> int | None:
        """ENDED_RECORD_TTL_SECONDS for a finished upload that no batch of several files lists: its result
        document answers for it once the record is gone. Others keep RECORD_TTL_SECONDS: an object's
        job id is derived from the object, and its record is what makes a second event or a listing a
        no-op; a batch's manifest reads its jobs' records."""
        alone = not record.batches and record.batch_id in (None, single_batch_id(record.job_id))
        if alone and job_id_from_upload_key(record.source.key) == record.job_id:
            return self.settings.ended_record_ttl_seconds
        return None

    def failed(
        self,
        job_id: str,
        code: str,
        message: str,
        *,
        attempt: int | None = None,
        seconds: float | None = None,
    ) -> bool:
        """The job failed for `code` (the worker's verdict on this attempt)."""
        return self._fail(job_id, code, message, attempt=attempt, seconds=seconds).applied

    def given_up(self, job_id: str, reason: str) -> bool:
        """RQ will not try again (retries spent, worker lost): failed with `internal`."""
        return self._fail(job_id, INTERNAL, reason).applied

    def expired(self, job_id: str) -> bool:
        """Nothing was uploaded before the upload URL expired."""
        message = "Nothing was uploaded before the upload URL expired."
        return self._fail(job_id, UPLOAD_MISSING, message, allowed=(AWAITING,)).applied

    def multipart_expired(self, job_id: str) -> bool:
        """The multipart upload was not completed in time (and has been aborted in the bucket)."""
        message = "The multipart upload was not completed in time."
        return self._fail(job_id, UPLOAD_MISSING, message, allowed=(AWAITING,)).applied

    def cancelled(self, job_id: str, message: str = "The job was cancelled.") -> Change:
        """A job that has not ended fails with `cancelled` (a running attempt's finish then won't apply)."""
        return self._fail(job_id, CANCELLED, message)

    def callback_refused(self, job_id: str, message: str) -> None:
        """Say on an ended job why its callback was not sent (not a transition: the status stays)."""
        self.store.note(job_id, callback_error=message)

    def _fail(
        self,
        job_id: str,
        code: str,
        message: str,
        *,
        allowed: tuple[str, ...] = RUNNABLE,
        attempt: int | None = None,
        seconds: float | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Change:
        error = {"code": code, "message": message}
        step = Step(FAILED, allowed, attempt=attempt, code=code, seconds=seconds)
        fields = {**(fields or {}), "error": error, "finished_at": now_iso(), "-content": ""}
        change = self.store.transition(job_id, step, fields)
        if change.applied:
            self.hooks.ended(change, code=code, seconds=seconds)
        return change


def _unsupported(intake: Intake) -> dict[str, str]:
    message = f"{intake.filename!r} is not a .txt, .json, .rtf or .pdf file."
    return {"code": UNSUPPORTED_TYPE, "message": message}
