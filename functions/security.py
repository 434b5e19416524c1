"""CORS, API keys as tenants, and requests per tenant per minute, applied to the whole app."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_cors import CORS
from redis.exceptions import OutOfMemoryError

from core import tenants
from core.ratelimit import RateLimiter
from core.settings import Settings
from functions.errors import ApiError

# Open without a key, carrying no tenant's files, names or ids: liveness, the limits, the API
# description, counters, the page. /events has a token of its own (EVENTS_TOKEN).
OPEN_PATHS = ("/healthz", "/config", "/openapi.json", "/metrics")
EVENTS_PATH = "/events"


def is_open(path: str, method: str) -> bool:
    """Whether a request needs no API key (and is not counted against a tenant's rate)."""
    return method == "OPTIONS" or path == "/" or path.startswith("/web/") or path in OPEN_PATHS


def current_tenant() -> str:
    """The tenant of the current request (`default` when API_KEYS is unset)."""
    return g.get("tenant", tenants.DEFAULT)


def owns(owner: str) -> bool:
    """Whether the current request's tenant may see a job or batch of `owner` (always, without API_KEYS)."""
    return not current_app.extensions["jobs"].settings.api_keys or owner == current_tenant()


def _given_key() -> str:
    given = request.headers.get("X-API-Key", "")
    if not given and request.headers.get("Authorization", "").lower().startswith("bearer "):
        given = request.headers["Authorization"][7:].strip()
    return given


def _identify(settings: Settings) -> None:
    if not settings.api_keys:
        g.tenant = tenants.DEFAULT
        return
    tenant = tenants.tenant_for(_given_key(), settings.tenant_keys) if _given_key() else None
    if tenant is None:
        raise ApiError(401, "unauthorized", "This API needs a key: send it as `X-API-Key`.")
    g.tenant = tenant


def _throttle(limiter: RateLimiter) -> None:
    try:
        verdict = limiter.hit(current_tenant())
    except OutOfMemoryError:
        return  # a full Redis refuses the count; reads may still be served, writes fail on their own
    if not verdict.allowed:
        raise ApiError(
            429, "rate_limited", f"More than {limiter.per_minute} requests this minute; try again later.",
            retry_after=verdict.retry_after,
        )  # fmt: skip


def install(app: Flask, settings: Settings, redis) -> None:
    """Allow `CORS_ORIGINS`, identify the tenant by `API_KEYS`, and apply `RATE_LIMIT_PER_MINUTE`."""
    if settings.cors_origins:
        CORS(
            app, origins=list(settings.cors_origins), expose_headers=["Location", "Retry-After"], max_age=600
        )
    limiter = RateLimiter(redis, settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None

    @app.before_request
    def guard() -> None:
        if is_open(request.path, request.method) or request.path == EVENTS_PATH:
            return
        _identify(settings)
        if limiter is not None:
            _throttle(limiter)
