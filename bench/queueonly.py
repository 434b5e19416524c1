"""Queue only: trivial jobs through our enqueue path and worker vs Celery prefork and RQ's Worker."""

from __future__ import annotations

import time

from bench.common import Context, Result, ratio, rounded, wait_for
from bench.procs import tree_cpu, wait_idle
from bench.systems import SYSTEMS, System

NAME = "queue"
NEEDS_STACK = True
WORKERS = 2
LABELS = {
    "ours": "ours (core.tasks + python -m worker)",
    "celery": "Celery prefork -c 2",
    "plain-rq": "RQ default Worker ×2",
}


def measure(system: System, jobs: int) -> dict:
    """Jobs/s from the first enqueue to the last job's end, and CPU per job of workers and producer."""
    system.reset()
    system.start_workers(WORKERS)
    try:
        warm = system.enqueue_trivial(8)
        wait_for(lambda: len(system.ended(warm)) == len(warm), 60, f"{system.name} warm-up", 0.05)
        wait_idle(system.roots())
        before = system.ended_count()
        redis0 = system.env.redis_commands()
        cpu0, start, producer0 = tree_cpu(system.roots()), time.time(), time.process_time()
        ids = system.enqueue_trivial(jobs)
        enqueue_s, producer_s = time.time() - start, time.process_time() - producer0
        ends = system.drain(ids, before, timeout=max(60.0, jobs / 20))
        cpu = tree_cpu(system.roots()) - cpu0
        redis_commands = system.env.redis_commands() - redis0
    finally:
        system.stop_workers()
    elapsed = max(t for _, t in ends.values() if t) - start
    failed = sum(status != "finished" for status, _ in ends.values())
    return {
        "jobs/s": rounded(jobs / elapsed),
        "CPU-ms/job": rounded(cpu * 1000 / jobs, 2),
        "enqueue/s": rounded(jobs / enqueue_s),
        "producer CPU-ms/job": rounded(producer_s * 1000 / jobs, 2),
        "Redis cmd/job": rounded(redis_commands / jobs, 1),
        "failed": failed,
    }


def run(ctx: Context) -> Result:
    jobs = ctx.pick(2000, 300)
    result = Result(NAME)
    result.notes.append(
        f"{jobs} trivial jobs enqueued from one producer while {WORKERS} worker processes run; "
        "jobs/s from the first enqueue to the last job's end; CPU-ms/job of the worker trees"
    )
    for key in ("ours", "celery", "plain-rq"):
        system = SYSTEMS[key](ctx.env, "queue-bench")
        try:
            result.add(LABELS[key], **measure(system, jobs))
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            result.add(LABELS[key], error=f"{type(exc).__name__}: {exc}"[:300])
        finally:
            system.close()
    ours, celery, rq = (row.get("jobs/s") for row in result.rows)
    result.ratios = {
        "ours/Celery prefork jobs/s": ratio(ours, celery),
        "ours/RQ Worker jobs/s": ratio(ours, rq),
    }
    return result
