"""Deliver one callback: resolve the host once, refuse non-public addresses, POST signed to that address.

Connecting to the address that was checked (not to the name again) leaves no room for DNS rebinding.
"""

from __future__ import annotations

import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from rq import get_current_job

from core import addresses, callbacks, logs
from core.ratelimit import RateLimiter
from core.services import Services

log = logging.getLogger(__name__)
TIMEOUT = urllib3.Timeout(connect=3.05, read=10)


class DeliveryFailed(RuntimeError):
    """The receiver did not take the callback (or its host had its share this minute); tried again later."""


class Refused(ValueError):
    """The target is not a public address: never tried, never retried."""


def resolve(host: str, port: int, allow_private: bool) -> str:
    """One address of `host` to connect to; Refused if any of its addresses is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryFailed(f"{host}: cannot resolve ({exc.strerror or exc})") from None
    found = [addresses.literal(str(info[4][0])) for info in infos]
    if not allow_private:
        reasons = [addresses.refusal(a) if a else f"{host} has an unreadable address" for a in found]
        if any(reasons):
            raise Refused(next(reason for reason in reasons if reason))
    return str(found[0])


def post_pinned(url: str, address: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to `url`, connected to `address`; TLS still checks the certificate of the URL's host."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    options: dict[str, Any] = {"timeout": TIMEOUT, "retries": False, "maxsize": 1}
    if https:
        options.update(
            server_hostname=parts.hostname, assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED", ca_certs=requests.certs.where(),
        )  # fmt: skip
    pool_class = urllib3.HTTPSConnectionPool if https else urllib3.HTTPConnectionPool
    with pool_class(address, port, **options) as pool:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        reply = pool.urlopen(
            "POST", path, body=body, headers={**headers, "Host": host_header}, redirect=False, retries=False
        )
        return reply.status


def _headers(secret: str, event: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "filejobs-callbacks/1",
        "X-Event": event,
        "X-Signature": callbacks.signature(secret, body),
    }


def deliver(services: Services, url: str, event: str, payload: dict[str, Any]) -> int:
    """POST `payload` signed (`X-Signature: sha256=<hmac>`) to `url`; the receiver's status, 0 if refused."""
    settings = services.settings
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = resolve(host, port, settings.callback_allow_private)
    except Refused as exc:
        log.warning("callback to %s refused: %s", host, exc)
        record_refusal(services, payload, f"{callbacks.REFUSED}: {exc}")
        return 0
    budget = RateLimiter(services.clients.redis, settings.callback_max_per_minute).hit(
        f"callback-host:{host}"
    )
    if not budget.allowed:
        # The host had its share this minute: try at the next minute, without spending an attempt.
        job = get_current_job()
        retries = (job.retries_left or 0) if job else 0
        services.tasks.deliver_callback(url, event, payload, retries=retries, delay=budget.retry_after)
        return 0
    body = callbacks.encode(payload)
    try:
        status = post_pinned(url, address, body, _headers(settings.callback_secret or "", event, body))
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"{event} to {host}: {type(exc).__name__}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{event} to {host}: HTTP {status}")
    logs.event(log, "callback_delivered", job_id=payload.get("job_id"), batch_id=payload.get("batch_id"))
    return status


def record_refusal(services: Services, payload: dict[str, Any], message: str) -> None:
    """Say on the job (or batch) that its callback was refused, so its status shows why none came."""
    if payload.get("job_id"):
        services.lifecycle.callback_refused(payload["job_id"], message)
    elif payload.get("batch_id"):
        services.batches.note(payload["batch_id"], callback_error=message)
