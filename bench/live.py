"""Live status on the production stack: change-to-client latency (event streams, `?wait` long polls,
the page's old polling as the baseline), open streams per gevent worker, conditional pollers.

Redis, SeaweedFS (its filer posting every object to `POST /events`), the functions as compose runs
them (infra/gunicorn_conf.py, gevent, 2,000 connections and 2 processes), 2 file workers, the
reconciler. Every change measured is one production makes: `start` queues a job, a worker starts and
finishes it. Two loads: jobs started one by one at random moments (a page's uploads; the workers
keep up), and batches uploaded while the workers are stopped, then released at once (the workers
keep the 2 cores busy while the watchers follow).
"""

from __future__ import annotations

from typing import Any

import requests
from redis import Redis

from bench import livestreams
from bench.common import Context, Result, percentile, rounded
from bench.livescenes import Latencies, paced_jobs, released_batches, workers_stopped
from tests.livestack import gevent_argv, start_functions, start_live_stack

NAME = "live"
WAYS = {"sse": "SSE", "wait": "long poll (wait=30)", "poll": "page polling (baseline)"}
KEYS = {"sse": "SSE", "wait": "long poll", "poll": "page polling"}


def report(found: Latencies, load: str, prefix: str, result: Result) -> None:
    """Rows per way of watching and kind of thing watched; p95 of each way as the ratios."""
    for way, label in WAYS.items():
        jobs, batches = found.get((way, "job"), []), found.get((way, "batch"), [])
        for kind, values in (("jobs", jobs), ("batches", batches)):
            if values and jobs and batches:
                result.add(f"change → {label}, {load}, {kind}", changes_seen=len(values), **_spread(values))
        both = jobs + batches
        row = result.add(f"change → {label}, {load}", changes_seen=len(both), **_spread(both))
        result.ratios[f"{prefix}{KEYS[way]} p95 ms"] = row["p95 ms"]
    sse, poll = result.ratios.get(f"{prefix}SSE p95 ms"), result.ratios.get(f"{prefix}page polling p95 ms")
    result.ratios[f"{prefix}page polling p95 / SSE p95"] = round(poll / sse, 1) if sse and poll else None


def _spread(values: list[float]) -> dict[str, float | None]:
    return {f"p{p} ms": rounded(percentile(values, p)) for p in (50, 95, 99)}


def services(stack: Any) -> Any:
    """This process's services for the stack (Redis only is used: a transition, as a worker makes it)."""
    from core.services import Services
    from core.settings import Settings

    return Services.build(Settings.from_env(stack.env))


def streams_and_pollers(stack: Any, redis: Redis, ctx: Context, finished_job: str, result: Result) -> None:
    """On one gevent worker, with the file workers stopped: open streams, then conditional pollers."""
    start_functions(stack, gevent_argv(stack.http_port, 1))
    with workers_stopped(stack):
        store = services(stack).lifecycle.store
        for count in ctx.pick((livestreams.TARGET_STREAMS, 1900), (livestreams.TARGET_STREAMS,)):
            livestreams.idle_streams(stack, redis, store, count, ctx.pick(30, 20), result, "gevent")
        quiet = requests.post(
            f"{stack.base_url}/uploads/presign", json={"filename": "w.txt", "size": 5}, timeout=10
        )
        urls = (
            ("waiting job", quiet.json()["status_url"]),
            ("finished job", f"{stack.base_url}/jobs/{finished_job}"),
        )
        shares = [
            livestreams.conditional_pollers(stack, url, 1000, ctx.pick(5, 3), result, label)
            for label, url in urls
        ]
        result.ratios["conditional 304 %"] = min(shares)


def run(ctx: Context) -> Result:
    result = Result(NAME)
    stack = start_live_stack(ctx.work_dir / "live", workers=2, functions_workers=2)
    redis = Redis.from_url(stack.env["REDIS_URL"])
    try:
        found, note, finished = paced_jobs(stack, redis, ctx)
        report(found, "jobs at a steady pace", "", result)
        result.notes.append(f"jobs at a steady pace: {note}")
        found, note = released_batches(stack, redis, ctx)
        report(found, "batches released at once", "released: ", result)
        result.notes.append(f"batches released at once: {note}")
        streams_and_pollers(stack, redis, ctx, finished, result)
    finally:
        redis.close()
        stack.stop()
    result.notes.append(
        "latency: from the moment this process hears the transition's PUBLISH (inside the lifecycle's "
        "Lua script) to the moment the watcher reads the document showing it, both in one thread here; "
        "the page's old poller: 300 ms, ×1.5, ≤ 5 s. Streams: HTTP/1.0 sockets on one gevent worker "
        "(--workers 1), heartbeats every 15 s; KB per stream is the worker's RSS growth / streams."
    )
    return result
