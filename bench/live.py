"""Live status: change-to-client latency (SSE, long poll, the page's polling), idle watchers, 304s.

One functions process (gunicorn, one gevent worker) on its own stack. The change is the lifecycle's
write, made from this process; each client notes when it reads the new status.
"""

from __future__ import annotations

import random
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.common import Context, Result, percentile, rounded
from bench.procs import tree, tree_cpu, tree_rss
from infra.processes import python_argv
from tests.livestack import read_events, start_functions, start_live_stack

NAME = "live"
# The page's poller (web/poller.js): first look after 300 ms, then 1.5× longer each time, at most 5 s.
PAGE_FIRST_MS, PAGE_GROWTH, PAGE_MAX_MS = 300, 1.5, 5000


def change(stack: Any, job_id: str, before: str = "awaiting_upload", after: str = "queued") -> float:
    """The lifecycle's write that moves a job on; returns when it was made (time.time())."""
    from core.lifecycle.store import Step

    store = _services(stack).lifecycle.store
    at = time.time()
    store.transition(job_id, Step(after, (before,)))  # one Lua call: the record, counters, the publish
    return at


_SERVICES: dict[str, Any] = {}


def _services(stack: Any) -> Any:
    """The services of this process for the stack, built once."""
    from core.services import Services
    from core.settings import Settings

    url = stack.env["REDIS_URL"]
    if url not in _SERVICES:
        _SERVICES[url] = Services.build(Settings.from_env(stack.env))
    return _SERVICES[url]


def presign(base: str) -> dict[str, Any]:
    reply = requests.post(f"{base}/uploads/presign", json={"filename": "w.txt", "size": 5}, timeout=10)
    reply.raise_for_status()
    return reply.json()


def sse_client(url: str, seen: dict[str, float], ready: threading.Event) -> None:
    with requests.get(url + "/events", stream=True, timeout=60) as reply:
        for event in read_events(reply):
            ready.set()
            if event.doc["status"] != "awaiting_upload":
                seen["sse"] = time.time()
                return


def long_poll_client(url: str, seen: dict[str, float], ready: threading.Event) -> None:
    session = requests.Session()
    etag = session.get(url, timeout=10).headers["ETag"]
    ready.set()
    while "wait" not in seen:
        reply = session.get(url + "?wait=30", headers={"If-None-Match": etag}, timeout=40)
        if reply.json()["status"] != "awaiting_upload":
            seen["wait"] = time.time()
        etag = reply.headers["ETag"]


def page_poller(url: str, seen: dict[str, float], ready: threading.Event, stop: threading.Event) -> None:
    session, delay = requests.Session(), PAGE_FIRST_MS / 1000
    ready.set()
    while not stop.is_set():
        if stop.wait(delay):
            return
        if session.get(url, timeout=10).json()["status"] != "awaiting_upload":
            seen["poll"] = time.time()
            return
        delay = min(PAGE_MAX_MS / 1000, delay * PAGE_GROWTH)


def one_trial(stack: Any, lead: float) -> dict[str, float]:
    """One job watched three ways; its change comes `lead` seconds after the watching began."""
    job = presign(stack.base_url)
    seen: dict[str, float] = {}
    stop, readies = threading.Event(), [threading.Event() for _ in range(3)]
    clients = [
        threading.Thread(target=sse_client, args=(job["status_url"], seen, readies[0])),
        threading.Thread(target=long_poll_client, args=(job["status_url"], seen, readies[1])),
        threading.Thread(target=page_poller, args=(job["status_url"], seen, readies[2], stop)),
    ]
    for client in clients:
        client.start()
    for ready in readies:
        ready.wait(10)
    time.sleep(lead)
    at = change(stack, job["job_id"])
    for client in clients:
        client.join(15)
    stop.set()
    return {how: when - at for how, when in seen.items()}


def latency(stack: Any, trials: int, result: Result) -> None:
    rng = random.Random(15)
    leads = [rng.uniform(0.5, 6.0) for _ in range(trials)]
    with ThreadPoolExecutor(max_workers=trials) as pool:
        outcomes = list(pool.map(lambda lead: one_trial(stack, lead), leads))
    for how, label in (("sse", "SSE"), ("wait", "long poll (wait=30)"), ("poll", "page polling (baseline)")):
        values = [o[how] * 1000 for o in outcomes if how in o]
        result.add(
            f"change → client: {label}",
            clients=len(values),
            **{"p50 ms": rounded(percentile(values, 50)), "p95 ms": rounded(percentile(values, 95))},
        )
    result.ratios["SSE p95 ms"] = result.row("change → client: SSE")["p95 ms"]
    result.ratios["long poll p95 ms"] = result.row("change → client: long poll (wait=30)")["p95 ms"]
    result.ratios["page polling p95 ms"] = result.row("change → client: page polling (baseline)")["p95 ms"]


def open_streams(host: str, port: int, path: str, count: int) -> tuple[list[socket.socket], int]:
    """`count` raw connections, each reading `path` as an event stream; returns them and how many got 200."""
    selector, sockets, answered = selectors.DefaultSelector(), [], 0
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
    for _ in range(count):
        sock = socket.create_connection((host, port))
        sock.sendall(request)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        sockets.append(sock)
    waiting, deadline = set(sockets), time.monotonic() + 60
    while waiting and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            head = key.fileobj.recv(65536)
            answered += head.startswith(b"HTTP/1.1 200")
            waiting.discard(key.fileobj)
            selector.unregister(key.fileobj)
    return sockets, answered


def fan_out(sockets: list[socket.socket], stack: Any, job_id: str, timeout: float = 20) -> list[float]:
    """Seconds from one change of the watched batch to each watcher's read of its event."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    for key, _ in selector.select(timeout=0.5):  # whatever arrived before (heartbeats)
        key.fileobj.recv(65536)
    at, arrived = change(stack, job_id, "queued", "started"), {}
    deadline = time.monotonic() + timeout
    while len(arrived) < len(sockets) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            if b"event: status" in key.fileobj.recv(65536) and key.fileobj not in arrived:
                arrived[key.fileobj] = time.time() - at
                selector.unregister(key.fileobj)
    selector.close()
    return list(arrived.values())


def gthread_argv(port: int, threads: int) -> list[str]:
    """The alternative measured: one gthread worker with a thread per open stream."""
    return python_argv(
        "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "1",
        "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "5", "functions.app:create_app()",
    )  # fmt: skip


def idle_watchers(stack: Any, count: int, seconds: float, result: Result, label: str = "gevent") -> None:
    """`count` SSE watchers of one running batch, then `seconds` of quiet: the functions' CPU and RSS."""
    files = [("file", (f"f{n}.txt", b"one two")) for n in range(3)]
    # No file worker runs: the batch stays running.
    batch = requests.post(f"{stack.base_url}/uploads", files=files, timeout=30).json()
    roots = [stack.functions.proc.pid]
    rss_before = tree_rss(roots)
    path = f"/batches/{batch['batch_id']}/events"
    sockets, answered = open_streams("127.0.0.1", stack.http_port, path, count)
    time.sleep(2)  # the connections settle
    cpu_before, began = tree_cpu(roots), time.monotonic()
    time.sleep(seconds)
    cpu = (tree_cpu(roots) - cpu_before) / (time.monotonic() - began)
    rss = tree_rss(roots)
    result.add(
        f"{count} idle SSE watchers of one batch ({label})",
        streams=answered,
        **{"CPU % of a core": rounded(cpu * 100, 2), "RSS MB (all gunicorn)": rounded(rss / 2**20),
           "RSS MB before": rounded(rss_before / 2**20), "processes": len(tree(roots)), "idle s": seconds},
    )  # fmt: skip
    if label == "gevent":
        result.ratios["idle watchers CPU %"] = rounded(cpu * 100, 2)
        result.ratios["idle watchers RSS MB"] = rounded(rss / 2**20)
    delays = [delay * 1000 for delay in fan_out(sockets, stack, batch["jobs"][0]["job_id"])]
    result.add(
        f"one change → all {count} watchers ({label})",
        clients=len(delays),
        **{"p50 ms": rounded(percentile(delays, 50)), "p95 ms": rounded(percentile(delays, 95))},
    )
    for sock in sockets:
        sock.close()


def conditional_pollers(stack: Any, count: int, rounds: int, result: Result) -> None:
    """`count` pollers of one quiet job, each polling `rounds` times with its ETag: the share of 304s."""
    url = presign(stack.base_url)["status_url"]
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
        f"{count} conditional pollers × {rounds}",
        polls=len(codes),
        **{"304 %": rounded(share * 100, 2), "polls/s": rounded(len(codes) / (time.monotonic() - began))},
    )
    result.ratios["conditional 304 %"] = rounded(share * 100, 2)


def run(ctx: Context) -> Result:
    result = Result(NAME)
    stack = start_live_stack(ctx.work_dir / "live", workers=0)
    try:
        latency(stack, ctx.pick(40, 20), result)
        idle_watchers(stack, 1000, ctx.pick(45, 20), result)
        conditional_pollers(stack, 1000, ctx.pick(5, 3), result)
        start_functions(stack, gthread_argv(stack.http_port, 1010))
        idle_watchers(stack, 1000, ctx.pick(45, 20), result, label="gthread, 1,010 threads")
    finally:
        stack.stop()
    result.notes.append(
        "functions: gunicorn, 1 gevent worker (worker_connections 2000), and for comparison 1 gthread worker "
        "with a thread per stream; no file worker runs, so jobs stay "
        "where the benchmark puts them. Latency: from the lifecycle's write (made here) to the client's "
        "read; the page polls as web/poller.js does (300 ms, ×1.5, ≤ 5 s), the change 0.5-6 s in."
    )
    return result
