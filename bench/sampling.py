"""`python -m bench.sampling [--jobs N]`: where the real processes' CPU goes, sampled with py-spy.

Runs our system as the end-to-end benchmark does (functions under gunicorn, `python -m worker` ×2 unless
--workers says otherwise, on
SeaweedFS), attaches py-spy to the app and every worker, uploads N small txt files and sorts each
process's samples into named parts (first match from the top of a stack down wins). cProfile (see
bench.profile) inflates code made of many small Python calls, such as `re.compile`, several times
over; sampling does not, so the CPU-ms per part below add up to what /proc measures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import wait_for
from bench.data import small_texts
from bench.env import BenchEnv
from bench.httpload import job_id, multipart, post_all
from bench.procs import tree_cpu, wait_idle
from bench.systems import Ours

PY_SPY = Path(sys.executable).with_name("py-spy")
# (part, substring of a frame "function (file:line)"): the deepest frame that matches names the part.
PARTS = (
    ("multipart form parsing", "werkzeug/formparser.py"),
    ("multipart form parsing", "werkzeug/sansio/multipart.py"),
    ("JSON (de)serialising", "json/"),
    ("pydantic", "pydantic"),
    ("S3: botocore", "botocore/"),
    ("S3: urllib3/http", "urllib3/"),
    ("RQ: queue (enqueue, dequeue)", "rq/queue.py"),
    ("lifecycle scripts (redis-py)", "core/lifecycle/store.py"),
    ("Redis: redis-py", "redis/"),
    ("RQ: worker loop and job records", "rq/"),
    ("parser child IPC", "worker/isolation.py"),
    ("analyze (counting)", "worker/analyze.py"),
    ("Flask/werkzeug request", "werkzeug/"),
    ("Flask/werkzeug request", "flask/"),
    ("gunicorn", "gunicorn/"),
    ("logging", "logging/"),
    ("our code", "/core/"),
    ("our code", "/worker/"),
    ("our code", "/functions/"),
)
# Parts that name who called into a library: these outrank the library frames below them.
CALLERS = ("RQ: queue (enqueue, dequeue)", "lifecycle scripts (redis-py)", "multipart form parsing")


def part_of(stack: str) -> str:
    frames = stack.split(";")
    for part, needle in PARTS:
        if part in CALLERS and any(needle in frame for frame in frames):
            return part
    for frame in reversed(frames):
        for part, needle in PARTS:
            if part not in CALLERS and needle in frame:
                return part
    return "other (interpreter, stdlib)"


def read_samples(path: Path) -> Counter:
    parts: Counter = Counter()
    if not path.exists():
        return parts
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            parts[part_of(stack)] += int(count)
    return parts


def spy(pid: int, out: Path, rate: int) -> subprocess.Popen:
    # --gil: only samples holding the GIL, i.e. running Python (a thread blocked in I/O releases it).
    argv = [str(PY_SPY), "record", "--pid", str(pid), "--subprocesses", "--format", "raw",
            "--rate", str(rate), "--nonblocking", "--gil", "--output", str(out)]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sampling", description=__doc__)
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--rate", type=int, default=250, help="samples per second and process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="copy py-spy's raw stacks (one file per process) here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="filejobs-sampling-"))
    env = BenchEnv(work / "stack")
    system = Ours(env, "sampling")
    try:
        system.reset()
        url = system.start_app()
        system.start_workers(args.workers)
        warm = [job_id(s) for s in post_all(url, [multipart(f"w{i}.txt", b"warm\n") for i in range(16)], 4)]
        wait_for(lambda: len(system.ended([i for i in warm if i])) == len(warm), 60, "warm-up", 0.1)
        wait_idle(system.roots())
        roots = {"functions (gunicorn)": [system.app.proc.pid]}  # type: ignore[union-attr]
        roots["workers"] = [w.proc.pid for w in system.workers]  # type: ignore[union-attr]
        pairs = [(side, pid) for side, pids in roots.items() for pid in pids]
        spies = {(side, pid): spy(pid, work / f"{pid}.txt", args.rate) for side, pid in pairs}
        time.sleep(1.0)  # py-spy attached
        cpu0 = {side: tree_cpu(pids) for side, pids in roots.items()}
        before = system.ended_count()
        bodies = [multipart(f"doc-{i}.txt", body) for i, body in enumerate(small_texts(args.jobs))]
        sent = post_all(url, bodies, 8)
        ids = [i for i in map(job_id, sent) if i]
        ended = system.drain(ids, before, timeout=300)
        cpu = {side: tree_cpu(pids) - cpu0[side] for side, pids in roots.items()}
        time.sleep(0.5)
        for proc in spies.values():
            proc.send_signal(2)
        for proc in spies.values():
            proc.wait(timeout=30)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for (side, pid), _ in spies.items():
                name = f"{'app' if side.startswith('functions') else 'worker'}-{pid}.txt"
                if (work / f"{pid}.txt").exists():
                    shutil.copy(work / f"{pid}.txt", args.keep / name)
        finished = sum(status == "finished" for status, _ in ended.values())
        print(f"{len(ids)} of {args.jobs} uploads accepted, {finished} finished")
        for side, pids in roots.items():
            samples: Counter = Counter()
            for pid in pids:
                samples += read_samples(work / f"{pid}.txt")
            total = sum(samples.values()) or 1
            per_job = cpu[side] * 1000 / args.jobs
            print(f"\n## {side}: {per_job:.2f} CPU-ms per job (/proc), {total} samples")
            for part, count in samples.most_common():
                print(f"  {part:<34} {count / total:6.1%}  ≈ {per_job * count / total:5.2f} CPU-ms/job")
    finally:
        system.close()
        env.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
