"""Small shared pieces: the run context, statistics, and the shape of a benchmark's result."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
# Our limits stop files over 50 MB and texts over 200 M characters; the local runs lift them.
BIG_LIMITS = {"MAX_UPLOAD_BYTES": str(10**10), "MAX_TEXT_CHARS": str(10**10)}


@dataclass
class Context:
    """What every benchmark gets: the mode, a scratch folder and (lazily) the shared services."""

    quick: bool
    work_dir: Path
    env_factory: Callable[[], Any]
    _env: Any = None

    @property
    def env(self) -> Any:
        """The running Redis + S3 server (bench.env.BenchEnv), started on first use."""
        if self._env is None:
            self._env = self.env_factory()
        return self._env

    def pick(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full


@dataclass
class Result:
    """One benchmark's figures: rows of measurements, ratios to baselines of the same run, notes."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    ratios: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, case: str, **metrics: Any) -> dict[str, Any]:
        row = {"case": case, **metrics}
        self.rows.append(row)
        return row

    def row(self, case: str) -> dict[str, Any]:
        return next(row for row in self.rows if row["case"] == case)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator rounded, or None when either is missing or zero."""
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def percentile(values: list[float], pct: float) -> float | None:
    """The pct-th percentile (nearest rank) of values, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll check() until it is true; TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(interval)
