"""Counting: MB/s and peak RSS of our text path vs `wc -w` and the line.split() baseline."""

from __future__ import annotations

import json
import os
import sys

from bench.common import BIG_LIMITS, MB, Context, Result, median, ratio, rounded
from bench.data import write_text
from bench.procs import run_interleaved

NAME = "counting"
NEEDS_STACK = False


def contenders(path: str) -> dict[str, list[str]]:
    child = [sys.executable, "-m", "bench.children"]
    return {
        "ours (worker.analyze txt)": [*child, "ours-txt", path],
        "wc -w (C.UTF-8)": ["wc", "-w", path],
        "line.split() baseline": [*child, "linesplit", path],
    }


def words_of(case: str, stdout: str) -> int:
    return int(stdout.split()[0]) if case.startswith("wc") else json.loads(stdout)["words"]


def run(ctx: Context) -> Result:
    size = ctx.pick(200 * MB, 50 * MB)
    repeats = 3
    path = write_text(ctx.work_dir / f"text-{size // MB}MB.txt", size)
    nbytes = path.stat().st_size
    result = Result(NAME)
    result.notes.append(
        f"{nbytes / MB:.0f} MB UTF-8 text (about 1 word in 200 non-ASCII), whole processes, "
        f"median of {repeats}; peak RSS from GNU time (ru_maxrss)"
    )
    env = {**os.environ, "LC_ALL": "C.UTF-8", **BIG_LIMITS}
    for case, runs in run_interleaved(contenders(str(path)), repeats, env).items():
        wall = median([r.wall for r in runs])
        row = result.add(
            case,
            **{
                "MB/s": rounded(nbytes / MB / wall),
                "wall s": rounded(wall, 3),
                "peak RSS MB": rounded(max(r.maxrss_mb for r in runs)),
                "words": words_of(case, runs[0].stdout),
            },
        )
        if case.startswith("ours"):
            inner = median([json.loads(r.stdout)["inner"] for r in runs])
            row["MB/s in-process"] = rounded(nbytes / MB / inner)
            row["via"] = json.loads(runs[0].stdout).get("via")
    ours, wc, split = (result.rows[i]["MB/s"] for i in range(3))
    result.ratios = {"ours/wc -w MB/s": ratio(ours, wc), "ours/line.split MB/s": ratio(ours, split)}
    if len({row["words"] for row in result.rows}) > 1:
        result.notes.append(
            "word counts differ between contenders: "
            + ", ".join(f"{row['case']}={row['words']}" for row in result.rows)
        )
    return result
