"""Job records in Redis: one hash per job, written by the functions and the workers through here only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis import Redis

AWAITING_UPLOAD = "awaiting_upload"
QUEUED = "queued"
STARTED = "started"
FINISHED = "finished"
FAILED = "failed"
STATUSES = (AWAITING_UPLOAD, QUEUED, STARTED, FINISHED, FAILED)
ENDED = (FINISHED, FAILED)

_JSON_FIELDS = ("source", "result", "error")
_INT_FIELDS = ("attempts", "declared_size")
PUBLIC_FIELDS = (
    "job_id", "status", "filename", "file_type", "source", "created_at", "updated_at",
    "attempts", "result_key", "result", "error",
)  # fmt: skip

# Set fields only when the job's status is one of ARGV[3..]; returns the status before, or false.
_TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return false end
local allowed = false
for i = 4, 3 + tonumber(ARGV[2]) do
  if ARGV[i] == current then allowed = true end
end
if not allowed then return current end
local first = 4 + tonumber(ARGV[2])
for i = first, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return '+' .. current
"""

# Create the record only if no job of that id exists; returns 1 when created.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_key(job_id: str) -> str:
    return f"job:{job_id}"


def _encode(fields: dict[str, Any]) -> list[str]:
    flat: list[str] = []
    for name, value in fields.items():
        if value is None and name not in _JSON_FIELDS:
            continue
        flat += [name, json.dumps(value) if name in _JSON_FIELDS else str(value)]
    return flat


def _decode(raw: dict[bytes, bytes]) -> dict[str, Any]:
    record: dict[str, Any] = {k.decode(): v.decode() for k, v in raw.items()}
    for name in _JSON_FIELDS:
        record[name] = json.loads(record[name]) if name in record else None
    for name in _INT_FIELDS:
        if name in record:
            record[name] = int(record[name])
    return record


class JobRecords:
    """Reads and writes job records; every write refreshes the record's time to live."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self._transition = redis.register_script(_TRANSITION)
        self._create = redis.register_script(_CREATE)

    def create(self, job_id: str, **fields: Any) -> bool:
        """Store a new record; False (and nothing written) if a job with this id exists already."""
        stamp = now_iso()
        fields = {"job_id": job_id, "created_at": stamp, "updated_at": stamp, "attempts": 0, **fields}
        return bool(self._create(keys=[record_key(job_id)], args=[self.ttl, *_encode(fields)]))

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.redis.hgetall(record_key(job_id))
        return _decode(raw) if raw else None

    def get_many(self, job_ids: list[str]) -> list[dict[str, Any] | None]:
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hgetall(record_key(job_id))
            return [_decode(raw) if raw else None for raw in pipe.execute()]

    def transition(
        self, job_id: str, allowed_from: tuple[str, ...], count_attempt: bool = False, **fields: Any
    ) -> tuple[bool, str | None]:
        """Set `fields` if the job's status is in `allowed_from`; returns (applied, status before)."""
        fields = {**fields, "updated_at": now_iso()}
        args = [self.ttl, len(allowed_from), "1" if count_attempt else "0", *allowed_from, *_encode(fields)]
        before = self._transition(keys=[record_key(job_id)], args=args)
        if before is None:
            return False, None
        before = before.decode() if isinstance(before, bytes) else before
        applied = before.startswith("+")
        return applied, before.lstrip("+")


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """The job as the contract shows it."""
    view = {name: record.get(name) for name in PUBLIC_FIELDS}
    view["attempts"] = int(view["attempts"] or 0)
    if record.get("batch_id"):
        view["batch_id"] = record["batch_id"]
    return view
