"""Callbacks: when a job or batch ends, its status JSON is POSTed to the URL its submitter gave.

Deliveries are queued on their own queue (and worker), signed with HMAC-SHA256, and retried
with backoff by RQ, so a slow or failing receiver never holds up file processing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

from rq import Retry

from core import records as rec
from core.jobqueue import make_queue
from core.services import Services

DELIVER_TASK = "worker.tasks.deliver_callback"
RETRY_INTERVALS = [5, 30, 120, 600, 1800]
MAX_URL_LENGTH = 2048


class CallbackError(ValueError):
    """A callback URL that cannot be accepted."""


def check_url(url: Any, secret: str | None) -> str:
    """The URL if callbacks can be sent to it, else CallbackError saying why."""
    if not secret:
        raise CallbackError("Callbacks are not enabled here (CALLBACK_SECRET is not set).")
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise CallbackError("`callback_url` must be an http(s) URL of at most 2048 characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackError("`callback_url` must be an http(s) URL of at most 2048 characters.")
    return url


def public_host(host: str) -> bool:
    """Whether every address `host` resolves to is a public one (no loopback, private, link-local...)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    return bool(addresses) and all(address.is_global for address in addresses)


def signature(secret: str, body: bytes) -> str:
    """The X-Signature header value: `sha256=` and the hex HMAC of the exact body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def enqueue(services: Services, url: str, event: str, payload: dict[str, Any]) -> None:
    queue = make_queue(services.clients.redis, services.settings, services.settings.callback_queue)
    queue.enqueue(
        DELIVER_TASK,
        url,
        event,
        payload,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        result_ttl=0,
        failure_ttl=services.settings.record_ttl_seconds,
    )


def notify_job(services: Services, job_id: str) -> None:
    """Queue the callback of an ended job, if its submitter asked for one."""
    record = services.records.get(job_id)
    if record and record.get("callback_url") and record["status"] in rec.ENDED:
        enqueue(services, record["callback_url"], f"job.{record['status']}", rec.public_view(record))


def notify_batch(services: Services, batch: dict[str, str], summary: dict[str, Any]) -> None:
    """Queue the callback of a batch that is done, if its submitter asked for one."""
    if batch.get("callback_url"):
        enqueue(services, batch["callback_url"], "batch.done", summary)
