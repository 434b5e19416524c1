"""Following a job or a batch: its event stream, resumed after a drop, else polling."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import urllib3

from cli import sse
from cli.api import Api, ApiFailure, failure_of

ENDED = {"job": ("finished", "failed"), "batch": ("done",)}
COLLECTION = {"job": "jobs", "batch": "batches"}
# The server sends a comment every 15 s: a read that waits longer than this means the line is dead.
READ_TIMEOUT = 45.0
RECONNECTS = 5
CHUNK_BYTES = 65536


class NoStream(Exception):
    """The deployment does not serve this stream (an older server, or a proxy in the way)."""


def ended(kind: str, doc: dict[str, Any]) -> bool:
    """Whether the job or batch document is in an ending state."""
    return doc.get("status") in ENDED[kind]


def open_stream(api: Api, path: str, last_id: str | None, read_timeout: float) -> requests.Response:
    """GET the stream; NoStream unless it answers 200 text/event-stream."""
    headers = {"Accept": "text/event-stream"}
    if last_id:
        headers["Last-Event-ID"] = last_id
    try:
        timeout = (api.timeout, read_timeout)
        reply = api.http.get(api.base + path, headers=headers, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise ApiFailure(f"GET {path} failed ({type(exc).__name__})", "unreachable") from None
    if reply.status_code in (401, 403):
        raise failure_of(reply)
    if reply.status_code != 200 or not reply.headers.get("Content-Type", "").startswith("text/event-stream"):
        reply.close()
        raise NoStream(f"GET {path} answered {reply.status_code}")
    return reply


def arrivals(reply: requests.Response) -> Iterator[bytes]:
    """The body as it arrives (read1: whatever is there, without waiting to fill a buffer)."""
    while chunk := reply.raw.read1(CHUNK_BYTES):
        yield chunk


def documents(
    api: Api, kind: str, ident: str, timeout: float, clock: Callable[[], float] = time.monotonic,
    query: str = "",
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Each state of the job or batch as the stream sends it, until it ends (`query`: e.g. a page).

    NoStream if the deployment has no stream; TimeoutError once `timeout` seconds have passed.
    """
    path = f"/{COLLECTION[kind]}/{ident}/events{query}"
    deadline, last_id, drops = clock() + timeout, None, 0
    while True:
        left = deadline - clock()
        if left <= 0:
            raise TimeoutError(f"{kind} {ident} did not end within {timeout:g} s")
        reply = open_stream(api, path, last_id, min(READ_TIMEOUT, max(1.0, left)))
        try:
            for event in sse.parse(sse.split_lines(arrivals(reply)), last_id):
                last_id, drops = event.id, 0
                if event.event != "status":
                    continue
                doc = json.loads(event.data)
                yield doc
                if ended(kind, doc):
                    return
                if clock() >= deadline:
                    raise TimeoutError(f"{kind} {ident} did not end within {timeout:g} s")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError):
            pass  # the line dropped, went quiet or tore an event: reconnect from the last id
        finally:
            reply.close()
        drops += 1
        if drops > RECONNECTS:
            raise ApiFailure(f"the stream {path} kept dropping", "unreachable")
