"""AWS Lambda entry points: the Flask app behind API Gateway, and S3 notifications (direct or via SQS/SNS).

Nothing is built at import: the app and the clients are made on the first call and kept for the
container's life, so importing this module needs no Redis, S3 or settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from core.intake import ingest_event
from core.s3events import parse_event
from core.services import Services
from core.settings import Settings

log = logging.getLogger(__name__)
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def http_handler_for(app: Flask) -> LambdaHandler:
    """Wrap a WSGI app for API Gateway (payload 1.0 or 2.0) and ALB; binary bodies base64-encoded."""
    return make_lambda_handler(app)


@cache
def _http_handler() -> LambdaHandler:
    from functions.app import create_app

    return http_handler_for(create_app())


@cache
def _services() -> Services:
    return Services.build(Settings.from_env())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The HTTP functions for API Gateway's HTTP API; the app is built on the first call."""
    return _http_handler()(event, context)


def s3_notifications(event: dict[str, Any]) -> Iterator[Any]:
    """The S3 notifications in a Lambda event: the event itself, or each SQS message (SNS-wrapped or not)."""
    records = event.get("Records")
    if not isinstance(records, list) or not any(_is_sqs(record) for record in records):
        yield event
        return
    for record in records:
        body = json.loads(record["body"]) if _is_sqs(record) else {"Records": [record]}
        if isinstance(body, dict) and body.get("Type") == "Notification" and "Message" in body:
            body = json.loads(body["Message"])
        yield body


def _is_sqs(record: Any) -> bool:
    return isinstance(record, dict) and record.get("eventSource") == "aws:sqs"


def s3_handler(event: dict[str, Any], context: Any, services: Services | None = None) -> dict[str, Any]:
    """S3-triggered Lambda: each created object becomes a job, the code path of `POST /events`.

    A malformed notification raises (EventFormatError), so Lambda retries it or sends it to the DLQ.
    """
    svc = services or _services()
    jobs: list[dict[str, Any]] = []
    reasons: list[str] = []
    for body in s3_notifications(event):
        reply = ingest_event(svc, parse_event(body, svc.settings.s3_bucket))
        jobs += reply["jobs"]
        reasons += reply["reasons"]
    if reasons:
        log.info("s3 event: %d jobs, %d ignored: %s", len(jobs), len(reasons), "; ".join(reasons[:10]))
    return {"jobs": jobs, "ignored": len(reasons), "reasons": reasons}
