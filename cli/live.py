"""`watch` and `submit --wait` fed by the event streams (polling where there are none), redrawn in place."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from cli.api import Api, ApiFailure
from cli.args import FAILED, OK
from cli.commands import batch_jobs, watch_batch
from cli.render import batch_line, failed_line
from cli.stream import NoStream, documents, ended

STREAMS_AT_ONCE = 8
Entry = tuple[str, dict[str, Any]]


class LiveLine:
    """One status line: rewritten in place on a terminal, printed once per change elsewhere."""

    def __init__(self, stream: TextIO, only_on_tty: bool = False) -> None:
        self.stream, self.shown = stream, ""
        self.tty = stream.isatty()
        self.silent = only_on_tty and not self.tty

    def show(self, text: str) -> None:
        if text == self.shown or self.silent:
            return
        self.shown = text
        self.stream.write(f"\r\x1b[K{text}" if self.tty else f"{text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def watch_live(
    api: Api, batch_id: str, poll: float, timeout: float, out: TextIO, err: TextIO, prefix: str = ""
) -> int:
    """Follow the batch over its stream until done; FAILED if a job failed (named without `prefix`).
    Polls if there is no stream."""
    line, batch = LiveLine(out), {"counts": {}}
    try:
        # The counts are all the line shows: a page of one job keeps each event small.
        for batch in documents(api, "batch", batch_id, timeout, query="?limit=1"):
            line.show(batch_line(batch))
            if ended("batch", batch):
                break
    except NoStream:
        return watch_batch(api, batch_id, poll, timeout, out, err, prefix=prefix)
    except TimeoutError:
        print(f"filejobs: gave up watching after {timeout:g} s", file=err)
        return FAILED
    finally:
        line.close()
    if not batch["counts"].get("failed"):
        return OK
    failed = [job for job in batch_jobs(api, batch_id) if job["status"] == "failed"]
    print(failed_line(failed, prefix), file=out, flush=True)
    return FAILED


def summary(entries: list[Entry]) -> str:
    """'3/5 ended (finished 2, failed 1, started 1, queued 1)' over the jobs of a submit."""
    jobs = [job for _, job in entries if job.get("job_id")]
    count = {
        s: sum(job.get("status") == s for job in jobs) for s in ("finished", "failed", "started", "queued")
    }
    ended_jobs = count["finished"] + count["failed"]
    return f"{ended_jobs}/{len(jobs)} ended ({', '.join(f'{k} {v}' for k, v in count.items())})"


def follow_job(
    api: Api, job_id: str, timeout: float, poll: float, update: Callable[[dict[str, Any]], None]
) -> None:
    """Feed `update` each state of the job until it ends: its stream, else polling."""
    deadline = time.monotonic() + timeout
    try:
        for job in documents(api, "job", job_id, timeout):
            update(job)
        return
    except NoStream:
        pass
    except TimeoutError:
        return
    while time.monotonic() < deadline:
        try:
            job = api.get(f"/jobs/{job_id}")
        except ApiFailure as exc:
            if exc.status is not None and exc.status < 500:
                raise
        else:
            update(job)
            if ended("job", job):
                return
        time.sleep(poll)


def wait_live(api: Api, entries: list[Entry], poll: float, timeout: float, err: TextIO) -> bool:
    """Follow every running job (updating `entries` in place) until all ended; False on timeout."""
    lock, line = threading.Lock(), LiveLine(err, only_on_tty=True)
    running = [i for i, (_, job) in enumerate(entries) if job.get("job_id") and not ended("job", job)]

    def follow(index: int) -> None:
        def update(job: dict[str, Any]) -> None:
            with lock:
                entries[index] = (entries[index][0], job)
                line.show(summary(entries))

        follow_job(api, entries[index][1]["job_id"], timeout, poll, update)

    with ThreadPoolExecutor(max_workers=STREAMS_AT_ONCE, thread_name_prefix="follow") as pool:
        futures = [pool.submit(follow, index) for index in running]
        for future in futures:
            future.result()
    line.close()
    return all(ended("job", job) for _, job in entries if job.get("job_id"))


def watch(api: Api, args: Any, out: TextIO, err: TextIO) -> int:
    """The watch command: the batch's stream, else polling."""
    return watch_live(api, args.batch_id, args.poll, args.timeout, out, err)
