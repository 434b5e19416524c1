"""Counting: MB/s and peak RSS of our text path vs `wc -w` and the line.split() baseline."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from bench.common import BIG_LIMITS, MB, Context, Result, median, ratio, rounded
from bench.data import WIDE_EVERY, write_text
from bench.procs import Measured, run_interleaved

NAME = "counting"
NEEDS_STACK = False
OURS, WC, SPLIT = "ours (worker.analyze txt)", "wc -w (C.UTF-8)", "line.split() baseline"
REPEATS = 3


def contenders(path: str, cases: tuple[str, ...]) -> dict[str, list[str]]:
    child = [sys.executable, "-m", "bench.children"]
    argv = {OURS: [*child, "ours-txt", path], WC: ["wc", "-w", path], SPLIT: [*child, "linesplit", path]}
    return {case: argv[case] for case in cases}


def words_of(case: str, stdout: str) -> int:
    return int(stdout.split()[0]) if case == WC else json.loads(stdout)["words"]


def wall_per_file(case: str, measured: list[Measured]) -> float:
    """The median wall time, less (for ours) the language model's load, which a worker does once at start."""
    if case != OURS:
        return median([r.wall for r in measured])
    return median([r.wall - json.loads(r.stdout)["setup"] for r in measured])


def add_rows(result: Result, path: Path, label: str, runs: dict[str, list[Measured]]) -> None:
    nbytes = path.stat().st_size
    for case, measured in runs.items():
        wall = wall_per_file(case, measured)
        row = result.add(
            case + label,
            **{
                "MB/s": rounded(nbytes / MB / wall),
                "wall s": rounded(wall, 3),
                "peak RSS MB": rounded(max(r.maxrss_mb for r in measured)),
                "words": words_of(case, measured[0].stdout),
            },
        )
        if case == OURS:
            inner = median([json.loads(r.stdout)["inner"] for r in measured])
            row["MB/s in-process"] = rounded(nbytes / MB / inner)
            row["via"] = json.loads(measured[0].stdout).get("via")
            row["model load s"] = rounded(median([json.loads(r.stdout)["setup"] for r in measured]), 2)
            row["RSS before the file MB"] = rounded(json.loads(measured[0].stdout)["setup_rss_mb"])


def run(ctx: Context) -> Result:
    size = ctx.pick(200 * MB, 50 * MB)
    mixed = write_text(ctx.work_dir / f"text-{size // MB}MB.txt", size)
    ascii_only = write_text(ctx.work_dir / f"ascii-{size // MB}MB.txt", size, ascii_only=True)
    env = {**os.environ, "LC_ALL": "C.UTF-8", **BIG_LIMITS}
    result = Result(NAME)
    result.notes.append(
        f"{mixed.stat().st_size / MB:.0f} MB UTF-8 text, about 1 word in {WIDE_EVERY} non-ASCII (the "
        f"target's input), and as much pure ASCII (information); whole processes, median of {REPEATS}, "
        "interleaved; peak RSS from GNU time (ru_maxrss). Ours: wall less the language model's load, which a "
        "worker does once at start; its RSS before the file holds that model"
    )
    add_rows(result, mixed, "", run_interleaved(contenders(str(mixed), (OURS, WC, SPLIT)), REPEATS, env))
    add_rows(
        result,
        ascii_only,
        ", ASCII only",
        run_interleaved(contenders(str(ascii_only), (OURS, WC)), REPEATS, env),
    )
    rows = {row["case"]: row for row in result.rows}
    result.ratios = {
        "ours/wc -w MB/s": ratio(rows[OURS]["MB/s"], rows[WC]["MB/s"]),
        "ours/line.split MB/s": ratio(rows[OURS]["MB/s"], rows[SPLIT]["MB/s"]),
        "ours/wc -w MB/s, ASCII only": ratio(
            rows[OURS + ", ASCII only"]["MB/s"], rows[WC + ", ASCII only"]["MB/s"]
        ),
    }
    if len({rows[c]["words"] for c in (OURS, WC, SPLIT)}) > 1:
        result.notes.append(
            "word counts differ: " + ", ".join(f"{c}={rows[c]['words']}" for c in (OURS, WC, SPLIT))
        )
    return result
