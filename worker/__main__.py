"""`python -m worker`: preload the extractors, then run an RQ worker on the jobs queue."""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import time

from redis.exceptions import RedisError
from rq.serializers import JSONSerializer

from core import logs
from core.services import Services
from core.settings import load_for_process

log = logging.getLogger("worker")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    parser.add_argument("--name", help="worker name (default: RQ's)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler for retries")
    return parser.parse_args(argv)


def make_worker(worker_class, services: Services, name: str | None):
    settings = services.settings
    return worker_class(
        [services.queue],
        connection=services.clients.redis,
        serializer=JSONSerializer,
        name=name,
        job_monitoring_interval=settings.heartbeat_seconds,
        maintenance_interval=settings.heartbeat_seconds * 2,
    )


class Backoff:
    """Exponential backoff with jitter, capped, for waiting on a service to come back."""

    def __init__(self, first: float = 0.5, cap: float = 15.0) -> None:
        self.first, self.cap = first, cap

    def wait_for(self, probe) -> None:
        delay = self.first
        while True:
            time.sleep(delay * random.uniform(0.5, 1.0))
            try:
                probe()
                return
            except RedisError:
                delay = min(self.cap, delay * 2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_for_process("worker")
    logs.configure("worker")
    import worker.analyze  # noqa: F401 - load pypdf and striprtf once, before the fork per job
    from worker import context
    from worker.runner import JobWorker

    services = Services.build(settings)
    context.install(services)
    JobWorker.memory_bytes = settings.worker_memory_bytes
    backoff = Backoff()
    for round_number in itertools.count():
        # A fresh name on each round: the last round may not have been able to deregister its own.
        name = args.name and (args.name if round_number == 0 else f"{args.name}.{round_number}")
        rq_worker = make_worker(JobWorker, services, name)
        try:
            rq_worker.work(burst=args.burst, with_scheduler=not args.no_scheduler, logging_level="INFO")
        except RedisError as exc:
            log.warning("worker stopped: Redis unavailable (%s)", exc)
        if args.burst or rq_worker.shutting_down:
            break
        # RQ's loop gives up on most Redis errors; the process waits for Redis and starts a fresh loop.
        backoff.wait_for(services.clients.redis.ping)
    return 0


if __name__ == "__main__":
    sys.exit(main())
