"""Our RQ worker: notices dead workers within seconds, caps each job's memory, records lost jobs."""

from __future__ import annotations

import os
import resource

from rq import Worker
from rq.job import Job

from worker import context, pipeline


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

    def main_work_horse(self, job: Job, queue) -> None:
        if self.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        super().main_work_horse(job, queue)

    def handle_work_horse_killed(self, job: Job, retpid, ret_val, rusage) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if not job.should_retry:
            signal = f" (signal {os.WTERMSIG(ret_val)})" if ret_val and os.WIFSIGNALED(ret_val) else ""
            reason = f"The process working on this file died{signal}; retries are spent."
            pipeline.give_up(context.current(), job.id, reason)
