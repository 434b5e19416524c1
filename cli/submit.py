"""`filejobs submit`: presign, PUT from disk under one progress bar, start; --wait prints a table."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from cli.api import Api, ApiFailure
from cli.args import FAILED, OK
from cli.files import MISSING, collect, content_type, label
from cli.live import wait_live
from cli.multipart import send_big_file
from cli.parts import THRESHOLD_BYTES
from cli.progress import Progress, ProgressReader
from cli.render import jobs_table

ENDED = ("finished", "failed")
REFUSED = "refused"
Entry = tuple[str, dict[str, Any]]


def refusal(code: str, message: str) -> dict[str, Any]:
    """A file the API or the bucket refused before any job ran, shown like a failed job."""
    return {"status": REFUSED, "error": {"code": code, "message": message}}


def running(job: dict[str, Any]) -> bool:
    """A job that has an id and has not ended (refusals have no id)."""
    return bool(job.get("job_id")) and job.get("status") not in ENDED


def send_file(
    api: Api, path: Path, size: int, bar: Progress, args: argparse.Namespace | None = None
) -> dict[str, Any]:
    """Presign, upload and start one file (big ones in parts); the job as `start` or `complete` answers."""
    if args is not None and size > THRESHOLD_BYTES:
        return send_big_file(api, path, args.parallel, Path(args.resume_dir), bar)
    asked = {"filename": path.name, "size": size, "content_type": content_type(path)}
    ticket = api.post("/uploads/presign", asked)
    upload = ticket["upload"]
    with path.open("rb") as file:
        # An empty body goes as b"": a zero-length stream would be sent chunked, which S3 refuses.
        body = ProgressReader(file, size, bar) if size else b""
        api.put_upload(upload["url"], upload.get("headers") or {}, body)
    return api.call("POST", f"/jobs/{ticket['job_id']}/start", ok=(202,))


def size_of(path: Path) -> int:
    """The file's size, 0 when it cannot be read (sending it then reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def send_one(
    api: Api, path: Path, size: int, bar: Progress, args: argparse.Namespace | None = None
) -> dict[str, Any]:
    """The started job, or a refusal (noted above the bar) that does not stop the others."""
    name = label(path)
    try:
        return send_file(api, path, size, bar, args)
    except ApiFailure as exc:
        # Nothing answered, a wrong key, or a server fault: every other file would fail the same way.
        if exc.status is None or exc.status in (401, 403) or exc.status >= 500:
            raise
        bar.note(f"filejobs: {name}: {exc}")
        return refusal(exc.code, exc.message)
    except OSError as exc:
        bar.note(f"filejobs: {name}: {exc.strerror or exc}")
        return refusal("unreadable", str(exc.strerror or exc))


def send_all(
    api: Api, paths: list[Path], progress: bool, out: TextIO, err: TextIO, ids: bool = True,
    args: argparse.Namespace | None = None,
) -> list[Entry]:  # fmt: skip
    """Send every file under one bar on `err`; with `ids`, print `<job_id>\t<file>` as each starts."""
    entries: list[Entry] = []
    sizes = [size_of(path) for path in paths]
    with Progress(len(paths), sum(sizes), stream=err, enabled=None if progress else False) as bar:
        for path, size in zip(paths, sizes, strict=True):
            bar.start_file(label(path), size)
            job = send_one(api, path, size, bar, args)
            bar.end_file()
            if ids and job.get("job_id"):
                bar.note(f"{job['job_id']}\t{label(path)}", stream=out)
            entries.append((label(path), job))
    return entries


def wait_jobs(
    api: Api, entries: list[Entry], poll: float, timeout: float,
    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
) -> bool:  # fmt: skip
    """Poll every job until it ended, updating `entries` in place; False if `timeout` ran out first."""
    deadline = clock() + timeout
    while True:
        pending = [i for i, (_, job) in enumerate(entries) if running(job)]
        if not pending:
            return True
        if clock() >= deadline:
            return False
        sleep(poll)
        for index in pending:
            name, job = entries[index]
            try:
                entries[index] = (name, api.get(f"/jobs/{job['job_id']}"))
            except ApiFailure as exc:
                if exc.status is not None and exc.status < 500:
                    raise
                # The API restarting or Redis failing over: keep polling until the deadline.


def run(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The submit command; FAILED when a file was missing or refused, or (with --wait) a job failed."""
    files, skipped = collect(args.paths)
    for path, reason in skipped:
        print(f"filejobs: skipped {label(path)}: {reason}", file=err)
    missing = any(reason == MISSING for _, reason in skipped)
    if not files:
        print("filejobs: nothing to submit", file=err)
        return FAILED
    entries = send_all(api, files, not args.no_progress, out, err, ids=not args.wait, args=args)
    if args.wait:
        ended = wait_live(api, entries, args.poll, args.timeout, err)
        print(jobs_table(entries), file=out)
        if not ended:
            print(f"filejobs: gave up waiting after {args.timeout:g} s", file=err)
        good = all(job["status"] == "finished" for _, job in entries)
    else:
        good = all(job["status"] != REFUSED for _, job in entries)
    return OK if good and not missing else FAILED
