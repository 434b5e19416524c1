"""The functional tier: a real redis-server and S3 server, the lifecycle and the worker's steps called
in-process (no HTTP, no worker processes)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from core.services import Services
from core.settings import Settings
from infra.stack import Stack
from worker.runtime import Runtime


@pytest.fixture(scope="session")
def backends(tmp_path_factory) -> Iterator[Stack]:
    """redis-server and the S3 server on free ports (no functions, no workers)."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
    stack = Stack(tmp_path_factory.mktemp("functional"), base_env)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        os.environ[name] = stack.env[name]  # boto3 in this process talks to the S3 server too
    try:
        stack.start_redis()
        stack.start_s3()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def settings(backends: Stack) -> Settings:
    return Settings.from_env({**backends.env, "MAX_ATTEMPTS": "3", "PRESIGN_EXPIRES_SECONDS": "60"})


@pytest.fixture
def svc(backends: Stack, settings: Settings) -> Iterator[Services]:
    """Services on an empty Redis (flushed before and after, as rq's own tests do)."""
    connection = redis.Redis.from_url(backends.env["REDIS_URL"])
    connection.flushall()
    services = Services.build(settings)
    yield services
    connection.flushall()


@pytest.fixture
def rt(svc: Services) -> Runtime:
    return Runtime.in_process(svc)
