"""The whole system on one machine: Redis, moto's S3 server, the functions and workers, as processes."""

from __future__ import annotations

from pathlib import Path

import boto3
import requests
from botocore.config import Config

from infra.bucket import ensure_bucket
from infra.processes import (
    Service,
    accepts_connections,
    free_port,
    port_is_free,
    python_argv,
    redis_server_binary,
    wait_until,
)

BUCKET = "jobs"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "embedded",
    "AWS_SECRET_ACCESS_KEY": "embedded-secret",
    "AWS_REGION": "us-east-1",
}


class Stack:
    """Starts and stops every part; ports are free ones unless given."""

    def __init__(self, base_dir: Path, env: dict[str, str], http_port: int | None = None) -> None:
        self.base_dir = Path(base_dir)
        self.redis_port = free_port()
        self.s3_port = free_port()
        self.http_port = http_port or free_port()
        self.redis: Service | None = None
        self.s3: Service | None = None
        self.functions: Service | None = None
        self.workers: list[Service] = []
        self.reconciler: Service | None = None
        self.callbacks: Service | None = None
        self._started_workers = 0
        self.env = {
            **env,
            **CREDENTIALS,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_BUCKET": env.get("S3_BUCKET", BUCKET),
            "HOST": "127.0.0.1",
            "PORT": str(self.http_port),
            "PYTHONUNBUFFERED": "1",
            "DOTENV": "0",
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def log(self, name: str) -> Path:
        return self.base_dir / "logs" / f"{name}.log"

    def s3_client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.env["S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def start_redis(self) -> None:
        data = self.base_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--dir", str(data), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--maxmemory-policy", "noeviction", "--daemonize", "no",
        ]  # fmt: skip
        self.redis = Service("redis", argv, self.env, self.log("redis")).start()
        wait_until(lambda: accepts_connections(self.redis_port), 10, "redis-server", self.redis.proc)

    def start_s3(self) -> None:
        argv = python_argv("-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port))
        self.s3 = Service("s3", argv, self.env, self.log("s3")).start()
        url = self.env["S3_ENDPOINT_URL"]
        wait_until(lambda: requests.get(url, timeout=1).status_code < 500, 30, "moto S3 server", self.s3.proc)
        ensure_bucket(self.s3_client(), self.env["S3_BUCKET"])

    def start_functions(self) -> None:
        if not port_is_free(self.http_port):
            raise RuntimeError(f"port {self.http_port} is taken")
        self.functions = Service("functions", python_argv("-m", "functions"), self.env, self.log("functions"))
        self.functions.start()
        health = f"{self.base_url}/healthz"
        wait_until(lambda: requests.get(health, timeout=1).ok, 30, "functions", self.functions.proc)

    def start_worker(self, *args: str) -> Service:
        self._started_workers += 1
        name = f"worker-{self._started_workers}"
        service = Service(name, python_argv("-m", "worker", "--name", name, *args), self.env, self.log(name))
        self.workers.append(service.start())
        return service

    def start_callbacks(self) -> None:
        """A worker of its own for callback deliveries, so slow receivers never hold up files."""
        queue = self.env.get("CALLBACK_QUEUE", "callbacks")
        argv = python_argv("-m", "worker", "--name", "callbacks", "--queue", queue)
        self.callbacks = Service("callbacks", argv, self.env, self.log("callbacks")).start()

    def start_reconciler(self) -> None:
        argv = python_argv("-m", "worker.reconciler")
        self.reconciler = Service("reconciler", argv, self.env, self.log("reconciler")).start()

    def start(self, workers: int = 2) -> Stack:
        self.start_redis()
        self.start_s3()
        self.start_functions()
        for _ in range(workers):
            self.start_worker()
        self.start_reconciler()
        self.start_callbacks()
        return self

    def stop(self) -> None:
        for service in [self.callbacks, self.reconciler, *self.workers, self.functions, self.s3, self.redis]:
            if service is not None:
                service.stop()
