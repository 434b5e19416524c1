"""PDF: pages/s of worker.analyze (pypdf, and PDF_ENGINE=pypdfium2) vs pdftotext, raw pypdf and pypdfium2;
one big PDF with 1 vs 2 workers."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import BIG_LIMITS, Context, Result, median, ratio, rounded
from bench.data import write_pdf
from bench.httpload import job_id, multipart, post_all
from bench.procs import run_interleaved
from bench.systems import Ours, System

NAME = "pdf"
NEEDS_STACK = True
PAGES = 1000
OURS, OURS_PDFIUM = "ours (worker.analyze pdf)", "ours, PDF_ENGINE=pypdfium2"


def contenders(path: str) -> dict[str, list[str]]:
    child = [sys.executable, "-m", "bench.children"]
    found = {OURS: [*child, "ours-pdf", path], OURS_PDFIUM: [*child, "ours-pdf-pdfium", path]}
    if shutil.which("pdftotext"):
        found["pdftotext"] = ["pdftotext", "-q", path, "/dev/null"]
    found["pypdf raw"] = [*child, "pypdf", path]
    found["pypdfium2 raw"] = [*child, "pdfium", path]
    return found


def local(result: Result, path: str, repeats: int) -> None:
    """Each contender in its own process on the same file, interleaved; median wall time."""
    env = {**os.environ, **BIG_LIMITS}
    megabytes = os.path.getsize(path) / 1e6
    for case, runs in run_interleaved(contenders(path), repeats, env).items():
        wall = median([r.wall for r in runs])
        row = result.add(
            case,
            **{
                "pages/s": rounded(PAGES / wall),
                "MB/s": rounded(megabytes / wall, 2),
                "wall s": rounded(wall, 2),
                "peak RSS MB": rounded(max(r.maxrss_mb for r in runs)),
            },
        )
        if case != "pdftotext":
            row["words"] = json.loads(runs[0].stdout).get("words")


def upload_once(system: System, url: str, data: bytes, workers: int) -> tuple[float, str]:
    """Seconds from the start of the upload to the job's end, with `workers` workers running."""
    system.reset()
    system.start_workers(workers)
    try:
        before, start = system.ended_count(), time.time()
        sent = post_all(url, [multipart("big.pdf", data, "application/pdf")], 1, timeout=120)
        ids = [i for i in map(job_id, sent) if i]
        if not ids:
            raise RuntimeError(f"upload failed: {sent[0].status} {sent[0].reply[:200]!r}")
        status, end = system.drain(ids, before, timeout=300)[ids[0]]
    finally:
        system.stop_workers()
    return (end or time.time()) - start, status


def through_stack(ctx: Context, result: Result, path: str, repeats: int) -> None:
    """Upload the PDF through POST /uploads and time it to its end, with 1 and 2 workers, interleaved."""
    system = Ours(ctx.env, "pdf-bench")
    data = Path(path).read_bytes()
    times: dict[int, list[float]] = {1: [], 2: []}
    statuses: set[str] = set()
    try:
        url = system.start_app()
        for _ in range(repeats):
            for workers in times:
                seconds, status = upload_once(system, url, data, workers)
                times[workers].append(seconds)
                statuses.add(status)
    finally:
        system.close()
    for workers, seconds in times.items():
        wall = median(seconds)
        result.add(
            f"ours end to end, {workers} worker{'s' * (workers > 1)}",
            **{
                "pages/s": rounded(PAGES / wall),
                "wall s": rounded(wall, 2),
                "status": "/".join(sorted(statuses)),
            },
        )


def run(ctx: Context) -> Result:
    path = str(write_pdf(ctx.work_dir / f"pages-{PAGES}.pdf", PAGES))
    result = Result(NAME)
    result.notes.append(
        f"generated {PAGES}-page text PDF (~400 words a page, Helvetica, Flate), "
        f"{os.path.getsize(path) / 1e6:.1f} MB; local runs are whole processes"
    )
    local(result, path, ctx.pick(3, 1))
    try:
        through_stack(ctx, result, path, ctx.pick(3, 1))
    except Exception as exc:  # noqa: BLE001 - keep the local figures
        result.notes.append(f"end-to-end part failed: {type(exc).__name__}: {exc}")
    rows = {row["case"]: row for row in result.rows}
    ours, pdfium = rows[OURS]["pages/s"], rows[OURS_PDFIUM]["pages/s"]
    pdftotext = rows.get("pdftotext", {}).get("pages/s")
    result.ratios = {
        "ours/pdftotext pages/s": ratio(ours, pdftotext),
        "ours/pypdf pages/s": ratio(ours, rows["pypdf raw"]["pages/s"]),
        "ours pypdfium2/ours pypdf pages/s": ratio(pdfium, ours),
        "ours pypdfium2/pdftotext pages/s": ratio(pdfium, pdftotext),
        "ours pypdfium2/pypdfium2 raw pages/s": ratio(pdfium, rows["pypdfium2 raw"]["pages/s"]),
    }
    if rows[OURS]["words"] != rows[OURS_PDFIUM]["words"]:
        words = f"pypdf {rows[OURS]['words']}, PDFium {rows[OURS_PDFIUM]['words']}"
        result.notes.append(f"word counts differ: {words}")
    one, two = rows.get("ours end to end, 1 worker"), rows.get("ours end to end, 2 workers")
    if one and two:
        result.ratios["time 2 workers/1 worker"] = ratio(two["wall s"], one["wall s"])
    return result
