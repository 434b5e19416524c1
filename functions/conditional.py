"""HTTP's async conventions, as pure helpers: ETags, If-None-Match, wait, event ids, SSE frames, headers."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Flask, Response, url_for

from functions.errors import ApiError

MAX_WAIT_SECONDS = 30
# How soon a client should look again at a job or batch that has not ended (seconds).
RETRY_AFTER_SECONDS = 1
RETRY_AFTER_UPLOAD_SECONDS = 5


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(doc: dict[str, Any]) -> str:
    """A strong ETag of the document (its canonical JSON), quoted as HTTP wants it."""
    return '"' + hashlib.blake2b(canonical(doc), digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET)."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)


def parse_wait(value: str | None) -> int | None:
    """The `wait` query parameter: None when absent, else 1..30 seconds (400 otherwise)."""
    if value is None:
        return None
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= MAX_WAIT_SECONDS:
        raise ApiError(400, "bad_request", f"`wait` is whole seconds, 1 to {MAX_WAIT_SECONDS}.")
    return seconds


def parse_event_id(value: str | None) -> int | None:
    """A Last-Event-ID this server handed out (a non-negative integer); anything else is ignored."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def version_of(*stamps: str | None) -> int:
    """An event id from the latest of some ISO timestamps: microseconds since the epoch."""
    best = 0
    for stamp in stamps:
        if stamp:
            try:
                best = max(best, int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1e6))
            except ValueError:
                continue
    return best


def event_data(doc: dict[str, Any]) -> str:
    """An event's data: the document's JSON on one line (so one `data:` field)."""
    return json.dumps(doc, ensure_ascii=False)


def sse_frame(data: str, event_id: int, retry_ms: int | None = None) -> str:
    """One `status` event of a text/event-stream."""
    head = f"retry: {retry_ms}\n" if retry_ms else ""
    return f"{head}id: {event_id}\nevent: status\ndata: {data}\n\n"


def sse_event(doc: dict[str, Any], event_id: int, retry_ms: int | None = None) -> str:
    return sse_frame(event_data(doc), event_id, retry_ms)


def retry_after(doc: dict[str, Any]) -> int:
    return RETRY_AFTER_UPLOAD_SECONDS if doc.get("status") == "awaiting_upload" else RETRY_AFTER_SECONDS


def add_status_headers(response: Response, status_url: str, doc: dict[str, Any]) -> Response:
    """`Location` and `Retry-After`: where to look next, and when."""
    response.headers["Location"] = status_url
    response.headers["Retry-After"] = str(retry_after(doc))
    return response


def status_url_of(body: Any) -> str | None:
    """The status URL a 202's body points at: its `status_url`, its job's, or its batch's."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("status_url"), str):
        return body["status_url"]
    if isinstance(body.get("job_id"), str):
        return url_for("jobs.get_job", job_id=body["job_id"], _external=True)
    if isinstance(body.get("batch_id"), str):
        return url_for("batches.get_batch", batch_id=body["batch_id"], _external=True)
    return None


def install(app: Flask) -> None:
    """Give every 202 a `Location` and a `Retry-After`, whichever view answered it."""

    @app.after_request
    def accepted_headers(response: Response) -> Response:
        if response.status_code != 202 or "Location" in response.headers or not response.is_json:
            return response
        body = response.get_json(silent=True)
        url = status_url_of(body)
        return add_status_headers(response, url, body) if url else response
