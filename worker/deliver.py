"""Deliver one callback: POST the status JSON, signed, and fail loudly so RQ retries it."""

from __future__ import annotations

import logging
from typing import Any

import requests

from core import callbacks, logs
from core.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 10)


class DeliveryFailed(RuntimeError):
    """The receiver did not take the callback; RQ tries again later."""


def deliver(settings: Settings, url: str, event: str, payload: dict[str, Any]) -> int:
    """POST `payload` to `url` with `X-Signature: sha256=<hmac>`; returns the receiver's status."""
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
