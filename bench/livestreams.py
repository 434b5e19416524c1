"""What one gevent worker of the functions holds: open event streams, their memory and idle CPU, one
change fanned out to all of them, and conditional pollers answered with 304."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from redis import Redis

from bench.common import Result, percentile, rounded
from bench.livewatch import Loop, Target
from bench.procs import tree, tree_cpu, tree_rss
from core.lifecycle.store import Step

TARGET_STREAMS = 1000  # issue 15: 1,000 idle watchers at <= 5 % of a core and <= 150 MB


def gunicorn_worker(stack: Any) -> int:
    """The pid of the stack's one gunicorn worker (the master's child)."""
    master = stack.functions.proc.pid
    children = [pid for pid in tree([master]) if pid != master]
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return children[0]


def idle_streams(
    stack: Any, redis: Redis, store: Any, count: int, seconds: float, result: Result, label: str
) -> None:
    """`count` SSE watchers of one running batch on one worker: memory per stream, idle CPU, fan-out."""
    files = [("file", (f"f{n}.txt", b"one two")) for n in range(3)]
    batch = requests.post(f"{stack.base_url}/uploads", files=files, timeout=30).json()  # no worker runs
    target = Target("batch", f"/batches/{batch['batch_id']}")
    worker, master = gunicorn_worker(stack), stack.functions.proc.pid
    loop = Loop("127.0.0.1", stack.http_port, redis, lambda _: [target])
    try:
        requests.get(stack.base_url + target.path + "?limit=1", timeout=10)  # warm: the first read is slow
        before = tree_rss([worker])
        for _ in range(count):
            loop.add("sse", target)
        opened = loop.run_until(lambda: all(w.first_doc for w in loop.watchers), 120)
        streams = sum(w.first_doc for w in loop.watchers)
        loop.run_until(lambda: False, 2)  # the connections settle
        cpu_before, began = tree_cpu([master]), time.monotonic()
        loop.run_until(lambda: False, seconds)  # heartbeats come and are read
        cpu = (tree_cpu([master]) - cpu_before) / (time.monotonic() - began)
        after = tree_rss([worker])
        store.transition(batch["jobs"][0]["job_id"], Step("started", ("queued",)))
        loop.run_until(lambda: all(w.seen.get("started") for w in loop.watchers), 30)
        delays = [ms for values in loop.latencies().values() for ms in values]
    finally:
        loop.close()
    per_stream_kb = (after - before) / max(1, streams) / 1024
    result.add(
        f"{count} idle SSE watchers of one batch, one worker ({label})",
        streams=streams, all_open="yes" if opened else "no",
        **{"CPU % of a core": rounded(cpu * 100, 2), "worker RSS MB": rounded(after / 2**20),
           "worker RSS MB before": rounded(before / 2**20), "KB per stream": rounded(per_stream_kb),
           "RSS MB (all gunicorn)": rounded(tree_rss([master]) / 2**20), "idle s": seconds},
    )  # fmt: skip
    result.add(
        f"one change → all {count} watchers ({label})",
        clients=len(delays),
        **{f"p{p} ms": rounded(percentile(delays, p)) for p in (50, 95, 99)},
    )
    if label == "gevent" and count == TARGET_STREAMS:  # the target's figures, not a bigger run's
        result.ratios["idle watchers CPU %"] = rounded(cpu * 100, 2)
        result.ratios["idle watchers RSS MB"] = rounded(tree_rss([master]) / 2**20)
        result.ratios["KB per open stream"] = rounded(per_stream_kb)


def conditional_pollers(stack: Any, url: str, count: int, rounds: int, result: Result, label: str) -> float:
    """`count` pollers of one quiet job, each polling `rounds` times with its ETag: the share of 304s."""
    local = threading.local()

    def poller(_: int) -> list[int]:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        etag, codes = session.get(url, timeout=10).headers["ETag"], []
        for _ in range(rounds):
            reply = session.get(url, headers={"If-None-Match": etag}, timeout=10)
            etag = reply.headers.get("ETag", etag)
            codes.append(reply.status_code)
        return codes

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        codes = [code for batch in pool.map(poller, range(count)) for code in batch]
    share = codes.count(304) / len(codes)
    result.add(
        f"{count} conditional pollers × {rounds} ({label})",
        polls=len(codes),
        **{"304 %": rounded(share * 100, 2), "polls/s": rounded(len(codes) / (time.monotonic() - began))},
    )
    return rounded(share * 100, 2)
