"""The queue contract: every task the workers run, and every enqueue with its options, in one place.

Tasks are enqueued by dotted path, so the functions never import worker code. Every queue uses
JSON, not pickle.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Callback, Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now

from core import callbacks
from core.settings import Settings

PROCESS = "worker.tasks.process"
# Several small files (each its own job, record and result) processed in turn by one RQ job.
PROCESS_GROUP = "worker.tasks.process_group"
PART = "worker.tasks.process_part"
EXPIRE_UPLOAD = "worker.tasks.expire_upload"
EXPIRE_MULTIPART = "worker.tasks.expire_multipart"
# Ids of scheduled chores (not file jobs): metrics keep them out of the queue's backlog.
EXPIRY_ID_PREFIX = "expire-"
LIST_BATCH = "worker.tasks.list_batch"
DELIVER_CALLBACK = "worker.tasks.deliver_callback"
ON_FAILURE = "worker.tasks.on_failure"
FILE_TASKS = (PROCESS, PART, PROCESS_GROUP)

# Time for the S3 download and upload around the extraction's own limit.
IO_MARGIN_SECONDS = 30
# A job whose URL expired is failed a little later, so an upload that just made it can still start.
EXPIRY_GRACE_SECONDS = 60
# RQ's copy of a file task it gave up on (its traceback) stays a day for operators; the job's own record
# keeps what a retry and GET /jobs/<id> need.
RQ_FAILURE_TTL_SECONDS = 24 * 3600
RQ_QUEUES_KEY = "rq:queues"  # rq.Queue.redis_queues_keys
# How often a process looks up the queue's length (see TaskQueue.backlog).
BACKLOG_CHECK_SECONDS = 1.0

# Lua: put a prepared RQ job (see QueuedTask) on its queue unless RQ holds a job of that id, as RQ's
# unique enqueue does (and register the queue, as every RQ enqueue does). Shared with the lifecycle's
# scripts, which queue a job in the same call that creates its record.
ENQUEUE_FUNCTION = f"""
local function enqueue_task(job_key, queue_key, job_id, first, last)
  if redis.call('EXISTS', job_key) == 1 then return 0 end
  redis.call('HSET', job_key, unpack(ARGV, first, last))
  redis.call('RPUSH', queue_key, job_id)
  redis.call('SADD', '{RQ_QUEUES_KEY}', queue_key)
  return 1
end
"""
# KEYS: RQ's job hash, the queue. ARGV: the job id, then the hash's field pairs. Returns 1 (queued), or
# 0 when RQ holds a job of that id already.
ENQUEUE_SCRIPT = ENQUEUE_FUNCTION + "return enqueue_task(KEYS[1], KEYS[2], ARGV[1], 2, #ARGV)"


@dataclass(frozen=True)
class QueuedTask:
    """An RQ job, built as RQ builds it, for a script to put on its queue: RQ's hash and queue entry."""

    job_id: str
    keys: tuple[str, str]  # RQ's job hash, the queue
    fields: tuple[Any, ...]  # the hash's field pairs, as RQ's unique enqueue writes them


def run_id(job_id: str, attempts: int) -> str:
    """RQ's id for the run of a job that has had `attempts` attempts.

    A retry's run gets an id of its own: the worker may still be doing RQ's bookkeeping for the
    attempt that just failed (deleting its hash on success), and with one id for both it deleted
    the retry's hash too, leaving the job `queued` with nothing on the queue.
    """
    return job_id if attempts == 0 else f"{job_id}-a{attempts}"


def make_queue(redis: Redis, settings: Settings, name: str | None = None) -> Queue:
    return Queue(name or settings.queue_name, connection=redis, serializer=JSONSerializer)


class TaskQueue:
    """Enqueues the workers' tasks, each with the options it needs."""

    def __init__(self, redis: Redis, settings: Settings, queue: Queue | None = None) -> None:
        self.settings = settings
        self.queue = queue or make_queue(redis, settings)
        self.callbacks = make_queue(redis, settings, settings.callback_queue)
        self._enqueue = self.queue.connection.register_script(ENQUEUE_SCRIPT)
        self._backlog, self._backlog_at = 0, float("-inf")

    def backlog(self) -> int:
        """About how many jobs wait in the queue (looked up at most once a second per process)."""
        if time.monotonic() - self._backlog_at >= BACKLOG_CHECK_SECONDS:
            self._backlog, self._backlog_at = self.queue.count, time.monotonic()
        return self._backlog

    def _file_options(self, files: int = 1) -> dict[str, Any]:
        retries = self.settings.max_attempts - 1
        return {
            "timeout": (self.settings.job_timeout_seconds + IO_MARGIN_SECONDS) * files,
            # The result lives in the bucket: RQ keeps none (no result stream, no finished hash).
            "result_ttl": 0,
            "failure_ttl": RQ_FAILURE_TTL_SECONDS,
            # No interval: a retry needs no scheduler, so a killed scheduler cannot hold jobs back.
            # Storage outages are ridden out inside an attempt by botocore's backoff.
            "retry": Retry(max=retries) if retries else None,
            "on_failure": Callback(ON_FAILURE),
        }

    def prepare(self, task: str, args: tuple[Any, ...], job_id: str, files: int = 1) -> QueuedTask:
        """A file task as RQ's enqueue would store it (status queued), not yet on the queue."""
        job = self.queue.create_job(task, args=args, job_id=job_id, **self._file_options(files))
        job.enqueued_at, job._status = now(), JobStatus.QUEUED
        # RQ would describe the job by its call with every argument (the source, the file's bytes).
        job.description = f"{task}({job_id})"
        fields: list[Any] = []
        for name, value in job.to_dict().items():
            if value is not None:
                fields += [name, value if isinstance(value, bytes | str) else str(value)]
        return QueuedTask(job_id, (job.key, self.queue.key), tuple(fields))

    def prepare_process(
        self,
        job_id: str,
        source: dict[str, Any],
        meta: dict[str, Any],
        attempts: int = 0,
        task: str = PROCESS,
    ) -> QueuedTask:
        """The run after `attempts` attempts of a job, for a script to queue (the lifecycle's create does)."""
        return self.prepare(task, (job_id, source, meta), run_id(job_id, attempts))

    def prepare_group(self, group_id: str, files: int) -> QueuedTask:
        """The RQ job of a group of `files` jobs (their ids are in its list, layout.group_key)."""
        return self.prepare(PROCESS_GROUP, (group_id,), group_id, files=files)

    def process(
        self,
        job_id: str,
        source: dict[str, Any],
        meta: dict[str, Any],
        attempts: int = 0,
        task: str = PROCESS,
    ) -> bool:
        """Queue the run after `attempts` attempts of a job, in one round trip; False if that run is
        queued or running."""
        queued = self.prepare_process(job_id, source, meta, attempts, task)
        return bool(self._enqueue(keys=list(queued.keys), args=[queued.job_id, *queued.fields]))

    def parts(self, job_id: str, source: dict[str, Any], ranges: list[tuple[int, int]], attempt: int) -> None:
        """Queue a long PDF's page ranges after the first, at the front so they start at once."""
        total = len(ranges) + 1
        with self.queue.connection.pipeline() as pipe:
            for start, stop in ranges:
                rq_id = run_id(f"{job_id}-p{start}", attempt - 1)  # a retry's parts are its own too
                self.queue.enqueue_call(
                    PART, (job_id, source, start, stop, total, attempt),
                    job_id=rq_id, at_front=True, pipeline=pipe, **self._file_options(),
                )  # fmt: skip
            pipe.execute()

    def forget(self, job_id: str, attempts: int) -> None:
        """Drop RQ's copy of the run after `attempts` attempts (queued, or ended and kept for inspection)."""
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(run_id(job_id, attempts), self.queue.connection, serializer=JSONSerializer).delete()

    def expire_upload(self, job_id: str) -> None:
        """Check a presigned upload once its URL has expired."""
        delay = timedelta(seconds=self.settings.presign_expires_seconds + EXPIRY_GRACE_SECONDS)
        chore_id = f"{EXPIRY_ID_PREFIX}{job_id}"
        self.queue.enqueue_in(delay, EXPIRE_UPLOAD, job_id, job_id=chore_id, result_ttl=0)

    def expire_multipart(self, job_id: str) -> None:
        """Check a multipart upload once its time is up (a grace of at most a tenth of that time)."""
        seconds = self.settings.multipart_expires_seconds
        delay = timedelta(seconds=seconds + min(EXPIRY_GRACE_SECONDS, seconds // 10))
        self.queue.enqueue_in(delay, EXPIRE_MULTIPART, job_id, job_id=f"expire-mp-{job_id}", result_ttl=0)

    def list_batch(self, batch_id: str, prefix: str) -> None:
        self.queue.enqueue(LIST_BATCH, batch_id, prefix, job_id=f"list-{batch_id}", result_ttl=0)

    def deliver_callback(
        self, url: str, event: str, payload: dict[str, Any], retries: int | None = None, delay: int = 0
    ) -> None:
        """Queue one callback on its own queue: at most CALLBACK_MAX_DELIVERIES attempts, with backoff.

        `retries` (what a deferred delivery has left) and `delay` (seconds) serve deliveries put off
        because their host had its share of the minute.
        """
        retries = self.settings.callback_max_deliveries - 1 if retries is None else retries
        options = {
            "retry": callbacks.retry_policy(retries), "result_ttl": 0,
            "failure_ttl": self.settings.record_ttl_seconds,
        }  # fmt: skip
        if delay:
            self.callbacks.enqueue_in(
                timedelta(seconds=delay), DELIVER_CALLBACK, url, event, payload, **options
            )
        else:
            self.callbacks.enqueue(DELIVER_CALLBACK, url, event, payload, **options)
