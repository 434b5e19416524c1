"""The whole system on one machine: Redis, an S3 server (SeaweedFS or moto), the functions and workers."""

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
    stop_together,
    wait_until,
)
from infra.s3server import SERVERS, SeaweedSetup, start_moto, start_seaweedfs
from infra.seaweed import WeedPorts, grpc_sockets, pick_ports

BUCKET = "jobs"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "embedded",
    "AWS_SECRET_ACCESS_KEY": "embedded-secret",
    "AWS_REGION": "us-east-1",
}


class Stack:
    """Starts and stops every part; ports are free ones unless given.

    `s3_server` is "seaweedfs" (data on disk under `base_dir/s3`, signed requests only, the filer's
    webhook posting to `POST /events` when `webhook`) or "moto" (in memory).
    """

    def __init__(
        self,
        base_dir: Path,
        env: dict[str, str],
        http_port: int | None = None,
        s3_server: str = "seaweedfs",
        s3_port: int | None = None,
        webhook: bool = True,
        functions_workers: int = 1,
    ) -> None:
        if s3_server not in SERVERS:
            raise ValueError(f"s3_server must be one of {SERVERS}, not {s3_server!r}")
        self.base_dir = Path(base_dir)
        self.s3_server, self.webhook, self.functions_workers = s3_server, webhook, functions_workers
        self.redis_port = free_port()
        self.weed_ports: WeedPorts | None = pick_ports(s3_port) if s3_server == "seaweedfs" else None
        self._repick_ports = s3_port is None  # ports the stack chose itself may be chosen again
        self.s3_port = self.weed_ports.s3 if self.weed_ports else (s3_port or free_port())
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
            **{name: env.get(name) or value for name, value in CREDENTIALS.items()},
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

    @property
    def origins(self) -> tuple[str, ...]:
        """Browser origins the S3 server lets upload: the page's (both spellings) and CORS_ORIGINS."""
        extra = [o.strip() for o in self.env.get("CORS_ORIGINS", "").split(",") if o.strip()]
        page = [self.base_url, f"http://localhost:{self.http_port}"]
        return tuple(dict.fromkeys([*page, *extra]))

    def s3_client(self, endpoint_url: str | None = None):
        return boto3.client(
            "s3",
            endpoint_url=endpoint_url or f"http://127.0.0.1:{self.s3_port}",
            region_name="us-east-1",
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def start_redis(self) -> None:
        data = self.base_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--dir", str(data), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--maxmemory-policy", "noeviction", "--daemonize", "no",
            # Job records and RQ's job hashes hold values over Redis's default 64 bytes (a source, an
            # error, RQ's payload): up to 512 they stay compact listpacks, about half the memory.
            "--hash-max-listpack-value", "512",
        ]  # fmt: skip
        self.redis = Service("redis", argv, self.env, self.log("redis")).start()
        wait_until(lambda: accepts_connections(self.redis_port), 10, "redis-server", self.redis.proc)

    def seaweed_setup(self) -> SeaweedSetup:
        return SeaweedSetup(
            home=self.base_dir / "s3",
            access_key=self.env["AWS_ACCESS_KEY_ID"],
            secret_key=self.env["AWS_SECRET_ACCESS_KEY"],
            origins=self.origins,
            webhook=f"{self.base_url}/events" if self.webhook else None,
            token=self.env.get("EVENTS_TOKEN") or None,
        )

    def start_s3(self, create_bucket: bool = True) -> None:
        """Start the S3 server (again: same ports, same data) and set up the bucket and its CORS."""
        if self.s3_server == "moto":
            self.s3 = start_moto(self.s3_port, self.env, self.log("s3"))
        else:
            assert self.weed_ports is not None
            self.s3, self.weed_ports = start_seaweedfs(
                self.seaweed_setup(), self.weed_ports, self.log("s3"), repick=self._repick_ports
            )
            self._repick_ports = False  # the functions and workers know these ports now
            if self.weed_ports.s3 != self.s3_port:  # another process took a port: weed got new ones
                self.s3_port = self.weed_ports.s3
                self.env["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{self.s3_port}"
        if create_bucket:
            ensure_bucket(self.s3_client(), self.env["S3_BUCKET"], self.origins)

    def gunicorn_argv(self) -> list[str]:
        """The functions as production serves them: gunicorn with threaded (gthread) workers."""
        return python_argv(
            "-m", "gunicorn", "--config", "python:infra.gunicorn_conf",  # slow bodies dropped (issue 12)
            "--bind", f"127.0.0.1:{self.http_port}", "--worker-class", "gthread",
            "--workers", str(self.functions_workers), "--threads", "8", "--timeout", "60",
            "--graceful-timeout", "5", "--no-control-socket", "functions.app:create_app()",
        )  # fmt: skip

    def start_functions(self, argv: list[str] | None = None) -> None:
        """The functions under gunicorn, or under `argv` (e.g. `python -m functions`, the dev server)."""
        if not port_is_free(self.http_port):
            raise RuntimeError(f"port {self.http_port} is taken")
        argv = argv or self.gunicorn_argv()
        self.functions = Service("functions", argv, self.env, self.log("functions"))
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
        """Stop the apps together, then the S3 server and Redis (each signalled at once, not in turn)."""
        apps = [self.callbacks, self.reconciler, *self.workers, self.functions]
        for group in (apps, [self.s3, self.redis]):
            stop_together([service for service in group if service is not None])
        if self.weed_ports is not None and self.s3 is not None and not self.s3.running:
            for path in grpc_sockets(self.weed_ports):
                path.unlink(missing_ok=True)
