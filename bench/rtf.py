"""RTF: MB/s of our reader (worker.analyze rtf) vs striprtf and `wc -w` on the same Word-like file."""

from __future__ import annotations

import json
import os
import sys

from bench.common import BIG_LIMITS, MB, Context, Result, median, ratio, rounded
from bench.data import write_rtf
from bench.procs import run_interleaved

NAME = "rtf"
NEEDS_STACK = False
OURS, STRIPRTF, WC = (
    "ours (worker.analyze rtf)",
    "striprtf 0.0.35 (rtf_to_text)",
    "wc -w (C.UTF-8, RTF source)",
)
REPEATS = 3


def run(ctx: Context) -> Result:
    path = write_rtf(ctx.work_dir / "word.rtf", ctx.pick(16 * MB, 4 * MB))
    child = [sys.executable, "-m", "bench.children"]
    argv = {
        OURS: [*child, "ours-rtf", str(path)],
        STRIPRTF: [*child, "striprtf", str(path)],
        WC: ["wc", "-w", str(path)],
    }
    env = {**os.environ, "LC_ALL": "C.UTF-8", **BIG_LIMITS}
    result = Result(NAME)
    result.notes.append(
        f"{path.stat().st_size / MB:.0f} MB Word-like RTF (formatting, \\'xx, \\uN, tables); whole processes,"
        f" median of {REPEATS}, interleaved; striprtf counts table cells joined by '|' (fewer words)"
    )
    nbytes = path.stat().st_size
    for case, runs in run_interleaved(argv, REPEATS, env).items():
        # Ours: less the language model's load, which a worker does once at start, not per file.
        wall = median([r.wall - (json.loads(r.stdout)["setup"] if case == OURS else 0.0) for r in runs])
        words = int(runs[0].stdout.split()[0]) if case == WC else json.loads(runs[0].stdout)["words"]
        row = result.add(
            case, **{"MB/s": rounded(nbytes / MB / wall), "wall s": rounded(wall, 3), "words": words}
        )
        row["peak RSS MB"] = rounded(max(r.maxrss_mb for r in runs))
    rows = {row["case"]: row for row in result.rows}
    result.ratios = {
        "ours/striprtf MB/s": ratio(rows[OURS]["MB/s"], rows[STRIPRTF]["MB/s"]),
        "ours/wc -w MB/s": ratio(rows[OURS]["MB/s"], rows[WC]["MB/s"]),
    }
    return result
