"""What the bucket set-ups (`infra.bucket_init`, `infra.minio_init`) share: waiting for the S3 endpoint,
their one error, and the entry point that prints it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from core.settings import Settings, load_for_process

WAIT_ATTEMPTS = 15
WAIT_SECONDS = 2.0


class InitError(RuntimeError):
    """The bucket cannot be set up; the message says why."""


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, ClientError):  # 503 while the server starts; 4xx (bad credentials) will not heal
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return isinstance(exc, BotoCoreError)


def wait_for(probe: Callable[[], Any], attempts: int = WAIT_ATTEMPTS, pause: float = WAIT_SECONDS) -> None:
    """Call `probe` until it answers, retrying connection errors and 5xx at most `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            probe()
            return
        except (BotoCoreError, ClientError) as exc:
            if not _retryable(exc) or attempt == attempts:
                raise InitError(f"S3 endpoint not usable after {attempt} attempt(s): {exc}") from None
            time.sleep(pause)


def main_of(name: str, run: Callable[[Settings], None]) -> int:
    """Run a set-up with the process's settings; an InitError is one line on stderr and exit code 1."""
    settings = load_for_process(name)
    try:
        run(settings)
    except InitError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    return 0
