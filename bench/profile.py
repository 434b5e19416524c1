"""`python -m bench.profile [--jobs N]`: where our CPU goes per small txt job, in-process under cProfile.

Runs the upload function (Flask test client, no HTTP server) and then worker.tasks.process for each job
(no RQ, no fork) against a real redis-server and moto S3 server; prints CPU-ms per job of each side,
the share spent in S3 calls (botocore), Redis calls, and our own code, and the top functions.
cProfile inflates code made of many small calls (re.compile, pydantic); `python -m bench.sampling`
samples the real processes, RQ's bookkeeping included.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.data import small_texts
from bench.env import OURS_DB, BenchEnv

T = TypeVar("T")
# (label, module file suffix, function name) whose cumulative time is reported per job.
PARTS = (
    ("S3 calls (botocore)", "botocore/client.py", "_make_api_call"),
    ("Redis calls", "redis/client.py", "execute_command"),
    ("Redis pipelines", "redis/client.py", "execute"),
    ("Redis scripts", "redis/commands/core.py", "__call__"),
    ("RQ job built (core.tasks)", "core/tasks.py", "prepare"),
    ("analyze", "worker/analyze.py", "analyze"),
    ("batch manifest", "core/batches.py", "write_manifest"),
    ("lifecycle: create", "core/lifecycle/store.py", "create"),
    ("lifecycle: transitions", "core/lifecycle/store.py", "transition"),
    ("pydantic validation", "pydantic/main.py", "model_validate"),
    ("multipart parsing", "functions/forms.py", "parse"),
)


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    return sum(
        entry[3]
        for (path, _, func), entry in stats.stats.items()  # type: ignore[attr-defined]
        if path.endswith(suffix) and func == name
    )


def report(title: str, cpu_ms: float, counts: str, profile: cProfile.Profile, top: int) -> None:
    """CPU-ms per job measured without the profiler, and the profiled shares of the main parts."""
    stats = pstats.Stats(profile)
    profiled = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n## {title}: {cpu_ms:.1f} CPU-ms per job (measured without the profiler)\n  per job: {counts}")
    for label, suffix, name in PARTS:
        share = cumulative(stats, suffix, name) / profiled if profiled else 0
        if share:
            print(f"  {label:<22} {share:6.1%} of profiled CPU  ≈ {share * cpu_ms:5.1f} CPU-ms/job")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def measured(step: Callable[[T], Any], items: list[T], profile: cProfile.Profile | None = None) -> list[Any]:
    if profile is not None:
        profile.enable()
    try:
        return [step(item) for item in items]
    finally:
        if profile is not None:
            profile.disable()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="filejobs-profile-"))
    env = BenchEnv(work / "stack")
    try:
        os.environ.update(env.env(OURS_DB, S3_BUCKET=env.bucket("profile")))
        from rq.job import Job
        from rq.serializers import JSONSerializer

        from core.services import Services
        from core.settings import Settings
        from functions.app import create_app
        from worker import tasks
        from worker.runtime import Runtime

        logging.disable(logging.INFO)  # the pipeline logs each job; not what is measured here
        services = Services.build(Settings.from_env())
        client = create_app(services.settings, services).test_client()
        runtime = Runtime.in_process(services)

        def upload(body: bytes) -> str:
            reply = client.post("/uploads", data={"file": (io.BytesIO(body), "doc.txt")})
            return reply.get_json()["jobs"][0]["job_id"]

        def job_args(job_ids: list[str]) -> list[list[Any]]:
            redis = services.clients.redis
            return [Job.fetch(i, connection=redis, serializer=JSONSerializer).args for i in job_ids]

        def work_on(args: list[Any]) -> None:
            tasks.process(runtime, *args)

        s3_requests = [0]
        services.clients.s3.meta.events.register(
            "before-send.s3", lambda **_: s3_requests.__setitem__(0, s3_requests[0] + 1)
        )
        redis_calls = lambda: services.clients.redis.info("stats")["total_commands_processed"]  # noqa: E731

        for args_ in job_args([upload(b"warm up\n") for _ in range(5)]):
            work_on(args_)
        # Each side twice: once plain for its CPU per job, once under cProfile (CPU timer) for the shares.
        plain, profiled = small_texts(args.jobs, seed=1), small_texts(args.jobs, seed=2)
        sides = []
        for title, step in (
            ("upload function (POST /uploads, Flask test client)", upload),
            ("job pipeline (worker.tasks.process, no RQ, no fork)", work_on),
        ):
            calls0, s3_0, start = redis_calls(), s3_requests[0], time.process_time()
            plain = measured(step, plain)
            cpu_ms = (time.process_time() - start) * 1000 / args.jobs
            counts = ((redis_calls() - calls0 - 1) / args.jobs, (s3_requests[0] - s3_0) / args.jobs)
            profile = cProfile.Profile(time.process_time)
            profiled = measured(step, profiled, profile)
            sides.append((title, cpu_ms, counts, profile))
            if step is upload:
                plain, profiled = job_args(plain), job_args(profiled)
        for title, cpu_ms, (redis_per_job, s3_per_job), profile in sides:
            summary = f"{redis_per_job:.1f} Redis commands, {s3_per_job:.1f} S3 requests"
            report(title, cpu_ms, summary, profile, args.top)
    finally:
        env.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
