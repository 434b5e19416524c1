"""The app factory: one WSGI app serving every function."""

from __future__ import annotations

import logging

from flask import Flask

from core import logs
from core.limits import MAX_UPLOAD_PARTS
from core.services import Services
from core.settings import Settings
from functions import (
    batches,
    conditional,
    errors,
    events,
    health,
    jobs,
    live,
    metrics,
    multipart,
    openapi,
    presign,
    security,
    upload,
    web,
)  # fmt: skip

MULTIPART_SLACK_BYTES = 1 << 20


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the app; `settings` default to the environment, `services` to clients built from them."""
    settings = settings or (services.settings if services else Settings.from_env())
    if not logging.getLogger().handlers:  # before the services, which warn of weak settings
        logs.configure("functions")
    app = Flask(__name__, static_folder=None)
    # One file of MAX_UPLOAD_BYTES plus the multipart envelope; larger bodies get 413 unread.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + MULTIPART_SLACK_BYTES
    # The form parser stops past this many parts: 100 files and a few fields (core/limits.py counts files).
    app.config["MAX_FORM_PARTS"] = MAX_UPLOAD_PARTS + 10
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["jobs"] = services or Services.build(settings)
    errors.register(app)
    security.install(app, settings, app.extensions["jobs"].clients.redis)
    metrics.install(app, app.extensions["jobs"])
    for module in (upload, presign, multipart, jobs, events, batches, health, metrics, openapi, web):
        app.register_blueprint(module.bp)
    live.install(app)
    conditional.install(app)
    return app
