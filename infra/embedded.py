"""`python -m infra.embedded`: the whole system on this machine, no Docker, no accounts; Ctrl-C stops it."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from infra.processes import ROOT, port_is_free
from infra.runfiles import (
    DataDirError,
    check_writable,
    export_lines,
    exports,
    load_secrets,
    lock,
    write_env_file,
)
from infra.s3server import SERVERS
from infra.seaweed import GRPC_OFFSET, WeedError
from infra.stack import Stack

DEFAULT_PORT = 8000
DEFAULT_S3_PORT = 8333
FUNCTIONS_WORKERS = 2
# The run decides these itself; a value inherited from the shell would point it elsewhere.
NOT_INHERITED = ("REDIS_URL", "S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "HOST", "PORT", "AWS_")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/run", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="the functions (default 8000, else next free)")
    parser.add_argument("--s3-port", type=int, default=None, help="S3 (default 8333, else next free)")
    parser.add_argument("--s3", choices=SERVERS, default="seaweedfs", help="S3 server (default seaweedfs)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--data", type=Path, default=ROOT / ".embedded", help="Redis AOF, S3 data, logs (default .embedded/)"
    )
    return parser.parse_args(argv)


def next_free(start: int, *offsets: int) -> int:
    """`start` or the next port after it that is free (with `port + offset` free too for each offset)."""
    port = start
    while not all(port_is_free(port + offset) for offset in (0, *offsets)):
        port += 1
    return port


def banner(stack: Stack, env_file: Path) -> str:
    url, env = stack.base_url, stack.env
    s3 = env["S3_ENDPOINT_URL"]
    kept = (
        f"on disk in {stack.base_dir / 's3'}; signed requests only"
        if stack.s3_server == "seaweedfs"
        else "moto keeps objects in memory: they are gone after a restart"
    )
    return f"""
Embedded run is up ({len(stack.workers)} workers, S3: {stack.s3_server}). Logs: {stack.base_dir / "logs"}
  page:     {url}/
  upload:   curl -F file=@report.pdf {url}/uploads
  status:   curl {url}/jobs/<job_id>
  API spec: {url}/openapi.json
  S3:       {s3} bucket {env["S3_BUCKET"]} ({kept})
  drop:     aws s3 cp --recursive DIR s3://{env["S3_BUCKET"]}/incoming/
  Redis:    {env["REDIS_URL"]} (append-only file in {stack.base_dir / "redis"})
In another shell (or `source {env_file}`):
{export_lines(exports(env, url))}
Press Ctrl-C to stop everything.
"""


def run_env(secrets: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}
    return {**env, **secrets}


def build_stack(args: argparse.Namespace) -> Stack:
    secrets = load_secrets(args.data)
    s3_offsets = (GRPC_OFFSET,) if args.s3 == "seaweedfs" else ()
    for flag, chosen, offsets in (("--port", args.port, ()), ("--s3-port", args.s3_port, s3_offsets)):
        taken = [chosen + o for o in (0, *offsets) if chosen and not port_is_free(chosen + o)]
        if taken:
            raise RuntimeError(f"port {taken[0]} ({flag} {chosen}) is taken by another process")
    port = args.port or next_free(DEFAULT_PORT)
    s3_port = args.s3_port or next_free(DEFAULT_S3_PORT, *s3_offsets)
    return Stack(
        args.data, run_env(secrets), http_port=port, s3_server=args.s3, s3_port=s3_port,
        functions_workers=FUNCTIONS_WORKERS,
    )  # fmt: skip


def say(stack: Stack, message: str) -> None:
    """To the terminal and to the run's own log."""
    print(f"scripts/run: {message}", file=sys.stderr, flush=True)
    with open(stack.log("run"), "a") as log:
        log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}\n")


def watch(stack: Stack) -> int:
    """Until Ctrl-C: restart the S3 server if it dies (its data stays on disk); stop if anything else does."""
    while True:
        time.sleep(1)
        if stack.s3 is not None and not stack.s3.running:
            code = stack.s3.proc.returncode if stack.s3.proc else None
            say(stack, f"the S3 server ({stack.s3_server}) exited with code {code}; restarting it")
            stack.start_s3()
            say(stack, f"the S3 server is back on {stack.env['S3_ENDPOINT_URL']}")
        stopped = [s.name for s in [stack.redis, stack.functions] if s is None or not s.running]
        if stopped:
            say(stack, f"{', '.join(stopped)} stopped; shutting down")
            return 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started from a script
    stack: Stack | None = None
    try:
        check_writable(args.data)
        held = lock(args.data)  # noqa: F841 - released when the process exits
        stack = build_stack(args)
        print(f"scripts/run: starting Redis, {args.s3}, the functions and workers in {args.data}", flush=True)
        stack.start(workers=args.workers)
        env_file = write_env_file(args.data, exports(stack.env, stack.base_url))
        print(banner(stack, env_file), flush=True)
        return watch(stack)
    except (WeedError, DataDirError, RuntimeError, TimeoutError) as exc:
        print(f"scripts/run: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
