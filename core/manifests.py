"""When a job ends: count it in its batches, and write a batch's manifest once the batch is done."""

from __future__ import annotations

import json
from typing import Any

from core import callbacks
from core.batches import RUNNING, load_summary
from core.keys import batch_manifest_key
from core.records import ENDED
from core.services import Services


def _entry(job: dict[str, Any]) -> dict[str, Any]:
    result, error = job.get("result") or {}, job.get("error") or {}
    return {
        "job_id": job["job_id"],
        "filename": job.get("filename"),
        "key": (job.get("source") or {}).get("key"),
        "status": job["status"],
        "words": result.get("words"),
        "error": error.get("code"),
    }


def write_manifest(services: Services, batch_id: str) -> bool:
    """Write `results/batches/<batch_id>.json`, once; True if this call wrote it."""
    if not services.batches.claim_manifest(batch_id):
        return False
    loaded = load_summary(services.batches, services.records, batch_id)
    if loaded is None:
        return False
    summary, jobs = loaded
    doc = {**summary, "jobs": [_entry(job) for job in jobs if job]}
    services.clients.s3.put_object(
        Bucket=services.settings.s3_bucket,
        Key=batch_manifest_key(batch_id),
        Body=json.dumps(doc, ensure_ascii=False).encode(),
        ContentType="application/json",
    )
    batch = services.batches.get(batch_id) or {}
    callbacks.notify_batch(services, batch, summary)
    return True


def count_ended(services: Services, job_id: str, batch_ids: list[str] | None = None) -> None:
    """Count an ended job in its batches; write the manifest of each batch it completes."""
    for batch_id in services.batches.mark_ended(job_id, batch_ids):
        write_manifest(services, batch_id)


def seal(services: Services, batch_id: str, job_ids: list[str]) -> None:
    """Mark a batch's job list complete, counting jobs that ended before they joined it."""
    services.batches.update(batch_id, status=RUNNING, total=len(job_ids))
    for job_id, record in zip(job_ids, services.records.get_many(job_ids), strict=True):
        if record and record["status"] in ENDED:
            count_ended(services, job_id, [batch_id])
    if not job_ids:
        write_manifest(services, batch_id)
