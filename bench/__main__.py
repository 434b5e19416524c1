"""`python -m bench [NAME ...] [--quick]`: run the benchmarks, print a table, write bench/results/."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report, targets
from bench.common import ROOT, Context, Result

# Name on the command line -> module; in the order they run (those without the stack first).
BENCHMARKS = {
    "counting": "bench.counting",
    "pdf": "bench.pdf",
    "rtf": "bench.rtf",
    "language": "bench.language",
    "s3": "bench.s3ceiling",
    "queue": "bench.queueonly",
    "endtoend": "bench.endtoend",
    "grouping": "bench.grouping",
    "upload": "bench.upload",
    "memory": "bench.memory",
    "redismem": "bench.redismem",
    "live": "bench.live",
}
RESULTS = ROOT / "bench" / "results"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs and fewer jobs (about 2 min)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (inputs, logs)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    return args


def run_one(name: str, ctx: Context) -> Result:
    start, load = time.monotonic(), _load()
    print(f"== {name} ...", file=sys.stderr, flush=True)
    try:
        result = importlib.import_module(BENCHMARKS[name]).run(ctx)
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not lose the others' figures
        result = Result(name, notes=[f"failed: {type(exc).__name__}: {exc}"])
    result.seconds = round(time.monotonic() - start, 1)
    result.notes.append(f"load average (1 min) before {load}, after {_load()} on {os.cpu_count()} cores")
    print(f"   {name} took {result.seconds:.0f} s", file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = args.names or list(BENCHMARKS)
    work_dir = Path(tempfile.mkdtemp(prefix="filejobs-bench-"))
    ctx = Context(quick=args.quick, work_dir=work_dir, env_factory=lambda: _env(work_dir))
    started = datetime.now(UTC)
    results = {
        "started": started.isoformat(),
        "quick": args.quick,
        "machine": report.machine(),
        "versions": report.versions(),
        "benchmarks": {},
    }
    try:
        for name in [n for n in BENCHMARKS if n in names]:
            results["benchmarks"][name] = dataclasses.asdict(run_one(name, ctx))
    finally:
        if ctx._env is not None:
            ctx._env.close()
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            print(f"scratch folder kept: {work_dir}", file=sys.stderr)
    results["targets"] = targets.evaluate(results["benchmarks"])
    results["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    report.write(results, RESULTS / "latest.json")
    report.write(results, RESULTS / f"run-{started:%Y%m%dT%H%M%S}{'-quick' if args.quick else ''}.json")
    print(report.render(results))
    print(f"total {results['seconds']:.0f} s; written to {RESULTS / 'latest.json'}")
    return 0


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _env(work_dir: Path):
    from bench.env import BenchEnv

    return BenchEnv(work_dir / "stack")


if __name__ == "__main__":
    sys.exit(main())
