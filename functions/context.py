"""Access to the services of the app that handles the current request."""

from __future__ import annotations

from flask import current_app

from core.services import Services


def services() -> Services:
    return current_app.extensions["jobs"]
