"""RQ's per-job bookkeeping in fewer round trips: what our worker sends Redis around each job.

RQ 2.12 sends about 37 commands in 9 round trips per job. With the same records (the execution, the
started registry, the worker's hash, the job's start) written the same way, this sends them in 2: one
script takes the next job and starts it (when the queue is empty, RQ's blocking dequeue waits and a
transaction starts the job), one pipeline forgets it.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from rq import Queue
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job, JobStatus
from rq.utils import now, utcformat
from rq.worker import WorkerStatus

# The RQ release whose records this writes (requirements.txt pins it): another one needs them re-checked.
RQ_VERSION = "2.12.0"
# `rq suspend` is noticed within this long (RQ asks Redis before every job).
SUSPENSION_CHECK_SECONDS = 1.0
# RQ's per-job INFO lines; ours (job_started, job_finished) carry the same id and more.
PER_JOB_LINES = ("Worker %s: %s: %s", "Worker %s: %s: %s (%s)")


class PerJobLines(logging.Filter):
    """Leaves out RQ's two INFO lines per job (a log line costs about a tenth of a CPU-ms)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and record.msg in PER_JOB_LINES)


# KEYS: the queue, the worker's hash, the queue's started registry. ARGV: 1 worker name, 2 now (ISO),
# 3 now (Unix seconds), 4 heartbeat ttl, 5 execution id, 6 RQ's job key prefix, 7 execution key
# prefix, 8 executions key prefix. Takes the next job and writes what RQ's dequeue, prepare_execution
# and prepare_job_execution write (the intermediate queue is not needed: nothing runs in between).
# Returns false (empty queue) or {job id, the job's hash}; an id without a hash is dropped, as RQ does.
CLAIM_SCRIPT = """
local job_id = redis.call('LPOP', KEYS[1])
if not job_id then return false end
local job_key = ARGV[6] .. job_id
local job = redis.call('HGETALL', job_key)
if #job == 0 then return {job_id, job} end
local ttl, stamp = tonumber(ARGV[4]), tonumber(ARGV[3])
local execution = ARGV[7] .. job_id .. ':' .. ARGV[5]
redis.call('HSET', execution, 'id', ARGV[5], 'created_at', ARGV[3], 'last_heartbeat', ARGV[3],
  'worker_name', ARGV[1])
redis.call('EXPIRE', execution, ttl)
local executions = ARGV[8] .. job_id
redis.call('ZADD', executions, math.floor(stamp) + ttl + 60, ARGV[5])
redis.call('EXPIRE', executions, ttl + 60)
redis.call('ZADD', KEYS[3], math.floor(stamp) + ttl, job_id .. ':' .. ARGV[5])
redis.call('HSET', KEYS[2], 'state', 'busy', 'current_job', job_id, 'current_job_working_time', 0,
  'last_heartbeat', ARGV[2])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('HSET', job_key, 'last_heartbeat', ARGV[2], 'status', 'started', 'started_at', ARGV[2],
  'worker_name', ARGV[1])
redis.call('PERSIST', job_key)
return {job_id, job}
"""


class LeanBookkeeping:
    """Mixed into JobWorker (before RQ's class): the same records, fewer round trips. `claim` needs a
    heartbeat time to live that does not depend on the job, as JobWorker's."""

    _preparing: Any = None
    _claimed: bool = False
    _suspension_checked: float = float("-inf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        if not any(isinstance(f, PerJobLines) for f in self.log.filters):  # type: ignore[attr-defined]
            self.log.addFilter(PerJobLines())  # type: ignore[attr-defined]
        self._claim = self.connection.register_script(CLAIM_SCRIPT)  # type: ignore[attr-defined]

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None):
        """The next job, taken and started by one script; RQ's blocking dequeue when there is none."""
        claimed = self.claim() if len(self.queues) == 1 else None
        if claimed is not None:
            return claimed
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

    def claim(self) -> tuple[Job, Queue] | None:
        """Take and start the next job in one round trip, leaving in this process what RQ's own steps
        leave (the execution, the states); None when the queue is empty."""
        queue, stamp, execution_id = self.queues[0], now(), uuid.uuid4().hex
        ttl = self.get_heartbeat_ttl(None)  # JobWorker's does not depend on the job
        keys = [queue.key, self.key, queue.started_job_registry.key]
        args = [
            self.name, utcformat(stamp), stamp.timestamp(), ttl, execution_id, Job.redis_job_namespace_prefix,
            "rq:execution:", ExecutionRegistry.key_template.format(""),
        ]  # fmt: skip
        reply = self._claim(keys=keys, args=args)
        if not reply or not reply[1]:
            return None
        job_id, raw = reply[0].decode(), reply[1]
        job = self.job_class(job_id, connection=self.connection, serializer=self.serializer)
        job.restore(dict(zip(raw[::2], raw[1::2], strict=True)))
        job.worker_name, job.last_heartbeat, job.started_at = self.name, stamp, stamp
        job._status = JobStatus.STARTED
        job.redis_server_version = self.get_redis_server_version()
        self.execution = Execution(execution_id, job_id, self.connection, worker_name=self.name)
        self.execution.created_at = self.execution.last_heartbeat = stamp
        self._state, self.current_job_working_time, self.last_heartbeat = WorkerStatus.BUSY, 0, stamp
        self._claimed = True
        self.heartbeat()  # what RQ's dequeue does after a job (at most every few seconds: JobWorker)
        return job, queue

    def set_state(self, state: str, pipeline=None) -> None:
        """RQ sets a state it already holds twice per job (after the job and before the next dequeue)."""
        if pipeline is None and state == getattr(self, "_state", None):
            return
        super().set_state(state, pipeline)

    def check_for_suspension(self, burst: bool) -> None:
        """At most once a second (RQ asks, with a heartbeat, before every job)."""
        if time.monotonic() - self._suspension_checked < SUSPENSION_CHECK_SECONDS:
            return
        self._suspension_checked = time.monotonic()
        super().check_for_suspension(burst)

    def prepare_execution(self, job: Job) -> Execution:
        """The execution's records, held back to go with the job's start in one transaction (RQ sends
        them in two, and the job's PERSIST in a third); already written for a job `claim` took."""
        if self._claimed:
            return self.execution
        self._preparing = pipe = self.connection.pipeline()
        ttl = self.get_heartbeat_ttl(job)
        self.execution = Execution.create(job, ttl, pipeline=pipe, worker_name=self.name)
        self.set_state(WorkerStatus.BUSY, pipeline=pipe)
        return self.execution

    def prepare_job_execution(self, job: Job, remove_from_intermediate_queue: bool = False) -> None:
        if self._claimed:
            self._claimed = False
            return
        pipe, self._preparing = self._preparing or self.connection.pipeline(), None
        ttl = self.get_heartbeat_ttl(job)
        self.current_job_working_time, self.last_heartbeat = 0, now()
        fields = {"current_job": job.id, "current_job_working_time": 0, "last_heartbeat": utcformat(now())}
        pipe.hset(self.key, mapping=fields)
        pipe.expire(self.key, ttl)
        job.prepare_for_execution(self.name, pipeline=pipe)  # status, started_at and the job's heartbeat
        if remove_from_intermediate_queue:
            queue = self.queue_class(job.origin, connection=self.connection)
            pipe.lrem(queue.intermediate_queue_key, 1, job.id)
        pipe.persist(job.key)
        pipe.execute()

    def handle_job_success(self, job: Job, queue: Queue, started_job_registry) -> None:
        """A job whose result RQ does not keep (result_ttl=0, the result is in the bucket) is forgotten,
        and the worker marked idle, in one pipeline: RQ's own path deletes its execution twice and reads
        it back first (about 12 more commands a job). No job depends on another (core.tasks queues none
        with `depends_on`), so RQ's check for dependents is left out too."""
        lean = job.get_result_ttl(self.default_result_ttl) == 0 and not job.repeats_left
        if not lean or self.execution is None:
            super().handle_job_success(job, queue, started_job_registry)
            return
        with self.connection.pipeline(transaction=False) as pipe:
            self.increment_successful_job_count(pipeline=pipe)
            self.increment_total_working_time(job.ended_at - job.started_at, pipe)  # type: ignore[operator]
            self.cleanup_execution(job, pipeline=pipe)  # the current job, the execution and its registries
            pipe.delete(job.key, job.dependents_key, job.dependencies_key, job.execution_registry.key)
            self.set_state(WorkerStatus.IDLE, pipeline=pipe)
            pipe.execute()
