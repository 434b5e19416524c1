"""`python -m worker`: an RQ worker on the jobs queue; files are parsed in an isolated child process."""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable

from redis.exceptions import RedisError
from rq.serializers import JSONSerializer

from core import logs
from core.clients import Clients
from core.services import Services
from core.settings import Settings, load_for_process
from worker import tasks  # noqa: F401 - RQ would import it on the first job; here it is done once at start
from worker.analyze import preload
from worker.isolation import IsolatedParser
from worker.parsers import InProcessParser, Parser
from worker.runner import JobWorker, MaintainedQueue, runtime_job_class
from worker.runtime import AttemptPolicy, Runtime

log = logging.getLogger("worker")
# With botocore's backoff (doubling, jittered, capped at 20 s) this rides out about a minute of outage.
WORKER_S3_ATTEMPTS = 8
# A job's ending waits out a Redis restart rather than leave a stored result unrecorded.
TRANSITION_PATIENCE_SECONDS = 60.0
# A loop that stops at once (Redis refusing, a name clash) is restarted no faster than this.
MIN_ROUND_SECONDS = 1.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    parser.add_argument("--name", help="worker name (default: RQ's)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler for retries")
    parser.add_argument("--queue", help="queue to work on (default: QUEUE_NAME; e.g. CALLBACK_QUEUE's)")
    return parser.parse_args(argv)


def make_worker(runtime: Runtime, name: str | None, queue_name: str) -> JobWorker:
    settings, redis = runtime.services.settings, runtime.services.clients.redis
    maintenance = settings.heartbeat_seconds * 2
    job_class = runtime_job_class(runtime)
    queue = MaintainedQueue(queue_name, connection=redis, serializer=JSONSerializer, job_class=job_class)
    return JobWorker(
        [queue],
        connection=redis,
        serializer=JSONSerializer,
        queue_class=MaintainedQueue,
        job_class=job_class,
        name=name,
        log_job_description=False,  # the job id is logged, not its arguments (keys, filenames)
        job_monitoring_interval=settings.heartbeat_seconds,
        maintenance_interval=maintenance,
        # RQ runs maintenance (and restarts a dead scheduler) only between dequeues: wait no longer.
        worker_ttl=maintenance + 15,
    )


def wait_for(probe: Callable[[], object], what: str, first: float = 0.5, cap: float = 15.0) -> None:
    """Call `probe` until it stops raising RedisError, backing off with jitter; logs once while waiting."""
    delay, logged = first, False
    while True:
        try:
            probe()
            return
        except RedisError as exc:
            if not logged:
                log.warning("waiting for %s (%s)", what, exc)
                logged = True
        time.sleep(delay * random.uniform(0.5, 1.0))
        delay = min(cap, delay * 2)


def build_runtime(settings: Settings, parses_files: bool) -> Runtime:
    """The services, and an isolated parser for a file worker (a callbacks worker needs none)."""
    clients = Clients.build(settings, s3_attempts=WORKER_S3_ATTEMPTS)
    services = Services.build(settings, clients, patience=TRANSITION_PATIENCE_SECONDS)
    parser: Parser = InProcessParser(settings.limits)
    if parses_files:
        preload(settings.pdf_engine)  # the parsers imported once, before the parsing child is forked
        parser = IsolatedParser(settings.limits, settings.job_timeout_seconds)
    return Runtime(services, parser, AttemptPolicy.from_settings(settings))


def run(runtime: Runtime, args: argparse.Namespace, queue_name: str) -> None:
    """RQ's work loop, started again (under a fresh name) after Redis outages, never in a tight loop."""
    redis = runtime.services.clients.redis
    MaintainedQueue.lock_seconds = runtime.services.settings.heartbeat_seconds * 6
    pause = threading.Event()
    for round_number in itertools.count():
        # A fresh name on each round: a killed process (or the last round) may still hold the old one.
        name = args.name and (args.name if round_number == 0 else f"{args.name}.{uuid.uuid4().hex[:6]}")
        began = time.monotonic()
        wait_for(redis.ping, "Redis")
        rq_worker = make_worker(runtime, name, queue_name)
        try:
            rq_worker.work(burst=args.burst, with_scheduler=not args.no_scheduler, logging_level="INFO")
        except RedisError as exc:
            log.warning("worker stopped: Redis unavailable (%s)", exc)
        except ValueError as exc:  # "There exists an active worker named ..."
            log.warning("worker name taken (%s); starting under another", exc)
        if args.burst or rq_worker.shutting_down:
            return
        pause.wait(max(0.0, MIN_ROUND_SECONDS - (time.monotonic() - began)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_for_process("worker")
    logs.configure("worker")
    queue_name = args.queue or settings.queue_name
    runtime = build_runtime(settings, parses_files=queue_name == settings.queue_name)
    try:
        run(runtime, args, queue_name)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
