"""Our RQ worker: one warm process per worker, parsing in an isolated child, dead workers noticed fast."""

from __future__ import annotations

import threading
from typing import Any

from rq import Queue, SimpleWorker
from rq.exceptions import DeserializationError
from rq.job import Job, _job_stack
from rq.utils import now

from core.tasks import FILE_TASKS
from worker import pipeline
from worker.bookkeeping import LeanBookkeeping
from worker.runtime import Runtime

# Between jobs the worker refreshes its registration at most this often.
IDLE_HEARTBEAT_SECONDS = 5


class RuntimeJob(Job):
    """An RQ job run with the worker's Runtime as its task's first argument."""

    runtime: Runtime

    def _execute(self) -> Any:
        return self.func(self.runtime, *self.args, **self.kwargs)

    def perform(self) -> Any:
        """Job.perform without its PERSIST: JobWorker sends it in the transaction that starts the job."""
        _job_stack.push(self)
        try:
            self._result = self._execute()
        finally:
            assert self is _job_stack.pop()
        return self._result


def runtime_job_class(runtime: Runtime) -> type[RuntimeJob]:
    """A job class bound to `runtime`: RQ builds jobs (and failure callbacks see them) with it."""
    return type("BoundRuntimeJob", (RuntimeJob,), {"runtime": runtime})


class MaintainedQueue(Queue):
    """A queue whose maintenance lock outlives a killed holder by seconds, not RQ's 15 minutes."""

    lock_seconds: int = 60

    def acquire_maintenance_lock(self) -> bool:
        return bool(self.connection.set(self.registry_cleaning_key, 1, nx=True, ex=self.lock_seconds))


class JobWorker(LeanBookkeeping, SimpleWorker):
    """RQ's non-forking worker, with heartbeats while a job runs.

    No fork per job: clients and connection pools stay warm. Files are parsed in the child of
    `worker.isolation.IsolatedParser`, which carries the memory cap and is replaced if a file kills it.
    RQ adds 60 s to every heartbeat; here a SIGKILLed worker's job is seen as abandoned after
    `heartbeat + 10` s and retried.
    """

    shutting_down: bool = False
    # No "result discarded" line per job: file jobs never keep an RQ result.
    log_result_lifespan = False

    def handle_warm_shutdown_request(self) -> None:
        self.shutting_down = True
        super().handle_warm_shutdown_request()

    def get_heartbeat_ttl(self, job: Job) -> int:
        return self.job_monitoring_interval + 10

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ beats twice per dequeue; the worker's key lives `worker_ttl + 60` s, so beating once every
        few seconds is enough (beats inside a pipeline, with a job's own TTL, always go through)."""
        if timeout is None and pipeline is None and self.last_heartbeat is not None:
            if (now() - self.last_heartbeat).total_seconds() < IDLE_HEARTBEAT_SECONDS:
                return
        super().heartbeat(timeout, pipeline)

    def handle_execution_ended(self, job: Job, queue: Queue, heartbeat_ttl: int) -> None:
        """RQ refreshes the job's heartbeat here for the callbacks that follow; ours are quick and the
        job's registration was refreshed when it started, so only the end time is kept (no round trip)."""
        job.ended_at = now()

    def execute_job(self, job: Job, queue: Queue) -> None:
        done = threading.Event()
        beating = threading.Thread(target=self._beat, args=(job, done), daemon=True)
        beating.start()
        try:
            super().execute_job(job, queue)
        finally:
            done.set()
            beating.join()

    def _beat(self, job: Job, done: threading.Event) -> None:
        # The job runs in this process's main thread; this keeps its registration alive meanwhile.
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job)
            except Exception:  # noqa: BLE001 - Redis away: the job's own calls will fail and retry
                self.log.warning("heartbeat for job %s failed", job.id)

    def handle_job_failure(self, job: Job, queue, started_job_registry=None, exc_string: str = "") -> None:
        """After RQ has decided; covers the failures RQ reports without the job's failure callback
        (a job stuck between dequeue and start)."""
        retrying = job.should_retry
        super().handle_job_failure(
            job, queue, started_job_registry=started_job_registry, exc_string=exc_string
        )
        task = _func_name(job) if isinstance(job, RuntimeJob) else None
        if not retrying and task in FILE_TASKS:
            pipeline.give_up_task(job.runtime, task, job.args[0], describe_failure(exc_string))


def _func_name(job: Job) -> str | None:
    """The job's function, or None for a payload that is not JSON (RQ then fails it, running nothing)."""
    try:
        return job.func_name
    except DeserializationError:
        return None


def describe_failure(exc_string: str) -> str:
    """A reason for the user, from RQ's description of the failure (no traceback, path or host)."""
    if "ExtractorDied" in exc_string or "terminated unexpectedly" in exc_string:
        return "The process reading this file died every time it tried; retries are spent."
    if "intermediate queue" in exc_string:
        return "The worker that took this file stopped before starting it; retries are spent."
    last = exc_string.strip().splitlines()[-1] if exc_string.strip() else "unknown error"
    return f"Processing failed ({last.split(':')[0][:80]}); retries are spent."
