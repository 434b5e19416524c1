"""Batches: a set of jobs (one multi-file upload, or every object under a prefix) and their totals."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from redis import Redis

from core import records as rec
from core.records import JobRecords, now_iso

LISTING = "listing"
RUNNING = "running"
DONE = "done"
COUNTED = (rec.QUEUED, rec.STARTED, rec.FINISHED, rec.FAILED)


def new_batch_id() -> str:
    return "b" + uuid.uuid4().hex


def _key(batch_id: str) -> str:
    return f"batch:{batch_id}"


def _jobs_key(batch_id: str) -> str:
    return f"batch:{batch_id}:jobs"


def _ended_key(batch_id: str) -> str:
    return f"batch:{batch_id}:ended"


def _membership_key(job_id: str) -> str:
    return f"job:{job_id}:batches"


class Batches:
    """Batch records in Redis: a hash for the batch and a list of its job ids, in order."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    def create(
        self, batch_id: str, status: str, job_ids: Sequence[str] = (), tracked: bool = True, **fields: Any
    ) -> None:
        """Store a batch; `tracked=False` skips counting its jobs' ends (and so its manifest)."""
        stamp = now_iso()
        mapping = {"batch_id": batch_id, "status": status, "created_at": stamp, "updated_at": stamp, **fields}
        with self.redis.pipeline() as pipe:
            pipe.hset(_key(batch_id), mapping={k: str(v) for k, v in mapping.items() if v is not None})
            pipe.expire(_key(batch_id), self.ttl)
            self._add(pipe, batch_id, list(job_ids), tracked)
            pipe.execute()

    def _add(self, pipe, batch_id: str, job_ids: list[str], tracked: bool = True) -> None:
        if not job_ids:
            return
        pipe.rpush(_jobs_key(batch_id), *job_ids)
        pipe.expire(_jobs_key(batch_id), self.ttl)
        for job_id in job_ids if tracked else ():
            pipe.sadd(_membership_key(job_id), batch_id)
            pipe.expire(_membership_key(job_id), self.ttl)

    def add_jobs(self, batch_id: str, job_ids: list[str]) -> None:
        with self.redis.pipeline() as pipe:
            self._add(pipe, batch_id, job_ids)
            pipe.execute()

    def mark_ended(self, job_id: str, batch_ids: list[str] | None = None) -> list[str]:
        """Count `job_id` as ended in its batches (once each); returns the batches now complete."""
        batch_ids = batch_ids or [raw.decode() for raw in self.redis.smembers(_membership_key(job_id))]
        if not batch_ids:
            return []
        with self.redis.pipeline() as pipe:
            for batch_id in batch_ids:
                pipe.sadd(_ended_key(batch_id), job_id)
                pipe.expire(_ended_key(batch_id), self.ttl)
                pipe.scard(_ended_key(batch_id))
                pipe.llen(_jobs_key(batch_id))
                pipe.hget(_key(batch_id), "status")
            replies = pipe.execute()
        complete = []
        for index, batch_id in enumerate(batch_ids):
            ended, total, status = replies[index * 5 + 2 : index * 5 + 5]
            if status and status.decode() != LISTING and ended >= total:
                complete.append(batch_id)
        return complete

    def claim_manifest(self, batch_id: str) -> bool:
        """True for exactly one caller: the one that writes the batch's manifest."""
        return bool(self.redis.set(f"batch:{batch_id}:manifest", "1", nx=True, ex=self.ttl))

    def update(self, batch_id: str, **fields: Any) -> None:
        mapping = {k: str(v) for k, v in {**fields, "updated_at": now_iso()}.items()}
        self.redis.hset(_key(batch_id), mapping=mapping)

    def get(self, batch_id: str) -> dict[str, str] | None:
        raw = self.redis.hgetall(_key(batch_id))
        return {k.decode(): v.decode() for k, v in raw.items()} if raw else None

    def job_ids(self, batch_id: str) -> list[str]:
        return [raw.decode() for raw in self.redis.lrange(_jobs_key(batch_id), 0, -1)]


def summarize(batch: dict[str, str], jobs: list[dict[str, Any] | None]) -> dict[str, Any]:
    """Totals over a batch's jobs; a listing batch stays `listing`, else `done` once every job ended."""
    counts = Counter(job["status"] for job in jobs if job)
    words = sum(job["result"].get("words", 0) for job in jobs if job and job.get("result"))
    ended = counts[rec.FINISHED] + counts[rec.FAILED]
    status = batch["status"]
    if status != LISTING:
        status = DONE if ended == len(jobs) else RUNNING
    return {
        "batch_id": batch["batch_id"],
        "status": status,
        "total": len(jobs),
        "counts": {name: counts[name] for name in COUNTED},
        "words": words,
        "created_at": batch.get("created_at"),
    }


def load_summary(batches: Batches, records: JobRecords, batch_id: str) -> tuple[dict[str, Any], list] | None:
    """The batch's summary and its jobs' records, or None if there is no such batch."""
    batch = batches.get(batch_id)
    if batch is None:
        return None
    jobs = records.get_many(batches.job_ids(batch_id))
    return summarize(batch, jobs), jobs
