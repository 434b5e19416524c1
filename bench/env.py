"""The services shared by the benchmarks: one redis-server, the S3 servers (SeaweedFS, moto), spawned apps."""

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
# The S3 servers, the first one the default; `use()` switches the ones that measure both.
S3_SERVERS = ("seaweedfs", "moto")


class BenchEnv:
    """Starts Redis and each S3 server once (via infra.stack), and apps or workers on demand."""

    def __init__(self, base_dir: Path, servers: tuple[str, ...] = S3_SERVERS) -> None:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
        self.stacks = {
            name: Stack(base_dir / name, base_env, s3_server=name, webhook=False) for name in servers
        }
        self.server = servers[0]
        self.services: list[Service] = []
        self.stack.start_redis()
        for stack in self.stacks.values():  # one Redis for all: the benchmarks pick databases
            stack.redis_port, stack.env["REDIS_URL"] = self.stack.redis_port, self.stack.env["REDIS_URL"]
            stack.start_s3()

    @property
    def servers(self) -> tuple[str, ...]:
        return tuple(self.stacks)

    @property
    def stack(self) -> Stack:
        """The stack of the S3 server in use."""
        return self.stacks[self.server]

    def use(self, server: str) -> None:
        """Point s3_url, s3(), env() and the S3 counters at `server` (apps started later use it)."""
        self.server = server

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

    def s3_requests(self) -> int | None:
        """Requests the S3 server has answered so far (moto logs one line per request; SeaweedFS none)."""
        if self.stack.s3_server != "moto":
            return None
        return self.stack.log("s3").read_bytes().count(b" HTTP/1.1")

    def redis_commands(self) -> int:
        """Commands redis-server has processed so far (all databases, including the benchmark's own)."""
        return int(self.redis().info("stats")["total_commands_processed"])

    def server_pids(self) -> dict[str, int]:
        redis = self.stacks[self.servers[0]].redis
        return {"redis": redis.proc.pid, "s3": self.stack.s3.proc.pid}  # type: ignore[union-attr]

    def stop(self, service: Service) -> None:
        service.stop(timeout=15)
        if service in self.services:
            self.services.remove(service)

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop(timeout=10)
        self.services.clear()
        for stack in reversed(self.stacks.values()):
            stack.stop()
