"""The two loads the live-status latency is measured under, on a running stack: jobs started one by
one at random moments (a page's uploads: the workers keep up), and batches uploaded while the file
workers are stopped, then released at once (the workers then keep the machine's cores busy)."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests
from redis import Redis

from bench.common import Context
from bench.livewatch import Loop, Target

WAYS = ("sse", "wait", "poll")
LEAD_SECONDS = 2.0  # how long the watchers of a batch look before the workers go on
BODY = b"one two three"
Latencies = dict[tuple[str, str], list[float]]


@contextmanager
def workers_stopped(stack: Any) -> Iterator[None]:
    """Nothing is taken off the queue inside the block."""
    for worker in stack.workers:
        worker.send(signal.SIGSTOP)
    try:
        yield
    finally:
        for worker in stack.workers:
            worker.send(signal.SIGCONT)


def upload_and_start(base: str, job: dict[str, Any]) -> None:
    """What the page does after presigning: PUT the file, then start its job."""
    upload = job["upload"]
    requests.put(upload["url"], data=BODY, headers=upload["headers"], timeout=30).raise_for_status()
    requests.post(f"{base}/jobs/{job['job_id']}/start", timeout=30).raise_for_status()


def paced_jobs(stack: Any, redis: Redis, ctx: Context) -> tuple[Latencies, str, str]:
    """Jobs presigned and watched (3 streams, 3 long polls, 1 poller each), started 0.5-6 s later;
    the latencies, a note, and a job id (finished by then)."""
    owners: dict[str, list[Target]] = {}
    loop, rng = (
        Loop("127.0.0.1", stack.http_port, redis, lambda job_id: owners.get(job_id, [])),
        random.Random(15),
    )
    jobs = []
    try:
        for _ in range(ctx.pick(40, 20)):
            reply = requests.post(
                f"{stack.base_url}/uploads/presign", json={"filename": "p.txt", "size": len(BODY)}
            )
            job = reply.json()
            owners[job["job_id"]] = [target := Target("job", f"/jobs/{job['job_id']}")]
            for way, count in (("sse", 3), ("wait", 3), ("poll", 1)):
                for _ in range(count):
                    loop.add(way, target)
            jobs.append(job)
        ready = loop.run_until(lambda: all(w.first_doc for w in loop.watchers), 60)
        now = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for job in jobs:
                loop.at(
                    now + rng.uniform(0.5, 6.0),
                    lambda job=job: pool.submit(upload_and_start, stack.base_url, job),
                )
            done = loop.run_until(lambda: all(w.done for w in loop.watchers), 120)
        return loop.latencies(), _note(loop, ready, done), jobs[0]["job_id"]
    finally:
        loop.close()


def released_batches(stack: Any, redis: Redis, ctx: Context) -> tuple[Latencies, str]:
    """Batches uploaded while the workers are stopped, each watched by streams, long polls and pollers
    (and some of their jobs three ways), then the workers released."""
    owners: dict[str, list[Target]] = {}
    loop = Loop("127.0.0.1", stack.http_port, redis, lambda job_id: owners.get(job_id, []))
    files, per_batch, jobs_watched = ctx.pick(40, 20), ctx.pick(25, 10), ctx.pick(20, 10)
    try:
        with workers_stopped(stack):
            for b in range(ctx.pick(4, 2)):
                upload = [("file", (f"b{b}-{n}.txt", BODY)) for n in range(files)]
                reply = requests.post(f"{stack.base_url}/uploads", files=upload, timeout=60).json()
                batch = Target("batch", f"/batches/{reply['batch_id']}")
                for way, count in (("sse", per_batch), ("wait", per_batch), ("poll", max(2, per_batch // 5))):
                    for _ in range(count):
                        loop.add(way, batch)
                for n, job in enumerate(reply["jobs"]):
                    owners[job["job_id"]] = [batch]
                    if n < jobs_watched:
                        owners[job["job_id"]].append(target := Target("job", f"/jobs/{job['job_id']}"))
                        for way in WAYS:
                            loop.add(way, target)
            ready = loop.run_until(lambda: all(w.first_doc for w in loop.watchers), 60)
            loop.run_until(lambda: False, LEAD_SECONDS)
        done = loop.run_until(lambda: all(w.done for w in loop.watchers), 180)
        return loop.latencies(), _note(loop, ready, done)
    finally:
        loop.close()


def _note(loop: Loop, ready: bool, done: bool) -> str:
    opened, ended = ("all" if ready else "NOT all"), ("all" if done else "NOT all")
    reopened = f"{loop.resumed} streams reopened"
    return f"{len(loop.watchers)} watchers ({opened} opened, {ended} saw the end, {reopened})"
