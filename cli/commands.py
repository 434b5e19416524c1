"""`status`, `watch`, `requeue` and `stats`: small commands over the HTTP API."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any, TextIO

from cli.api import Api, ApiFailure
from cli.args import API_ERROR, FAILED, OK
from cli.render import (
    batch_line,
    error_code,
    failed_line,
    health_lines,
    job_name,
    nothing_to_requeue,
    parse_metrics,
    short_job,
)

PAGE = 1000  # the API's largest page of a batch's jobs


def status(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print a job as JSON, or as one line with --short; 1 for an unknown id, whatever the job's status."""
    try:
        job = api.get(f"/jobs/{args.job_id}")
    except ApiFailure as exc:
        if exc.status != 404:
            raise
        print(f"filejobs: {exc}", file=err)
        return FAILED
    print(short_job(job) if args.short else json.dumps(job, indent=2), file=out)
    return OK


def watch_batch(
    api: Api, batch_id: str, poll: float, timeout: float, out: TextIO, err: TextIO,
    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
    prefix: str = "",
) -> int:  # fmt: skip
    """Show the batch's counts until it is done, on one line redrawn in place when `out` is a terminal
    (else a line per change); then name the failed files. FAILED if any job failed."""
    in_place = out.isatty()
    deadline, last = clock() + timeout, ""
    while True:
        batch = api.get(f"/batches/{batch_id}", limit=1)
        line = batch_line(batch)
        if line != last:
            out.write(("\r\x1b[K" + line) if in_place else line + "\n")
            out.flush()
            last = line
        if batch["status"] == "done" or clock() >= deadline:
            break
        sleep(poll)
    if in_place:
        out.write("\n")
    if batch["status"] != "done":
        print(f"filejobs: gave up watching after {timeout:g} s", file=err)
        return FAILED
    if not batch["counts"].get("failed"):
        return OK
    failed = [job for job in batch_jobs(api, batch_id) if job["status"] == "failed"]
    print(failed_line(failed, prefix), file=out, flush=True)
    return FAILED


def watch(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The watch command."""
    return watch_batch(api, args.batch_id, args.poll, args.timeout, out, err)


def batch_jobs(api: Api, batch_id: str) -> list[dict[str, Any]]:
    """Every job of a batch, page after page."""
    jobs: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = api.get(f"/batches/{batch_id}", offset=offset, limit=PAGE)
        jobs += page["jobs"]
        offset += PAGE
        if offset >= page["total"]:
            return jobs


def select_failed(jobs: list[dict[str, Any]], code: str | None) -> list[str]:
    """Ids of the failed jobs, only those with error `code` when given."""
    return [job["job_id"] for job in jobs if job["status"] == "failed" and code in (None, error_code(job))]


def missing_route(api: Api, job_id: str, exc: ApiFailure) -> ApiFailure | None:
    """A 404/405 for a job that exists: the deployment has no retry endpoint (fatal for every job)."""
    if exc.status not in (404, 405) or api.send("GET", f"/jobs/{job_id}").status_code != 200:
        return None
    message = f"this deployment has no POST /jobs/<id>/retry ({exc.message})"
    return ApiFailure(message, "not_supported", exc.status)


def chosen_jobs(api: Api, args: argparse.Namespace, err: TextIO) -> list[dict[str, Any]]:
    """The jobs to retry: those named (looked up for their names only in a dry run), or the batch's
    failed ones with the code asked for; says precisely why when there are none."""
    if args.job_ids:
        lookup = args.dry_run
        return [api.get(f"/jobs/{job_id}") if lookup else {"job_id": job_id} for job_id in args.job_ids]
    jobs = batch_jobs(api, args.batch)
    chosen = [job for job in jobs if job["job_id"] in select_failed(jobs, args.code)]
    if not chosen:
        print(f"filejobs: {nothing_to_requeue(jobs, args.batch, args.code)}", file=err)
    return chosen


def requeue(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """POST /jobs/<id>/retry for each job given or each failed job of the batch."""
    jobs = chosen_jobs(api, args, err)
    if args.dry_run:
        for job in jobs:
            print(f"{job['job_id']}\t{job_name(job)}\t{error_code(job)}".rstrip(), file=out)
        return OK
    refused = 0
    for job_id in (job["job_id"] for job in jobs):
        try:
            job = api.post(f"/jobs/{job_id}/retry")
        except ApiFailure as exc:
            if exc.status is None or exc.status >= 500:
                raise
            if unsupported := missing_route(api, job_id, exc):
                raise unsupported from None
            print(f"filejobs: {job_id}: {exc}", file=err)
            refused += 1
            continue
        print(f"{job_id}\t{job.get('status', '?')}", file=out, flush=True)
    return FAILED if refused else OK


def stats(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Health and limits from /healthz, then /metrics' samples when the deployment exposes them."""
    reply = api.send("GET", "/healthz")
    try:
        health = reply.json()
    except ValueError:
        health = {"status": f"HTTP {reply.status_code}"}
    for line in health_lines(health):
        print(line, file=out)
    metrics = api.send("GET", "/metrics")
    if metrics.status_code == 404:
        print("metrics: not exposed by this deployment (GET /metrics answered 404)", file=out)
    elif not metrics.ok:
        print(f"metrics: unavailable (GET /metrics answered {metrics.status_code})", file=out)
    else:
        print("metrics:", file=out)
        for name, value in parse_metrics(metrics.text):
            print(f"  {name} {value}", file=out)
    if reply.status_code != 200:
        message = (health.get("error") or {}).get("message", f"GET /healthz answered {reply.status_code}")
        print(f"filejobs: {message}", file=err)
        return API_ERROR
    return OK
