"""The command line's grammar: subcommands and options, parsed with argparse (no I/O here)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

from cli.runenv import SOURCE_KEY

DEFAULT_API = "http://127.0.0.1:8000"
DESCRIPTION = "Send files to the file-jobs API and follow their jobs."
# Exit codes (2 is argparse's own for bad usage).
OK, FAILED, USAGE, API_ERROR = 0, 1, 2, 3
EPILOG = (
    "Without --api or FILEJOBS_API, filejobs uses the embedded run's .embedded/env (in the current "
    "directory, else in the repository), which ./scripts/run writes. Exit codes: 0 all good, 1 a job "
    "failed, a file was refused or an id is unknown, 2 bad usage, 3 the API failed or could not be reached."
)
S3_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_REGION")


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def _count(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 32:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1 to 32")
    return number


def _resume_dir(env: Mapping[str, str]) -> str:
    """FILEJOBS_RESUME_DIR, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    if env.get("FILEJOBS_RESUME_DIR"):
        return env["FILEJOBS_RESUME_DIR"]
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return str(Path(cache) / "filejobs" / "uploads")


def _prefix(value: str) -> str:
    value = value.strip().lstrip("/")
    if not value:
        raise argparse.ArgumentTypeError("the prefix must not be empty")
    return value if value.endswith("/") else value + "/"


def _connection(parser: argparse.ArgumentParser, api: object, api_key: object, timeout: object) -> None:
    """--api, --api-key and --http-timeout (on subcommands with SUPPRESS, so they only override)."""
    parser.add_argument(
        "--api", default=api, help=f"base URL of the API (env FILEJOBS_API, .embedded/env, {DEFAULT_API})"
    )
    parser.add_argument("--api-key", default=api_key, help="sent as X-API-Key (env FILEJOBS_API_KEY)")
    parser.add_argument("--http-timeout", type=_positive, default=timeout, help="seconds per HTTP request")


def _waiting(parser: argparse.ArgumentParser, poll: float, timeout: float) -> None:
    parser.add_argument("--poll", type=_positive, default=poll, help=f"seconds between polls ({poll})")
    parser.add_argument("--timeout", type=_positive, default=timeout, help=f"give up after ({timeout:g} s)")


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    """The parser; defaults of --api and --api-key come from `env`."""
    parser = argparse.ArgumentParser(prog="filejobs", description=DESCRIPTION, epilog=EPILOG)
    _connection(parser, env.get("FILEJOBS_API") or DEFAULT_API, env.get("FILEJOBS_API_KEY") or None, 30.0)
    common = argparse.ArgumentParser(add_help=False)
    _connection(common, argparse.SUPPRESS, argparse.SUPPRESS, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    submit = sub.add_parser("submit", parents=[common], help="upload files and start jobs")
    submit.add_argument("paths", nargs="+", metavar="FILE|DIR", help="files, or folders searched recursively")
    submit.add_argument(
        "--wait", action="store_true",
        help="wait for every job to end, then print a table (instead of a line per job as it starts)",
    )  # fmt: skip
    submit.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    submit.add_argument(
        "--parallel", type=_count, default=4, metavar="N", help="parts of a big file sent at once (4)"
    )
    submit.add_argument(
        "--resume-dir", default=_resume_dir(env), metavar="DIR",
        help="where interrupted big uploads are recorded, so a re-run sends only the missing parts",
    )  # fmt: skip
    _waiting(submit, poll=0.5, timeout=600)

    status = sub.add_parser("status", parents=[common], help="print a job")
    status.add_argument("job_id")
    status.add_argument("--short", action="store_true", help="one human line instead of the job's JSON")

    watch = sub.add_parser("watch", parents=[common], help="print a batch's counts until it is done")
    watch.add_argument("batch_id")
    _waiting(watch, poll=1.0, timeout=3600)

    drop = sub.add_parser(
        "drop", parents=[common],
        help="copy a folder into the bucket's drop prefix (needs S3 credentials: AWS_* or .embedded/env)",
    )  # fmt: skip
    drop.add_argument("dir", metavar="DIR")
    drop.add_argument(
        "--s3-endpoint", default=env.get("AWS_ENDPOINT_URL") or None,
        help="S3 API endpoint (default: AWS_ENDPOINT_URL, else AWS)",
    )  # fmt: skip
    drop.add_argument("--bucket", default="jobs", help="bucket (jobs)")
    drop.add_argument("--prefix", type=_prefix, default="incoming/", help="key prefix (incoming/)")
    drop.add_argument("--region", default=env.get("AWS_REGION") or None, help="AWS region (boto3's chain)")
    drop.add_argument(
        "--batch", action="store_true",
        help="then POST /batches for the prefix and watch it (give each run its own --prefix)",
    )  # fmt: skip
    drop.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _waiting(drop, poll=1.0, timeout=3600)

    requeue = sub.add_parser("requeue", parents=[common], help="retry failed jobs (POST /jobs/<id>/retry)")
    requeue.add_argument("job_ids", nargs="*", metavar="JOB_ID", help="jobs to retry")
    requeue.add_argument("--batch", metavar="BATCH_ID", help="take the jobs from this batch")
    requeue.add_argument("--failed", action="store_true", help="only the failed jobs (required with --batch)")
    requeue.add_argument("--code", help="only jobs that failed with this error code")
    requeue.add_argument("--dry-run", action="store_true", help="list the jobs (id, file), retry none")

    sub.add_parser("stats", parents=[common], help="health, limits and metrics of the deployment")
    cancel = sub.add_parser("cancel", parents=[common], help="cancel a job, or every job of a batch")
    cancel.add_argument("id", metavar="JOB_ID|BATCH_ID")
    return parser


def parse(argv: Sequence[str], env: Mapping[str, str]) -> argparse.Namespace:
    """Parse `argv`; combinations argparse cannot express are refused here (exit 2)."""
    parser = build_parser(env)
    args = parser.parse_args(list(argv))
    if args.command == "requeue":
        if bool(args.job_ids) == bool(args.batch):
            parser.error("requeue: give JOB_IDs or --batch BATCH_ID (one of them)")
        if args.batch and not args.failed:
            parser.error("requeue --batch needs --failed: only failed jobs can be retried")
        if args.code and not args.batch:
            parser.error("requeue --code selects from --batch BATCH_ID")
    if not args.api.startswith(("http://", "https://")):
        parser.error(f"--api {args.api!r} must be an http:// or https:// URL")
    args.api = args.api.rstrip("/")
    from_file = env.get(SOURCE_KEY) and args.api == (env.get("FILEJOBS_API") or "").rstrip("/")
    args.settings_from = env.get(SOURCE_KEY) if from_file else None
    args.s3_env = {name: env[name] for name in S3_ENV if env.get(name)}
    return args
