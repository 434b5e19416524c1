"""S3 ceiling: bare boto3 doing each job's S3 work (PUT, GET, PUT) at the end-to-end concurrency."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.common import ROOT, Context, Result, rounded

NAME = "s3"
NEEDS_STACK = True
CONCURRENCY = 8
LAYOUTS = ((1, 8), (2, 4))  # (processes, threads each): one GIL, or two


def measure(url: str, bucket: str, jobs: int, processes: int, threads: int, env: dict[str, str]) -> dict:
    start = time.time() + 3.0
    share = jobs // processes
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.s3loop",
                url,
                bucket,
                str(i * share),
                str(share),
                str(threads),
                str(start),
            ],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
        )
        for i in range(processes)
    ]
    reports = []
    for child in children:
        out, _ = child.communicate(timeout=300)
        if child.returncode:
            raise RuntimeError(f"bench.s3loop exited with {child.returncode}")
        reports.append(json.loads(out))
    elapsed = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    total = share * processes
    return {
        "jobs/s": rounded(total / elapsed),
        "S3 requests/s": rounded(3 * total / elapsed),
        "client CPU-ms/job": rounded(sum(r["cpu"] for r in reports) * 1000 / total, 2),
    }


def run(ctx: Context) -> Result:
    """The ceiling on each S3 server; the first server's (SeaweedFS) is the one the targets use."""
    jobs = ctx.pick(1000, 200)
    env = ctx.env
    result = Result(NAME)
    result.notes.append(
        f"{jobs} jobs × (PUT ~3 KB upload, GET it, PUT result JSON) against each S3 server "
        f"({', '.join(env.servers)}), {CONCURRENCY} in flight; the ceiling is the better layout"
    )
    for server in env.servers:
        env.use(server)
        bucket = env.bucket("ceiling")
        for processes, threads in LAYOUTS:
            case = f"{server}: boto3 {processes} process{'es' if processes > 1 else ''} × {threads} threads"
            result.add(case, **measure(env.s3_url, bucket, jobs, processes, threads, env.env()))
        best = max(row["jobs/s"] for row in result.rows if row["case"].startswith(f"{server}:"))
        suffix = "" if server == env.servers[0] else f" ({server})"
        result.ratios[f"S3 ceiling jobs/s{suffix}"] = best
    env.use(env.servers[0])
    return result
