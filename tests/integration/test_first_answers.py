"""Answers a newcomer meets first: an empty batch says why, JSON ends in a newline, no false backlog."""

from __future__ import annotations

import re
import time

import requests

from tests.client import Api

WAIT_SECONDS = 30


def batch_when_done(api: Api, batch_id: str) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        batch = requests.get(api.url(f"/batches/{batch_id}"), timeout=10).json()
        if batch["status"] == "done":
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} not done within {WAIT_SECONDS} s: {batch}")


def test_a_batch_over_an_empty_prefix_says_nothing_is_there(api):
    reply = requests.post(api.url("/batches"), json={"prefix": "incoming/nothing-here-at-all/"}, timeout=10)
    assert reply.status_code == 202
    assert "Nothing is stored under 'incoming/nothing-here-at-all/'" in reply.json()["warning"]
    batch = batch_when_done(api, reply.json()["batch_id"])
    assert batch["total"] == 0 and "Check the prefix" in batch["warning"]


def test_a_batch_over_dropped_files_has_no_warning(api, s3, stack):
    s3.put_object(Bucket=stack.env["S3_BUCKET"], Key="incoming/first-answers/a.txt", Body=b"one two")
    reply = requests.post(api.url("/batches"), json={"prefix": "incoming/first-answers/"}, timeout=10)
    assert reply.status_code == 202 and "warning" not in reply.json()
    batch = batch_when_done(api, reply.json()["batch_id"])
    assert batch["total"] == 1 and "warning" not in batch


def test_json_replies_end_with_a_newline(api):
    job = api.process("newline.txt", b"ends well")
    for path in (
        "/healthz", "/config", "/openapi.json", f"/jobs/{job['job_id']}", f"/jobs/{job['job_id']}/result",
        "/jobs/" + "0" * 32, "/batches/nope",
    ):  # fmt: skip
        reply = requests.get(api.url(path), timeout=10)
        assert reply.headers["Content-Type"].startswith("application/json"), path
        assert reply.content.endswith(b"\n"), f"GET {path} ends without a newline"


def test_upload_expiry_checks_are_not_counted_as_a_scheduled_backlog(api):
    presigned = requests.post(
        api.url("/uploads/presign"), json={"filename": "later.txt", "size": 3}, timeout=10
    )
    assert presigned.status_code == 201
    metrics = requests.get(api.url("/metrics"), timeout=10).text
    scheduled = re.search(r'^filejobs_queue_depth\{state="scheduled"\} (\S+)$', metrics, re.M)
    expiries = re.search(r"^filejobs_upload_expiries_scheduled (\S+)$", metrics, re.M)
    assert scheduled and float(scheduled.group(1)) == 0, "an expiry check is no job waiting"
    assert expiries and float(expiries.group(1)) >= 1
