"""Upload function: req/s and latency of POST /uploads under gunicorn vs a minimal Flask + boto3 endpoint."""

from __future__ import annotations

import time

from bench.common import Context, Result, percentile, ratio, rounded
from bench.data import small_texts
from bench.httpload import multipart, post_all
from bench.procs import tree_cpu, wait_idle
from bench.systems import Ours, PlainRQ, System

NAME = "upload"
NEEDS_STACK = True
CONCURRENCIES = (8, 32)
LABELS = {"ours": "ours (functions.app)", "plain-rq": "minimal Flask + boto3 + RQ enqueue"}


def measure(system: System, bodies: list[bytes], concurrency: int) -> dict:
    """POST every body with `concurrency` in flight; no worker runs, so only the function is measured."""
    url = system.start_app()
    post_all(url, [multipart(f"warm-{i}.txt", body) for i, body in enumerate(bodies[:40])], concurrency)
    wait_idle(system.roots())
    requests = [multipart(f"doc-{i}.txt", body) for i, body in enumerate(bodies)]
    cpu0, start = tree_cpu(system.roots()), time.perf_counter()
    sent = post_all(url, requests, concurrency)
    elapsed, cpu = time.perf_counter() - start, tree_cpu(system.roots()) - cpu0
    latencies = [s.latency * 1000 for s in sent]
    return {
        "concurrency": concurrency,
        "req/s": rounded(len(sent) / elapsed),
        "p50 ms": rounded(percentile(latencies, 50)),
        "p99 ms": rounded(percentile(latencies, 99)),
        "CPU-ms/req": rounded(cpu * 1000 / len(sent), 1),
        "errors": sum(s.status != 202 for s in sent),
    }


def run(ctx: Context) -> Result:
    n = ctx.pick(2000, 300)
    bodies = small_texts(n, seed=5)
    result = Result(NAME)
    result.notes.append(
        f"{n} POST /uploads of ~3 KB txt per run, both apps under gunicorn (2 workers × 4 threads, gthread), "
        "no worker consuming; CPU of the gunicorn process tree; the minimal endpoint is baseline (b)'s app"
    )
    systems = {"ours": Ours(ctx.env, "upload-ours"), "plain-rq": PlainRQ(ctx.env, "upload-minimal")}
    try:
        for system in systems.values():
            system.reset()
        for concurrency in CONCURRENCIES:
            for key, system in systems.items():
                result.add(f"{LABELS[key]} c={concurrency}", **measure(system, bodies, concurrency))
    finally:
        for system in systems.values():
            system.close()
    for concurrency in CONCURRENCIES:
        ours, minimal = (result.row(f"{LABELS[k]} c={concurrency}") for k in ("ours", "plain-rq"))
        result.ratios[f"ours/minimal req/s c={concurrency}"] = ratio(ours["req/s"], minimal["req/s"])
        result.ratios[f"ours/minimal p99 c={concurrency}"] = ratio(ours["p99 ms"], minimal["p99 ms"])
    return result
