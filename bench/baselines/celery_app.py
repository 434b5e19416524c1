"""Baseline (a): the original project's design moved onto S3 — Flask + Celery (Redis broker/backend).

The upload endpoint PUTs the file to S3 and sends a task; the task GETs it, counts with
`sum(len(line.split()) for line in f)` and PUTs a result JSON. Run with:
    gunicorn 'bench.baselines.celery_app:app'   and   celery -A bench.baselines.celery_app worker -P prefork
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from flask import Flask, request

from bench.baselines.common import count_object, new_key, store_upload

celery = Celery(
    "baseline",
    broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"),
    backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/2"),
)
celery.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])


@celery.task(name="baseline.count", bind=True)
def count(self: Any, key: str) -> dict[str, Any]:
    return count_object(key, self.request.id)


@celery.task(name="baseline.noop")
def noop(*args: Any) -> None:
    return None


app = Flask(__name__)


@app.post("/uploads")
def upload() -> tuple[dict[str, Any], int]:
    file = request.files["file"]
    key = new_key(file.filename or "")
    store_upload(file.stream, key)
    task = count.delay(key)
    return {"jobs": [{"job_id": task.id, "key": key}]}, 202


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
