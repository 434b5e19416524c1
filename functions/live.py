"""Status as HTTP clients expect it: ETag and 304, `?wait=N` long polls, and server-sent events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, stream_with_context, url_for

from core import ids, layout
from core.models import ENDED, BatchStatus
from functions import conditional as http
from functions.batches import batch_document, page_args
from functions.context import services
from functions.errors import ApiError
from functions.jobs import existing
from functions.security import current_tenant
from functions.watch import ChangeHub, Watcher

bp = Blueprint("live", __name__)
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 1000


@dataclass(frozen=True)
class Loaded:
    """A document as read once, with its version (the event id); shared by every watcher of it."""

    doc: dict[str, Any]
    version: int

    @cached_property
    def etag(self) -> str:
        return http.etag_of(self.doc)

    @cached_property
    def data(self) -> str:
        return http.event_data(self.doc)

    @cached_property
    def body(self) -> bytes:
        """The document as `GET` answers it (jsonify's bytes), serialized once for every long poll."""
        return current_app.json.response(self.doc).get_data()


@dataclass(frozen=True)
class Watched:
    """A job or batch as something to read, watch and tell ended."""

    topic: str
    url: str
    load: Callable[[], Loaded]
    ended: Callable[[dict[str, Any]], bool]
    key: str = ""  # what else the document depends on (a batch's page)

    def shared_load(self) -> Loaded:
        """The document, read once for all of this process's watchers of it (call while watching)."""
        return hub().shared(self.topic, self.key, self.load)


def hub() -> ChangeHub:
    return current_app.extensions["status_hub"]


def install(app: Flask) -> None:
    """One change hub per process; it connects (and starts listening) on first use, after any fork."""
    svc = app.extensions["jobs"]

    def heard(message: bytes) -> None:  # the finished records are fed the results the changes carry
        svc.lifecycle.store.finished.keep_announced(message)

    app.extensions["status_hub"] = ChangeHub(lambda: svc.clients.redis, heard)
    app.register_blueprint(bp)


def job_watched(job_id: str) -> Watched:
    def load() -> Loaded:
        doc = existing(job_id).dump()
        return Loaded(doc, http.version_of(doc.get("updated_at")))

    url = url_for("jobs.get_job", job_id=job_id, _external=True)
    # A shared read is shared only within one tenant: the owner check ran for the reader's key.
    ended = lambda doc: doc["status"] in ENDED  # noqa: E731
    return Watched(layout.job_channel(job_id), url, load, ended, key=current_tenant())


def batch_watched(batch_id: str) -> Watched:
    svc = services()
    offset, limit = page_args()

    def load() -> Loaded:
        doc, stamps = batch_document(svc, batch_id, offset, limit)
        return Loaded(doc, http.version_of(*stamps))

    def ended(doc: dict[str, Any]) -> bool:
        return doc["status"] == BatchStatus.DONE

    # A one-file upload's batch is its one job: its changes are the job's.
    single = ids.job_of_single_batch(batch_id)
    topic = layout.job_channel(single) if single else layout.batch_channel(batch_id)
    url = url_for("batches.get_batch", batch_id=batch_id, _external=True)
    return Watched(topic, url, load, ended, key=f"{current_tenant()}:{offset}:{limit}")


def wait_for_change(watched: Watched, if_none_match: str | None, seconds: int) -> Loaded:
    """The document once it differs from `if_none_match` (or, without one, has ended), or after `seconds`."""

    def answered(loaded: Loaded) -> bool:
        if if_none_match:
            return not http.matches(if_none_match, loaded.etag)
        return watched.ended(loaded.doc)

    deadline = time.monotonic() + seconds
    with hub().watch(watched.topic) as watcher:
        loaded = watched.shared_load()
        while not answered(loaded):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if watcher.wait(remaining):
                loaded = watched.shared_load()
    return loaded


def respond(watched: Watched) -> Response:
    """GET of a job or batch: 304 when If-None-Match names it; with `wait`, held until it changes."""
    seconds = http.parse_wait(request.args.get("wait"))
    if_none_match = request.headers.get("If-None-Match")
    loaded = watched.load() if seconds is None else wait_for_change(watched, if_none_match, seconds)
    doc, etag = loaded.doc, loaded.etag
    # After a wait that saw no change the contract answers with the unchanged document, not a 304.
    unchanged = seconds is None and http.matches(if_none_match, etag)
    mimetype = current_app.json.mimetype  # type: ignore[attr-defined]
    response = Response(status=304) if unchanged else Response(loaded.body, mimetype=mimetype)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    if not watched.ended(doc):
        http.add_status_headers(response, watched.url, doc)
    return response


def events(watched: Watched, watcher: Watcher, first: Loaded, last_id: int | None) -> Iterator[str]:
    """The event stream: the document now (unless Last-Event-ID has it), each change, then the end."""
    sent_etag, sent_id = None, last_id or 0
    loaded: Loaded | None = first
    while True:
        if loaded is not None:
            seen = sent_etag is None and last_id is not None and loaded.version <= last_id
            if loaded.etag != sent_etag and not seen:
                retry = RETRY_MS if sent_id == (last_id or 0) else None
                sent_id = max(loaded.version, sent_id + 1)
                yield http.sse_frame(loaded.data, sent_id, retry)
            sent_etag = loaded.etag
            if watched.ended(loaded.doc):
                return
        if not watcher.wait(HEARTBEAT_SECONDS):
            loaded = None
            yield ": keep-alive\n\n"
            continue
        try:
            loaded = watched.shared_load()
        except ApiError:
            return  # the job or batch is gone


def stream(watched: Watched) -> Response:
    """`text/event-stream` of a job or batch; 404 (before any event) when there is none."""
    last_id = http.parse_event_id(request.headers.get("Last-Event-ID"))
    watching = ExitStack()  # from before the first read until the response is closed
    watcher = watching.enter_context(hub().watch(watched.topic))
    try:
        first = watched.shared_load()
    except BaseException:
        watching.close()
        raise
    body = stream_with_context(events(watched, watcher, first, last_id))
    response = Response(body, mimetype="text/event-stream")
    response.call_on_close(watching.close)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response


@bp.get("/jobs/<job_id>/events")
def job_events(job_id: str):
    return stream(job_watched(job_id))


@bp.get("/batches/<batch_id>/events")
def batch_events(batch_id: str):
    return stream(batch_watched(batch_id))
