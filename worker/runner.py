"""Our RQ worker: notices dead workers within seconds, caps each job's memory, records lost jobs."""

from __future__ import annotations

import resource

from rq import Queue, Worker
from rq.job import Job

from core.jobqueue import PROCESS_TASK
from worker import context, pipeline


class MaintainedQueue(Queue):
    """A queue whose maintenance lock outlives a killed holder by seconds, not RQ's 15 minutes."""

    lock_seconds: int = 60

    def acquire_maintenance_lock(self) -> bool:
        return bool(self.connection.set(self.registry_cleaning_key, 1, nx=True, ex=self.lock_seconds))


class JobWorker(Worker):
    """RQ's forking worker with short heartbeats and a memory cap on each work horse.

    RQ adds 60 s to every heartbeat, so a job whose worker was SIGKILLed stays `started` for
    minutes; with ours it is seen as abandoned after `heartbeat + 10` s and retried.
    """

    memory_bytes: int = 0
    shutting_down: bool = False

    def handle_warm_shutdown_request(self) -> None:
        self.shutting_down = True
        super().handle_warm_shutdown_request()

    def get_heartbeat_ttl(self, job: Job) -> int:
        return self.job_monitoring_interval + 10

    def execute_job(self, job: Job, queue) -> None:
        if job.func_name == PROCESS_TASK:
            pipeline.count_attempt(context.current(), job.id)
        super().execute_job(job, queue)

    def main_work_horse(self, job: Job, queue) -> None:
        if self.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        super().main_work_horse(job, queue)

    def handle_job_failure(self, job: Job, queue, started_job_registry=None, exc_string: str = "") -> None:
        """After RQ has decided: a job it will not try again is recorded failed (worker lost, stuck)."""
        retrying = job.should_retry
        super().handle_job_failure(
            job, queue, started_job_registry=started_job_registry, exc_string=exc_string
        )
        if not retrying:
            pipeline.give_up(context.current(), job.id, describe_failure(exc_string))


def describe_failure(exc_string: str) -> str:
    """A reason for the user, from RQ's description of the failure (no traceback, path or host)."""
    if "terminated unexpectedly" in exc_string:
        signal = f" ({exc_string.split('(signal ')[1].split(')')[0]})" if "(signal " in exc_string else ""
        return f"The process working on this file died{signal}; retries are spent."
    if "intermediate queue" in exc_string:
        return "The worker that took this file stopped before starting it; retries are spent."
    last = exc_string.strip().splitlines()[-1] if exc_string.strip() else "unknown error"
    return f"Processing failed ({last.split(':')[0][:80]}); retries are spent."
