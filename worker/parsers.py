"""The parser a worker counts files with: in this process, or in an isolated child (worker.isolation).

Both have the same interface, so the pipeline does not know which one it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from rq.timeouts import JobTimeoutException

from core.errors import TIMEOUT, TOO_LARGE, JobError
from core.settings import Limits
from worker.analyze import analyze

# Asked while a file is parsed: true when its job has ended meanwhile (cancelled), so parsing stops.
Stop = Callable[[], bool]


def limits_for(limits: Limits, path: Path) -> Limits:
    """The limits for a fetched file: its size was checked against its job's own limit (a multipart
    upload's may be above MAX_UPLOAD_BYTES) while it was fetched, so it is not refused again here."""
    return replace(limits, max_bytes=max(limits.max_bytes, path.stat().st_size))


class Parser(Protocol):
    """Counts one local file; raises JobError with the contract's code for a bad file."""

    def parse(
        self, path: Path, file_type: str, pages: tuple[int, int] | None = None, stop: Stop | None = None
    ) -> dict[str, Any]: ...

    def close(self) -> None: ...


class InProcessParser:
    """Parses in the calling process (tests, `rq worker`, the callbacks worker): RQ's time limit applies."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def parse(
        self, path: Path, file_type: str, pages: tuple[int, int] | None = None, stop: Stop | None = None
    ) -> dict[str, Any]:
        """`stop` is not watched here: only the isolated child can be stopped mid-file."""
        try:
            return analyze(path, file_type, limits_for(self.limits, path), pages)
        except JobTimeoutException:
            raise JobError(TIMEOUT, "Processing took longer than the time limit.") from None
        except MemoryError:
            raise JobError(TOO_LARGE, "Processing needed more memory than the limit allows.") from None

    def close(self) -> None:
        return None
