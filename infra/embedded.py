"""`python -m infra.embedded`: the whole system on this machine, no Docker, no accounts; Ctrl-C stops it."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from infra.processes import ROOT, port_is_free
from infra.stack import Stack

DEFAULT_PORT = 8000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/run", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default 8000, else a free one)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--data", type=Path, default=ROOT / ".embedded", help="folder for Redis data and logs"
    )
    return parser.parse_args(argv)


def banner(stack: Stack) -> str:
    url, env = stack.base_url, stack.env
    s3 = env["S3_ENDPOINT_URL"]
    return f"""
Embedded run is up ({len(stack.workers)} workers). Logs: {stack.base_dir / "logs"}
  page:     {url}/
  upload:   curl -F file=@report.pdf {url}/uploads
  status:   curl {url}/jobs/<job_id>
  API spec: {url}/openapi.json
  S3:       {s3} bucket {env["S3_BUCKET"]}
            AWS_ACCESS_KEY_ID={env["AWS_ACCESS_KEY_ID"]} AWS_SECRET_ACCESS_KEY={env["AWS_SECRET_ACCESS_KEY"]}
            (moto keeps objects in memory: they are gone after a restart)
  drop:     aws --endpoint-url {s3} s3 cp --recursive DIR s3://{env["S3_BUCKET"]}/incoming/
  Redis:    {env["REDIS_URL"]} (append-only file in {stack.base_dir / "redis"})
Press Ctrl-C to stop everything.
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    port = args.port or (DEFAULT_PORT if port_is_free(DEFAULT_PORT) else None)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "S3_ENDPOINT_URL", "HOST", "PORT")}
    stack = Stack(args.data, env, http_port=port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.start(workers=args.workers)
        print(banner(stack), flush=True)
        while all(service.running for service in [stack.redis, stack.s3, stack.functions]):
            time.sleep(1)
        print("a service stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
