"""A stack whose functions run as production serves event streams: gunicorn with gevent workers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from infra.processes import Service, python_argv, wait_until
from infra.stack import Stack

LIVE_ENV = {
    "MAX_UPLOAD_BYTES": str(2 * 1024 * 1024),
    "JOB_TIMEOUT_SECONDS": "20",
    "RECONCILE_INTERVAL_SECONDS": "1",
}


def gevent_argv(port: int, workers: int = 1) -> list[str]:
    """The functions as compose and the image run them (infra/gunicorn_conf.py, gevent, 2,000
    connections a worker), with `workers` processes and a shorter graceful stop."""
    return python_argv(
        "-m", "gunicorn", "--config", "python:infra.gunicorn_conf", "--worker-class", "gevent",
        "--worker-connections", "2000", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--graceful-timeout", "5", "functions.app:create_app()",
    )  # fmt: skip


def start_functions(stack: Stack, argv: list[str]) -> None:
    """(Re)start the stack's functions with `argv` and wait until they answer."""
    if stack.functions is not None:
        stack.functions.stop()
    stack.functions = Service("functions", argv, stack.env, stack.log("functions"))
    stack.functions.start()
    health = f"{stack.base_url}/healthz"
    wait_until(lambda: requests.get(health, timeout=1).ok, 30, "functions", stack.functions.proc)


def start_live_stack(base_dir: Path, workers: int = 1, functions_workers: int = 1, **env: str) -> Stack:
    """Redis, the S3 server, the functions under gunicorn+gevent, `workers` workers and the reconciler."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
    stack = Stack(base_dir, {**base_env, **LIVE_ENV, **env})
    try:
        stack.start_redis()
        stack.start_s3()
        start_functions(stack, gevent_argv(stack.http_port, functions_workers))
        for _ in range(workers):
            stack.start_worker()
        stack.start_reconciler()
    except BaseException:
        stack.stop()
        raise
    return stack


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class Event:
    """One server-sent event."""

    id: str | None
    event: str
    data: str

    @property
    def doc(self) -> dict:
        return json.loads(self.data)


def read_events(reply: requests.Response, comments: list[str] | None = None) -> Iterator[Event]:
    """The events of a text/event-stream reply, as they arrive; comment lines go to `comments`."""
    fields: dict[str, str] = {}
    for raw in reply.iter_lines(decode_unicode=True, chunk_size=1):
        if raw is None:
            continue
        if raw == "":
            if "data" in fields:
                yield Event(fields.get("id"), fields.get("event", "message"), fields["data"])
            fields = {}
        elif raw.startswith(":"):
            if comments is not None:
                comments.append(raw)
        else:
            name, _, value = raw.partition(":")
            fields[name] = value.removeprefix(" ")
