"""The services shared by the benchmarks: one redis-server and one moto S3 server, plus spawned apps."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import requests
from redis import Redis

from bench.common import wait_for
from infra.bucket import ensure_bucket
from infra.processes import Service, free_port
from infra.stack import Stack

# Redis databases: one per system, so registries and keys never mix.
OURS_DB, CELERY_BROKER_DB, CELERY_BACKEND_DB, PLAIN_RQ_DB = 0, 1, 2, 3
# Every HTTP app (ours and the baselines) runs under these gunicorn settings.
GUNICORN_WORKERS, GUNICORN_THREADS = 2, 4


class BenchEnv:
    """Starts Redis and the S3 server once (via infra.stack), and apps or workers on demand."""

    def __init__(self, base_dir: Path) -> None:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
        self.stack = Stack(base_dir, base_env)
        self.services: list[Service] = []
        self.stack.start_redis()
        self.stack.start_s3()

    @property
    def s3_url(self) -> str:
        return self.stack.env["S3_ENDPOINT_URL"]

    def redis_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.stack.redis_port}/{db}"

    def redis(self, db: int = OURS_DB) -> Redis:
        return Redis.from_url(self.redis_url(db))

    def s3(self) -> Any:
        return self.stack.s3_client()

    def bucket(self, name: str) -> str:
        ensure_bucket(self.s3(), name)
        return name

    def env(self, db: int = OURS_DB, **extra: str) -> dict[str, str]:
        """The environment of our processes (REDIS_URL on `db`), plus `extra`."""
        return {**self.stack.env, "REDIS_URL": self.redis_url(db), **extra}

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> Service:
        service = Service(name, argv, env, self.stack.log(name)).start()
        self.services.append(service)
        return service

    def gunicorn(
        self, name: str, app: str, env: dict[str, str], health: str = "/healthz"
    ) -> tuple[Service, str]:
        """Start `app` under the shared gunicorn settings; returns the service and its base URL."""
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(GUNICORN_THREADS),
            "--log-level",
            "warning",
            app,
        ]
        service = self.spawn(name, argv, env)
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if not service.running:
                raise RuntimeError(f"{name} exited; see {service.log_path}")
            try:
                return requests.get(url + health, timeout=2).ok
            except requests.RequestException:
                return False

        wait_for(up, 30, f"{name} answering")
        return service, url

    def s3_requests(self) -> int:
        """Requests the S3 server has answered so far (moto logs one line per request)."""
        return self.stack.log("s3").read_bytes().count(b" HTTP/1.1")

    def redis_commands(self) -> int:
        """Commands redis-server has processed so far (all databases, including the benchmark's own)."""
        return int(self.redis().info("stats")["total_commands_processed"])

    def server_pids(self) -> dict[str, int]:
        return {"redis": self.stack.redis.proc.pid, "s3": self.stack.s3.proc.pid}  # type: ignore[union-attr]

    def stop(self, service: Service) -> None:
        service.stop(timeout=15)
        if service in self.services:
            self.services.remove(service)

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop(timeout=10)
        self.services.clear()
        self.stack.stop()
