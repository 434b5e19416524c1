"""The three systems under test, behind one interface: ours, the Celery design, plain RQ."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from itertools import count
from typing import Any

from celery import Celery
from redis import Redis
from rq import Queue, Worker

from bench.common import wait_for
from bench.env import CELERY_BACKEND_DB, CELERY_BROKER_DB, OURS_DB, PLAIN_RQ_DB, BenchEnv
from bench.trivial import ENDED_KEY as TRIVIAL_ENDED
from core.settings import Settings
from core.tasks import TaskQueue
from infra.processes import Service

_names = count(1)
ENDED_RQ = (b"finished", b"failed")


def _ts(value: bytes | str | None) -> float | None:
    if not value:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def rq_ended(redis: Redis, ids: list[str]) -> dict[str, tuple[str, float | None]]:
    """{job id: (status, ended at)} for the RQ jobs among `ids` that ended."""
    with redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.hmget(f"rq:job:{job_id}", "status", "ended_at")
        replies = pipe.execute()
    return {i: (s.decode(), _ts(t)) for i, (s, t) in zip(ids, replies, strict=True) if s in ENDED_RQ}


class System:
    """One system: an HTTP app, worker processes, a way to queue trivial jobs and to see jobs end."""

    name = ""
    db = OURS_DB
    queue_name = ""

    def __init__(self, env: BenchEnv, bucket: str, extra_env: dict[str, str] | None = None) -> None:
        self.env, self.bucket = env, env.bucket(bucket)
        self.extra_env = extra_env or {}  # settings of this run (e.g. TASK_GROUP_FILES)
        self.app: Service | None = None
        self.url = ""
        self.workers: list[Service] = []
        self.redis = env.redis(self.db)

    def process_env(self) -> dict[str, str]:
        return self.env.env(self.db, S3_BUCKET=self.bucket, **self.extra_env)

    def app_target(self) -> str:
        raise NotImplementedError

    def start_app(self) -> str:
        if self.app is None:
            self.app, self.url = self.env.gunicorn(f"{self.name}-app", self.app_target(), self.process_env())
        return self.url

    def worker_argvs(self, n: int) -> list[list[str]]:
        raise NotImplementedError

    def start_workers(self, n: int) -> None:
        for argv in self.worker_argvs(n):
            self.workers.append(
                self.env.spawn(f"{self.name}-worker-{next(_names)}", argv, self.process_env())
            )

        def ready() -> bool:
            dead = [s for s in self.workers if not s.running]
            if dead:
                raise RuntimeError(f"{dead[0].name} exited; see {dead[0].log_path}")
            return self.workers_ready(n)

        wait_for(ready, 60, f"{n} {self.name} workers registering", 0.1)

    def workers_ready(self, n: int) -> bool:
        return True

    def stop_workers(self) -> None:
        for service in self.workers:
            self.env.stop(service)
        self.workers.clear()

    def roots(self) -> list[int]:
        """PIDs whose process trees are ours to measure (the app and the workers, not Redis or S3)."""
        return [s.proc.pid for s in [self.app, *self.workers] if s is not None and s.proc is not None]

    def enqueue_trivial(self, n: int) -> list[str]:
        raise NotImplementedError

    def ended(self, ids: list[str]) -> dict[str, tuple[str, float | None]]:
        """{job id: (status, end time)} for the jobs among `ids` that have ended."""
        return rq_ended(self.redis, ids)

    def ended_count(self) -> int:
        """How many jobs have ended since the last reset (cheap enough to poll often)."""
        queue = self.queue_name
        return self.redis.zcard(f"rq:finished:{queue}") + self.redis.zcard(f"rq:failed:{queue}")

    def drain(self, ids: list[str], before: int, timeout: float) -> dict[str, tuple[str, float | None]]:
        """Wait until every job in `ids` ended (polling a cheap counter first), then their end times."""
        deadline = time.monotonic() + timeout
        goal = before + len(ids)
        wait_for(lambda: self.ended_count() >= goal, timeout, f"{len(ids)} {self.name} jobs ending", 0.05)
        ended = self.ended(ids)
        while len(ended) < len(ids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ended)} of {len(ids)} {self.name} jobs ended in {timeout:.0f} s")
            time.sleep(0.2)
            ended = self.ended(ids)
        return ended

    def reset(self) -> None:
        self.redis.flushdb()

    def close(self) -> None:
        self.stop_workers()
        if self.app is not None:
            self.env.stop(self.app)
            self.app = None


class Ours(System):
    """filejobs: the functions under gunicorn, `python -m worker` (JobWorker), core.tasks."""

    name = "ours"
    db = OURS_DB
    queue_name = "jobs"

    def app_target(self) -> str:
        return "functions.app:create_app()"

    def worker_argvs(self, n: int) -> list[list[str]]:
        return [[sys.executable, "-m", "worker", "--name", f"bench-{next(_names)}"] for _ in range(n)]

    def workers_ready(self, n: int) -> bool:
        return Worker.count(connection=self.redis) >= n

    def enqueue_trivial(self, n: int) -> list[str]:
        settings = Settings.from_env(self.process_env())
        tasks = TaskQueue(self.redis, settings)
        ids = []
        for _ in range(n):
            job_id = f"trivial-{next(_names)}"
            source = {"bucket": self.bucket, "key": job_id}
            tasks.process(job_id, source, {"file_type": "txt"}, task="bench.trivial.process")
            ids.append(job_id)
        return ids

    def ended(self, ids: list[str]) -> dict[str, tuple[str, float | None]]:
        """Ended as the contract sees it: our job record says finished or failed (updated_at: when)."""
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.hmget(f"job:{job_id}", "status", "updated_at")
            replies = pipe.execute()
        ended = {}
        for job_id, (status, stamp) in zip(ids, replies, strict=True):
            if status in ENDED_RQ:
                ended[job_id] = (status.decode(), _ts(stamp))
        missing = [job_id for job_id, (status, _) in zip(ids, replies, strict=True) if status is None]
        return {**ended, **(self._trivial_ended(missing) if missing else {})}

    def _trivial_ended(self, ids: list[str]) -> dict[str, tuple[str, float | None]]:
        stamps = self.redis.hmget(TRIVIAL_ENDED, ids)
        return {i: ("finished", float(s)) for i, s in zip(ids, stamps, strict=True) if s is not None}

    def ended_count(self) -> int:
        """Jobs ended: the lifecycle's statistics, and trivial tasks' own notes (RQ keeps neither)."""
        counts = self.redis.hvals("stats:ended")
        return sum(int(c) for c in counts) + self.redis.hlen(TRIVIAL_ENDED)


class PlainRQ(System):
    """Baseline (b): plain RQ, default forking Worker (task module preloaded), default options."""

    name = "plain-rq"
    db = PLAIN_RQ_DB
    queue_name = "plain"

    def app_target(self) -> str:
        return "bench.baselines.rq_plain:app"

    def worker_argvs(self, n: int) -> list[list[str]]:
        module = "bench.baselines.rq_worker"
        return [[sys.executable, "-m", module, f"plain-{next(_names)}"] for _ in range(n)]

    def workers_ready(self, n: int) -> bool:
        return Worker.count(connection=self.redis) >= n

    def enqueue_trivial(self, n: int) -> list[str]:
        queue = Queue("plain", connection=self.redis)
        return [queue.enqueue("bench.trivial.noop", i).id for i in range(n)]


class CeleryDesign(System):
    """Baseline (a): Flask + Celery prefork, Redis broker and result backend."""

    name = "celery"
    db = CELERY_BROKER_DB

    def __init__(self, env: BenchEnv, bucket: str) -> None:
        super().__init__(env, bucket)
        self.backend = env.redis(CELERY_BACKEND_DB)
        self.client = Celery(
            "bench-client", broker=env.redis_url(CELERY_BROKER_DB), backend=env.redis_url(CELERY_BACKEND_DB)
        )
        self.client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])

    def process_env(self) -> dict[str, str]:
        return {
            **super().process_env(),
            "CELERY_BROKER_URL": self.env.redis_url(CELERY_BROKER_DB),
            "CELERY_RESULT_BACKEND": self.env.redis_url(CELERY_BACKEND_DB),
        }

    def app_target(self) -> str:
        return "bench.baselines.celery_app:app"

    def worker_argvs(self, n: int) -> list[list[str]]:
        return [
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench.baselines.celery_app:celery",
                "worker",
                "-P",
                "prefork",
                "-c",
                str(n),
                "-n",
                f"bench{next(_names)}@%h",
                "--loglevel",
                "INFO",
            ]
        ]

    def workers_ready(self, n: int) -> bool:
        try:
            return len(self.client.control.ping(timeout=0.5)) >= 1
        except Exception:  # noqa: BLE001 - broker not ready yet
            return False

    def enqueue_trivial(self, n: int) -> list[str]:
        return [self.client.send_task("baseline.noop", args=[i]).id for i in range(n)]

    def ended(self, ids: list[str]) -> dict[str, tuple[str, float | None]]:
        with self.backend.pipeline(transaction=False) as pipe:
            for task_id in ids:
                pipe.get(f"celery-task-meta-{task_id}")
            replies = pipe.execute()
        done: dict[str, tuple[str, float | None]] = {}
        for task_id, raw in zip(ids, replies, strict=True):
            if raw:
                meta: dict[str, Any] = json.loads(raw)
                status = "finished" if meta["status"] == "SUCCESS" else meta["status"].lower()
                done[task_id] = (status, _ts(meta.get("date_done")))
        return done

    def ended_count(self) -> int:
        return self.backend.dbsize()

    def reset(self) -> None:
        self.redis.flushdb()
        self.backend.flushdb()

    def close(self) -> None:
        super().close()
        self.client.close()


SYSTEMS = {"ours": Ours, "celery": CeleryDesign, "plain-rq": PlainRQ}
