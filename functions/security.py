"""CORS for the configured origins and optional API keys, applied to the whole app."""

from __future__ import annotations

import hmac

from flask import Flask, request
from flask_cors import CORS

from core.settings import Settings
from functions.errors import ApiError

# Open without a key: liveness, the page and its assets, the API description, and /events (own token).
OPEN_PATHS = ("/healthz", "/config", "/openapi.json", "/events", "/metrics")


def _key_matches(given: str, keys: tuple[str, ...]) -> bool:
    return any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


def install(app: Flask, settings: Settings) -> None:
    """Allow `CORS_ORIGINS` (none by default: same origin only) and require `API_KEYS` when set."""
    if settings.cors_origins:
        CORS(app, origins=list(settings.cors_origins), expose_headers=["Location"], max_age=600)
    if not settings.api_keys:
        return

    @app.before_request
    def require_api_key() -> None:
        path = request.path
        if request.method == "OPTIONS" or path == "/" or path.startswith("/web/") or path in OPEN_PATHS:
            return
        given = request.headers.get("X-API-Key", "")
        if not given and request.headers.get("Authorization", "").lower().startswith("bearer "):
            given = request.headers["Authorization"][7:].strip()
        if not given or not _key_matches(given, settings.api_keys):
            raise ApiError(401, "unauthorized", "This API needs a key: send it as `X-API-Key`.")
