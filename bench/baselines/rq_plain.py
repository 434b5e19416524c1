"""Baseline (b): plain RQ with its defaults (default forking `Worker`, pickle), doing the same work.

Its upload endpoint (PUT to S3, then one `Queue.enqueue`) is also the minimal Flask + boto3 endpoint
the upload benchmark compares our function with. Run with:
    gunicorn 'bench.baselines.rq_plain:app'   and   rq worker --url $REDIS_URL plain
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from flask import Flask, request
from redis import Redis
from rq import Queue, get_current_job

from bench.baselines.common import count_object, new_key, store_upload

QUEUE = "plain"


@cache
def queue() -> Queue:
    return Queue(QUEUE, connection=Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")))


def count(key: str) -> dict[str, Any]:
    return count_object(key, get_current_job().id)


app = Flask(__name__)


@app.post("/uploads")
def upload() -> tuple[dict[str, Any], int]:
    file = request.files["file"]
    key = new_key(file.filename or "")
    store_upload(file.stream, key)
    job = queue().enqueue(count, key)
    return {"jobs": [{"job_id": job.id, "key": key}]}, 202


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
