"""What follows a job's end, wherever it ended: batch totals and manifests, the submitter's callback."""

from __future__ import annotations

from typing import Any

from core import callbacks
from core.manifests import count_ended
from core.services import Services


def job_ended(services: Services, job_id: str, record: dict[str, Any] | None = None) -> None:
    """Call once, after the transition that ended the job; `record` (any earlier copy) saves a read."""
    count_ended(services, job_id)
    if record is None or record.get("callback_url"):
        callbacks.notify_job(services, job_id)
