"""`python -m worker`: an RQ worker on the jobs queue; files are parsed in an isolated child process."""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import time
import uuid
from collections.abc import Callable

from redis.exceptions import RedisError
from rq.serializers import JSONSerializer

from core import logs
from core.clients import Clients
from core.services import Services
from core.settings import load_for_process
from worker import context
from worker.analyze import preload
from worker.isolation import Extractor
from worker.runner import JobWorker, MaintainedQueue

log = logging.getLogger("worker")
# With botocore's backoff (doubling, jittered, capped at 20 s) this rides out about a minute of outage.
WORKER_S3_ATTEMPTS = 8


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    parser.add_argument("--name", help="worker name (default: RQ's)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler for retries")
    parser.add_argument("--queue", help="queue to work on (default: QUEUE_NAME; e.g. CALLBACK_QUEUE's)")
    return parser.parse_args(argv)


def make_worker(services: Services, name: str | None, queue_name: str) -> JobWorker:
    settings = services.settings
    maintenance = settings.heartbeat_seconds * 2
    queue = MaintainedQueue(queue_name, connection=services.clients.redis, serializer=JSONSerializer)
    return JobWorker(
        [queue],
        connection=services.clients.redis,
        serializer=JSONSerializer,
        queue_class=MaintainedQueue,
        name=name,
        job_monitoring_interval=settings.heartbeat_seconds,
        maintenance_interval=maintenance,
        # RQ runs maintenance (and restarts a dead scheduler) only between dequeues: wait no longer.
        worker_ttl=maintenance + 15,
    )


def wait_for(probe: Callable[[], object], first: float = 0.5, cap: float = 15.0) -> None:
    """Call `probe` with exponential backoff and jitter until it stops raising RedisError."""
    delay = first
    while True:
        time.sleep(delay * random.uniform(0.5, 1.0))
        try:
            probe()
            return
        except RedisError:
            delay = min(cap, delay * 2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_for_process("worker")
    logs.configure("worker")
    preload()  # pypdf and striprtf imported once, before the parsing child is forked
    services = Services.build(settings, Clients.build(settings, s3_attempts=WORKER_S3_ATTEMPTS))
    context.install(services)
    context.attempts_counted = True
    queue_name = args.queue or settings.queue_name
    # Only file jobs parse files; a callbacks worker needs no parsing child.
    context.extractor = Extractor(settings.worker_memory_bytes) if queue_name == settings.queue_name else None
    MaintainedQueue.lock_seconds = settings.heartbeat_seconds * 6
    for round_number in itertools.count():
        # A fresh name on each round: a killed process (or the last round) may still hold the old one.
        name = args.name and (args.name if round_number == 0 else f"{args.name}.{uuid.uuid4().hex[:6]}")
        rq_worker = make_worker(services, name, queue_name)
        try:
            rq_worker.work(burst=args.burst, with_scheduler=not args.no_scheduler, logging_level="INFO")
        except RedisError as exc:
            log.warning("worker stopped: Redis unavailable (%s)", exc)
        except ValueError as exc:  # "There exists an active worker named ..."
            log.warning("worker name taken (%s); starting under another", exc)
            continue
        if args.burst or rq_worker.shutting_down:
            break
        # RQ's loop gives up on most Redis errors; wait for Redis and start a fresh loop.
        wait_for(services.clients.redis.ping)
    if context.extractor is not None:
        context.extractor.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
