"""The services of this worker process, set once by the entry point before any job runs."""

from __future__ import annotations

from core.services import Services
from core.settings import Settings

_services: Services | None = None
# True in a worker that counts each attempt itself before running it (so an early death still counts).
attempts_counted = False
# The isolated parser of a `python -m worker` process; None elsewhere (files are then parsed in-process).
extractor = None


def install(services: Services) -> None:
    global _services
    _services = services


def current() -> Services:
    """The installed services; a worker started some other way (e.g. `rq worker`) builds them once."""
    global _services
    if _services is None:
        _services = Services.build(Settings.from_env())
    return _services
