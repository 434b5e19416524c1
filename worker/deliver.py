"""Deliver one callback: POST the status JSON, signed, and fail loudly so RQ retries it."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests

from core import callbacks, logs
from core.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 10)


class DeliveryFailed(RuntimeError):
    """The receiver did not take the callback; RQ tries again later."""


def deliver(settings: Settings, url: str, event: str, payload: dict[str, Any]) -> int:
    """POST `payload` to `url` with `X-Signature: sha256=<hmac>`; returns the receiver's status."""
    host = urlsplit(url).hostname or ""
    if not settings.callback_allow_private and not callbacks.public_host(host):
        # Not retried: the address will not become public. (Set CALLBACK_ALLOW_PRIVATE for internal hooks.)
        log.warning("callback to %s refused: it is not a public address", host)
        return 0
    body = callbacks.encode(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "filejobs-callbacks/1",
        "X-Event": event,
        "X-Signature": callbacks.signature(settings.callback_secret or "", body),
    }
    try:
        reply = requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{event} to {url}: {type(exc).__name__}") from None
    if not 200 <= reply.status_code < 300:
        raise DeliveryFailed(f"{event} to {url}: HTTP {reply.status_code}")
    logs.event(log, "callback_delivered", job_id=payload.get("job_id"), batch_id=payload.get("batch_id"))
    return reply.status_code
