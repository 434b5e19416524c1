"""Memory: the worker's peak RSS for small and large inputs, and the functions' RSS during a big upload."""

from __future__ import annotations

import os
import sys

from bench.common import BIG_LIMITS, MB, Context, Result, rounded
from bench.data import write_pdf, write_text
from bench.httpload import multipart, post_all
from bench.procs import RssSampler, run_measured, tree_rss, wait_idle
from bench.systems import Ours, PlainRQ, System

NAME = "memory"
NEEDS_STACK = True
UPLOAD_BYTES = 50 * MB  # just under MAX_UPLOAD_BYTES' default (50 MiB)


def analyze_rss(kind: str, path: str) -> float:
    """Peak RSS (MB) of a process that imports the worker's modules and runs worker.analyze on `path`."""
    env = {**os.environ, **BIG_LIMITS}
    return run_measured([sys.executable, "-m", "bench.children", kind, path], env=env).maxrss_mb


def upload_rss(system: System, data: bytes) -> dict:
    """RSS of the app's gunicorn tree before and at its peak while one big file is posted."""
    url = system.start_app()
    post_all(url, [multipart("warm.txt", b"warm up\n")], 1)
    wait_idle(system.roots())
    idle = tree_rss(system.roots())
    with RssSampler(system.roots()) as sampler:
        sent = post_all(url, [multipart("big.txt", data)], 1, timeout=120)
    return {
        "idle RSS MB": rounded(idle / 2**20),
        "peak RSS MB": rounded(sampler.peak / 2**20),
        "growth MB": rounded((sampler.peak - idle) / 2**20),
        "status": sent[0].status,
    }


def run(ctx: Context) -> Result:
    big = ctx.pick(200, 50)
    small_path = write_text(ctx.work_dir / "text-10MB.txt", 10 * MB)
    big_path = write_text(ctx.work_dir / f"text-{big}MB.txt", big * MB)
    pdf_path = write_pdf(ctx.work_dir / "pages-1000.pdf", 1000)
    result = Result(NAME)
    result.notes.append(
        "worker: peak RSS (GNU time) of a process running worker.analyze on the file; "
        "functions: RSS of the whole gunicorn tree (2 workers), sampled every 10 ms"
    )
    small = analyze_rss("ours-txt", str(small_path))
    large = analyze_rss("ours-txt", str(big_path))
    result.add("worker.analyze, 10 MB txt", **{"peak RSS MB": rounded(small)})
    result.add(f"worker.analyze, {big} MB txt", **{"peak RSS MB": rounded(large)})
    result.add(
        "worker.analyze, 1000-page PDF", **{"peak RSS MB": rounded(analyze_rss("ours-pdf", str(pdf_path)))}
    )
    data = write_text(ctx.work_dir / "upload-50MB.txt", UPLOAD_BYTES).read_bytes()[:UPLOAD_BYTES]
    for label, system in (
        ("functions, one 50 MB upload", Ours(ctx.env, "memory-ours")),
        ("minimal endpoint, one 50 MB upload", PlainRQ(ctx.env, "memory-minimal")),
    ):
        try:
            result.add(label, **upload_rss(system, data))
        finally:
            system.close()
    result.ratios = {f"worker RSS growth 10→{big} MB txt (MB)": rounded(large - small)}
    return result
