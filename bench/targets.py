"""The issue's targets, judged from the ratios of one run."""

from __future__ import annotations

from typing import Any


def evaluate(benchmarks: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target: the measured value, the goal, met or not (None when not measured)."""
    return []
