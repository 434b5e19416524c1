"""`python -m bench.baselines.rq_worker NAME`: plain RQ's default forking `Worker` on the `plain` queue.

Unlike a bare `rq worker`, the task module and its S3 client are loaded before the worker forks, so a
work horse does not import Flask and build a boto3 client for every job (that costs ~250 CPU-ms a job).
"""

from __future__ import annotations

import os
import sys

from redis import Redis
from rq import Queue, Worker

from bench.baselines import rq_plain
from bench.baselines.common import s3


def main(argv: list[str]) -> int:
    s3()
    redis = Redis.from_url(os.environ["REDIS_URL"])
    worker = Worker([Queue(rq_plain.QUEUE, connection=redis)], connection=redis, name=argv[0])
    worker.work(logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
