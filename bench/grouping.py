"""Groups: multi-file uploads of small txt files with TASK_GROUP_FILES from 1 (no groups) up, ours only.

Each POST /uploads carries FILES_PER_UPLOAD files; with groups, the small files of one upload share an
RQ job (each still its own job, record and result). Figures per file: what the grouping size saves.
"""

from __future__ import annotations

import json
import time
import uuid

from bench.common import Context, Result, ratio, rounded
from bench.data import small_texts
from bench.httpload import post_all
from bench.procs import tree_cpu, wait_idle
from bench.systems import Ours

NAME = "grouping"
NEEDS_STACK = True
FILES_PER_UPLOAD = 20
CONCURRENCY = 4
WORKERS = 2
SIZES = (1, 5, 10, 20)


def multi(bodies: list[bytes]) -> tuple[bytes, dict[str, str]]:
    """One multipart/form-data body with a `file` part per body."""
    boundary = uuid.uuid4().hex
    data = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f{n}.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n".encode()
            + body
            + b"\r\n"
            for n, body in enumerate(bodies)
        )
        + f"--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(data))}
    return data, headers


def job_ids(sent) -> list[str]:
    ids = []
    for one in sent:
        if one.status == 202:
            ids += [job["job_id"] for job in json.loads(one.reply)["jobs"]]
    return ids


def measure(system: Ours, bodies: list[bytes]) -> dict:
    url = system.start_app()
    system.start_workers(WORKERS)
    try:
        warm = job_ids(post_all(url, [multi([b"warm up\n"] * FILES_PER_UPLOAD)] * 2, 2))
        system.drain(warm, 0, timeout=60)
        wait_idle(system.roots())
        requests = [multi(bodies[i : i + FILES_PER_UPLOAD]) for i in range(0, len(bodies), FILES_PER_UPLOAD)]
        redis0, cpu0, before = system.env.redis_commands(), tree_cpu(system.roots()), system.ended_count()
        start = time.time()
        ids = job_ids(post_all(url, requests, CONCURRENCY))
        ends = system.drain(ids, before, timeout=max(120.0, len(bodies) / 5))
        cpu, commands = tree_cpu(system.roots()) - cpu0, system.env.redis_commands() - redis0
    finally:
        system.stop_workers()
    n = len(bodies)
    stamps = [t for _, t in ends.values() if t]
    return {
        "files/s": rounded(n / (max(stamps) - start)),
        "CPU-ms/file": rounded(cpu * 1000 / n, 2),
        "Redis cmd/file": rounded(commands / n, 1),
        "failed": (n - len(ids)) + sum(status != "finished" for status, _ in ends.values()),
    }


def run(ctx: Context) -> Result:
    n = ctx.pick(1000, 300)
    bodies = small_texts(n)
    result = Result(NAME)
    result.notes.append(
        f"{n} txt files of ~3 KB in uploads of {FILES_PER_UPLOAD} files (POST /uploads, {CONCURRENCY} in "
        f"flight), {WORKERS} workers, on {ctx.env.servers[0]}; TASK_GROUP_FILES from 1 (each file its own RQ "
        "job) up; CPU of the functions and workers"
    )
    for size in SIZES:
        system = Ours(ctx.env, f"grouping-{size}", {"TASK_GROUP_FILES": str(size)})
        try:
            system.reset()
            result.add(f"TASK_GROUP_FILES={size}", **measure(system, bodies))
        except Exception as exc:  # noqa: BLE001 - report it and go on with the other sizes
            result.add(f"TASK_GROUP_FILES={size}", error=f"{type(exc).__name__}: {exc}"[:300])
        finally:
            system.close()
    base = result.rows[0]
    for row in result.rows[1:]:
        result.ratios[f"{row['case']} / 1: files/s"] = ratio(row.get("files/s"), base.get("files/s"))
        cpu = ratio(row.get("CPU-ms/file"), base.get("CPU-ms/file"))
        result.ratios[f"{row['case']} / 1: CPU-ms/file"] = cpu
    return result
