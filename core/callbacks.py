"""Callbacks: when a job or batch ends, its status JSON is POSTed to the URL its submitter gave.

The lifecycle's ending hook queues them (core.tasks) on their own queue (and worker), signed with
HMAC-SHA256, and retried with backoff by RQ, so a slow or failing receiver never holds up file processing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

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
