"""Callbacks: when a job or batch ends, its status JSON is POSTed to the URL its submitter gave.

The lifecycle's ending hook queues them (core.tasks) on their own queue (and worker), signed with
HMAC-SHA256, tried at most CALLBACK_MAX_DELIVERIES times with backoff, to public addresses only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from rq import Retry

from core import addresses

MAX_URL_LENGTH = 2048
BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600]
REFUSED = "callback: refused"
_MALFORMED = "`callback_url` must be an http(s) URL of at most 2048 characters."


class CallbackError(ValueError):
    """A callback URL that cannot be accepted."""


def check_url(url: Any, secret: str | None, allow_private: bool = False) -> str:
    """The URL if callbacks can be sent to it, else CallbackError saying why.

    A host given as an address, or as a name that is local by definition, is judged here; other
    names are resolved (once) when the callback is delivered.
    """
    if not secret:
        raise CallbackError("Callbacks are not enabled here (CALLBACK_SECRET is not set).")
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or any(c in url for c in "\r\n\t "):
        raise CallbackError(_MALFORMED)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise CallbackError(_MALFORMED) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackError(_MALFORMED)
    reason = None if allow_private else known_refusal(parts.hostname)
    if reason:
        raise CallbackError(f"{REFUSED}: {reason}; callbacks go to public addresses only.")
    return url


def known_refusal(host: str) -> str | None:
    """Why a host is refused before any lookup (an address literal or a local name), else None."""
    address = addresses.literal(host)
    if address is not None:
        return addresses.refusal(address)
    return f"{host} is a local name" if addresses.obviously_local(host) else None


def retry_policy(retries: int) -> Retry | None:
    """RQ's retries after a failed attempt (CALLBACK_MAX_DELIVERIES - 1 at first), growing apart."""
    if retries <= 0:
        return None
    intervals = [BACKOFF_SECONDS[min(n, len(BACKOFF_SECONDS) - 1)] for n in range(retries)]
    return Retry(max=retries, interval=intervals)


def signature(secret: str, body: bytes) -> str:
    """The X-Signature header value: `sha256=` and the hex HMAC of the exact body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
