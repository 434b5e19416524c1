"""A real stack for the integration tests: redis-server, SeaweedFS (or moto), functions and workers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infra.stack import Stack
from tests.client import Api

TEST_ENV = {
    "MAX_UPLOAD_BYTES": str(2 * 1024 * 1024),
    "JOB_TIMEOUT_SECONDS": "20",
    "RECONCILE_INTERVAL_SECONDS": "1",
}


def make_stack(
    tmp_path_factory, name: str, workers: int = 2, s3_server: str = "seaweedfs", **env: str
) -> Stack:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
    stack = Stack(tmp_path_factory.mktemp(name), {**base_env, **TEST_ENV, **env}, s3_server=s3_server)
    try:
        return stack.start(workers=workers)
    except BaseException:
        stack.stop()
        raise


@pytest.fixture(scope="session")
def stack(tmp_path_factory, s3_server: str) -> Iterator[Stack]:
    stack = make_stack(tmp_path_factory, f"stack-{s3_server}", s3_server=s3_server)
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def api(stack: Stack) -> Api:
    return Api(stack.base_url)


@pytest.fixture(scope="session")
def s3(stack: Stack):
    return stack.s3_client()
