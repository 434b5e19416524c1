"""CPU used by a service of a test stack (the functions under gunicorn: master and workers)."""

from __future__ import annotations

import os
from pathlib import Path

from infra.processes import Service


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    below = [int(c) for c in children.read_text().split()] if children.exists() else []
    return [pid, *(p for child in below for p in _tree(child))]


def cpu_seconds(service: Service) -> float:
    """User and system CPU of a service's process tree so far."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in _tree(service.proc.pid):  # type: ignore[union-attr]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total
