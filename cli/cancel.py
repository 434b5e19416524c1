"""`filejobs cancel ID`: cancel a job, or every job of a batch, that has not ended."""

from __future__ import annotations

import argparse
from typing import TextIO

from cli.api import Api, failure_of
from cli.args import FAILED, OK
from cli.render import batch_line, short_job


def run(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """POST /jobs/<id>/cancel, or /batches/<id>/cancel when no job has that id; FAILED if it had ended."""
    for kind in ("jobs", "batches"):
        reply = api.send("POST", f"/{kind}/{args.id}/cancel")
        if reply.status_code == 404 and kind == "jobs":
            continue
        if reply.status_code == 409:
            print(f"filejobs: {args.id}: {failure_of(reply).message}", file=err)
            return FAILED
        if reply.status_code not in (200, 202):
            raise failure_of(reply)
        doc = reply.json()
        print(batch_line(doc) if "batch_id" in doc and "job_id" not in doc else short_job(doc), file=out)
        return OK
    raise AssertionError("unreachable")
