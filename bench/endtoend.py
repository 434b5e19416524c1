"""End to end: small txt uploads through each system's HTTP app until each job's result is stored."""

from __future__ import annotations

import time

from bench.common import Context, Result, percentile, ratio, rounded, wait_for
from bench.data import small_texts
from bench.httpload import job_id, multipart, post_all
from bench.procs import machine_ticks, tree_cpu, wait_idle
from bench.systems import SYSTEMS, System

NAME = "endtoend"
NEEDS_STACK = True
CONCURRENCY = 8
WORKER_COUNTS = (1, 2)
LABELS = {"ours": "ours", "celery": "Celery design (a)", "plain-rq": "plain RQ (b)"}


def warm_up(system: System, url: str, workers: int) -> None:
    """A few uploads so that every process has imported, connected and forked once."""
    sent = post_all(url, [multipart(f"warm-{i}.txt", b"warm up words\n") for i in range(4 * workers)], 4)
    ids = [i for i in map(job_id, sent) if i]
    if len(ids) < len(sent):
        raise RuntimeError(f"{system.name} warm-up uploads failed: {sent[0].status} {sent[0].reply[:200]!r}")
    wait_for(lambda: len(system.ended(ids)) == len(ids), 60, f"{system.name} warm-up jobs", 0.1)


def measure(system: System, bodies: list[bytes], workers: int) -> dict:
    """Upload every body (CONCURRENCY in flight) and wait for every job to end; figures of that run."""
    url = system.start_app()
    system.start_workers(workers)
    try:
        warm_up(system, url, workers)
        wait_idle(system.roots())
        requests = [multipart(f"doc-{i}.txt", body) for i, body in enumerate(bodies)]
        app, workers_ = [system.app.proc.pid], [w.proc.pid for w in system.workers]  # type: ignore[union-attr]
        servers = system.env.server_pids()
        s3_0, redis0, machine0 = system.env.s3_requests(), system.env.redis_commands(), machine_ticks()
        s3_cpu0, redis_cpu0 = tree_cpu([servers["s3"]]), tree_cpu([servers["redis"]])
        before, app0, work0, start = system.ended_count(), tree_cpu(app), tree_cpu(workers_), time.time()
        sent = post_all(url, requests, CONCURRENCY)
        upload_s = time.time() - start
        ids = {job: s for s in sent if (job := job_id(s))}
        ends = system.drain(list(ids), before, timeout=max(120.0, len(bodies) / 5))
        app_cpu, work_cpu = tree_cpu(app) - app0, tree_cpu(workers_) - work0
        s3_cpu, redis_cpu = tree_cpu([servers["s3"]]) - s3_cpu0, tree_cpu([servers["redis"]]) - redis_cpu0
        s3_1, redis_commands = system.env.s3_requests(), system.env.redis_commands() - redis0
        s3_requests = s3_1 - s3_0 if s3_1 is not None and s3_0 is not None else None
        busy, total = (now - then for now, then in zip(machine_ticks(), machine0, strict=True))
    finally:
        system.stop_workers()
    stamps = [t for _, t in ends.values() if t]
    latencies = [ends[job][1] - s.started for job, s in ids.items() if ends[job][1]]
    n = len(bodies)
    return {
        "workers": workers,
        "jobs/s": rounded(n / (max(stamps) - start)),
        "p50 s": rounded(percentile(latencies, 50), 2),
        "p99 s": rounded(percentile(latencies, 99), 2),
        "CPU-ms/job": rounded((app_cpu + work_cpu) * 1000 / n, 1),
        "app CPU-ms": rounded(app_cpu * 1000 / n, 1),
        "workers CPU-ms": rounded(work_cpu * 1000 / n, 1),
        "S3 req/job": rounded(s3_requests / n, 1) if s3_requests is not None else None,
        "Redis cmd/job": rounded(redis_commands / n, 1),
        "S3 srv CPU-ms": rounded(s3_cpu * 1000 / n, 1),
        "Redis CPU-ms": rounded(redis_cpu * 1000 / n, 1),
        "busy %": rounded(100 * busy / total) if total else None,
        "uploads/s": rounded(n / upload_s),
        "failed": (n - len(ids)) + sum(status != "finished" for status, _ in ends.values()),
    }


def run(ctx: Context) -> Result:
    n = ctx.pick(1000, 120)
    bodies = small_texts(n)
    result = Result(NAME)
    result.notes.append(
        f"{n} txt uploads of ~3 KB, POST /uploads with {CONCURRENCY} in flight, each app under the same "
        "gunicorn (2 workers × 4 threads); jobs/s from the first upload to the last job's end; latency from "
        "a job's upload start to its end; CPU of the app and worker process trees (not Redis, not S3); "
        "runs interleaved (1 worker for each system, then 2) on SeaweedFS, then the 2-worker runs on moto"
    )
    for server in ctx.env.servers:
        ctx.env.use(server)
        primary = server == ctx.env.servers[0]
        # The other server runs only the two-worker cases: the machine is shared, runs are kept short.
        run_server(ctx, result, bodies, "" if primary else f" ({server})", WORKER_COUNTS if primary else (2,))
    ctx.env.use(ctx.env.servers[0])
    return result


def run_server(
    ctx: Context, result: Result, bodies: list[bytes], suffix: str, counts: tuple[int, ...]
) -> None:
    """Every system on the S3 server in use; rows and ratios named with `suffix`."""
    tag = suffix.strip(" ()").replace("/", "-") or "main"
    systems = {key: SYSTEMS[key](ctx.env, f"e2e-{key}-{tag}") for key in ("ours", "celery", "plain-rq")}
    runs = [(workers, key) for workers in counts for key in systems]
    try:
        for workers, key in runs:
            system = systems[key]
            system.reset()
            label = f"{LABELS[key]} ×{workers}{suffix}"
            try:
                result.add(label, **measure(system, bodies, workers))
            except Exception as exc:  # noqa: BLE001 - report it and go on with the other runs
                result.add(label, error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        for system in systems.values():
            system.close()
    for workers in counts:
        ours, celery, plain = (
            result.row(f"{LABELS[k]} ×{workers}{suffix}") for k in ("ours", "celery", "plain-rq")
        )
        jobs = {name: row.get("jobs/s") for name, row in (("ours", ours), ("celery", celery), ("rq", plain))}
        result.ratios[f"ours/Celery jobs/s ×{workers}{suffix}"] = ratio(jobs["ours"], jobs["celery"])
        result.ratios[f"ours/plain RQ jobs/s ×{workers}{suffix}"] = ratio(jobs["ours"], jobs["rq"])
        result.ratios[f"ours/Celery CPU-ms/job ×{workers}{suffix}"] = ratio(
            ours.get("CPU-ms/job"), celery.get("CPU-ms/job")
        )
