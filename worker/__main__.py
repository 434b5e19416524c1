"""`python -m worker`: preload the extractors, then run an RQ worker on the jobs queue."""

from __future__ import annotations

import argparse
import logging
import sys

from dotenv import load_dotenv
from rq.serializers import JSONSerializer

from core.services import Services
from core.settings import Settings, SettingsError


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="drain the queue, then exit")
    parser.add_argument("--name", help="worker name (default: RQ's)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler for retries")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    load_dotenv()
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    import worker.analyze  # noqa: F401 - load pypdf and striprtf once, before the fork per job
    from worker import context
    from worker.runner import JobWorker

    services = Services.build(settings)
    context.install(services)
    JobWorker.memory_bytes = settings.worker_memory_bytes
    worker = JobWorker(
        [services.queue],
        connection=services.clients.redis,
        serializer=JSONSerializer,
        name=args.name,
        job_monitoring_interval=settings.heartbeat_seconds,
        maintenance_interval=settings.heartbeat_seconds * 2,
    )
    worker.work(burst=args.burst, with_scheduler=not args.no_scheduler, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
