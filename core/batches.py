"""Batches: a set of jobs (a multi-file upload, or every object under a prefix), their counters,
their summary and, once every job has ended, their manifest in the bucket.

The counters are kept by the lifecycle's scripts as each job changes; a one-file upload's batch has
no keys at all (its id names its one job, see core.ids).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from redis import Redis

from core import bucket, layout
from core.lifecycle.record import DEFAULT_OWNER, JobRecord, now_iso
from core.lifecycle.scripts import JOIN_SCRIPT
from core.models import ENDED, BatchCounts, BatchStatus, BatchSummary, JobStatus

COUNTED = ("queued", "started", "finished", "failed")


@dataclass(frozen=True)
class BatchInfo:
    """A batch's record: who made it, where from, and its summary as the counters say now."""

    summary: BatchSummary
    owner: str = DEFAULT_OWNER
    callback_url: str | None = None
    prefix: str | None = None
    updated_at: str | None = None  # the last change of the batch or of any of its jobs


class Batches:
    """Batch records in Redis: a hash of fields and counters, and the list of its job ids in order."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self._join = redis.register_script(JOIN_SCRIPT)

    def create(self, batch_id: str, status: str = BatchStatus.LISTING, **fields: Any) -> None:
        """Store a new batch; its jobs join it with `join`, and `seal` says the list is complete."""
        stamp = now_iso()
        mapping = {"batch_id": batch_id, "status": status, "created_at": stamp, "updated_at": stamp, **fields}
        with self.redis.pipeline() as pipe:
            pipe.hset(
                layout.batch_key(batch_id), mapping={k: str(v) for k, v in mapping.items() if v is not None}
            )
            pipe.expire(layout.batch_key(batch_id), self.ttl)
            pipe.execute()

    def note(self, batch_id: str, **fields: str) -> None:
        """Set fields of an existing batch that no counter depends on (a refused callback's reason)."""
        if self.redis.exists(layout.batch_key(batch_id)):
            self.redis.hset(layout.batch_key(batch_id), mapping=fields)

    def join(self, batch_id: str, job_ids: list[str], seal: bool = False) -> bool:
        """Add jobs (counted in the state each is in now); True when this call completed the batch."""
        keys = [layout.batch_key(batch_id), layout.batch_jobs_key(batch_id)]
        reply = self._join(keys=keys, args=[batch_id, self.ttl, "1" if seal else "0", *job_ids])
        return len(reply) > 1 and reply[1] == 1

    def seal(self, batch_id: str) -> bool:
        """Mark the job list complete; True when the batch is thereby complete (all its jobs ended)."""
        return self.join(batch_id, [], seal=True)

    def get(self, batch_id: str) -> BatchInfo | None:
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(layout.batch_key(batch_id))
            pipe.llen(layout.batch_jobs_key(batch_id))
            raw, listed = pipe.execute()
        if not raw:
            return None
        fields = {k.decode(): v.decode() for k, v in raw.items()}
        counts = BatchCounts(**{name: max(0, int(fields.get(name, 0))) for name in COUNTED})
        summary = BatchSummary(
            batch_id=batch_id,
            status=fields["status"],
            total=int(fields.get("total", listed)),
            counts=counts,
            words=int(fields.get("words", 0)),
            created_at=fields.get("created_at"),
            callback_error=fields.get("callback_error"),
        )
        owner = fields.get("owner", DEFAULT_OWNER)
        return BatchInfo(
            summary, owner, fields.get("callback_url"), fields.get("prefix"), fields.get("updated_at")
        )

    def job_ids(self, batch_id: str, offset: int = 0, limit: int | None = None) -> list[str]:
        stop = -1 if limit is None else offset + limit - 1
        return [raw.decode() for raw in self.redis.lrange(layout.batch_jobs_key(batch_id), offset, stop)]

    def manifest_entries(self, job_ids: list[str]) -> list[dict[str, Any]]:
        """One line per job for the manifest, from the records as they are (finished ones are slim)."""
        names = ("status", "filename", "key", "source", "words", "error")
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hmget(layout.job_key(job_id), names)
            replies = pipe.execute()
        return [
            _entry(job_id, dict(zip(names, values, strict=True)))
            for job_id, values in zip(job_ids, replies, strict=True)
        ]


def _entry(job_id: str, raw: dict[str, bytes | None]) -> dict[str, Any]:
    value = {name: item.decode() if item is not None else None for name, item in raw.items()}
    key = value["key"] or (json.loads(value["source"])["key"] if value["source"] else None)
    if key is None and value["filename"]:  # a finished upload's record keeps only its filename
        key = layout.upload_key(job_id, value["filename"])
    error = json.loads(value["error"]) if value["error"] else {}
    return {
        "job_id": job_id,
        "filename": value["filename"],
        "key": key,
        "status": value["status"],
        "words": int(value["words"]) if value["words"] else None,
        "error": error.get("code"),
    }


def empty_prefix_warning(prefix: str) -> str:
    """What a batch over a prefix with no objects says, so `total: 0` is not read as a fault."""
    return (
        f"Nothing is stored under {prefix!r}: the batch has no jobs. Check the prefix (keys are "
        "case-sensitive and end in '/' for a folder) or copy the files there first."
    )


def single_summary(batch_id: str, job: JobRecord) -> BatchSummary:
    """The summary of a one-file upload's batch: its one job's state."""
    counts = {name: int(job.status == name) for name in COUNTED}
    words = job.result.words if job.result else 0
    status = BatchStatus.DONE if job.status in ENDED else BatchStatus.RUNNING
    return BatchSummary(
        batch_id=batch_id, status=status, total=1, counts=BatchCounts(**counts), words=words,
        created_at=job.created_at,
    )  # fmt: skip


def write_manifest(batches: Batches, s3: Any, bucket_name: str, batch_id: str) -> BatchInfo | None:
    """Write `results/batches/<batch_id>.json` (the lifecycle calls this once, when the batch completes)."""
    info = batches.get(batch_id)
    if info is None:
        return None
    entries = batches.manifest_entries(batches.job_ids(batch_id))
    doc = {**info.summary.model_dump(mode="json"), "jobs": entries}
    bucket.put_json(s3, bucket_name, layout.batch_manifest_key(batch_id), doc)
    return info


__all__ = ["Batches", "BatchInfo", "JobStatus", "single_summary", "write_manifest"]
