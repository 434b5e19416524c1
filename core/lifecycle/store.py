"""The job records in Redis: reads, and the create and transition scripts that every change goes through."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core import bucket, layout, stats
from core.lifecycle import record as rec
from core.lifecycle.finished import FinishedRecords
from core.lifecycle.record import JobRecord
from core.lifecycle.scripts import CREATE_GROUP_SCRIPT, CREATE_SCRIPT, NOTE_SCRIPT, TRANSITION_SCRIPT
from core.models import JobStatus
from core.results import record_from_result

if TYPE_CHECKING:
    from core.lifecycle import Intake
    from core.tasks import QueuedTask


@dataclass(frozen=True)
class Step:
    """One transition: to `to` from any of `allowed`, with what it counts."""

    to: str
    allowed: tuple[str, ...]
    count_attempt: bool = False
    attempt: int | None = None  # apply only while this is still the job's current attempt
    code: str | None = None
    seconds: float | None = None
    words: int = 0
    retry_max: int | None = None
    retry_codes: tuple[str, ...] = ()
    rewrite: bool = False  # write the record anew: the fields given and those named "+name" only
    returns_record: bool = True
    ttl: int | None = None  # how long the record stays after this step (default: RECORD_TTL_SECONDS)


@dataclass(frozen=True)
class New:
    """A job to create: what it is made of, its first status and, failed at once, its error."""

    intake: Intake
    status: str
    error: dict | None = None


@dataclass(frozen=True)
class Change:
    """What a transition did: whether it applied, the status before (None: no such job), the record."""

    applied: bool
    before: str | None
    record: JobRecord | None
    completed: tuple[str, ...] = ()


class RecordStore:
    """Job records: one hash each, created and changed only by the lifecycle's scripts."""

    def __init__(
        self, redis: Redis, s3: Any, bucket_name: str, ttl_seconds: int, patience: float = 0
    ) -> None:
        self.redis = redis
        self.patience = patience  # how long a transition waits for Redis to come back before it fails
        self.s3 = s3
        self.bucket = bucket_name
        self.ttl = ttl_seconds
        self._create = redis.register_script(CREATE_SCRIPT)
        self._create_group = redis.register_script(CREATE_GROUP_SCRIPT)
        self._transition = redis.register_script(TRANSITION_SCRIPT)
        self._note = redis.register_script(NOTE_SCRIPT)
        self.finished = FinishedRecords()

    def create(
        self,
        intake: Intake,
        status: str,
        error: dict | None = None,
        attempts: int | None = None,
        task: QueuedTask | None = None,
    ) -> Change:
        """A new record, unless the job exists; with `task`, its RQ job is queued in the same call."""
        code, now, encoded = error["code"] if error else "", rec.now_iso(), _encoded(intake, error, attempts)
        keys, queued = [layout.job_key(intake.job_id)], task.fields if task else ()
        if task is not None:
            keys += task.keys
        args = [intake.job_id, now, self.ttl, status, code, len(encoded), *encoded, *queued]
        reply = self._create(keys=keys, args=args)
        if reply[0] == b"created":
            return _created(intake.job_id, status, now, encoded)
        return Change(False, reply[1].decode(), self._decode(intake.job_id, reply[2]))

    def create_group(self, news: list[New], group_id: str, task: QueuedTask) -> list[Change]:
        """New records in one call; those queued (not those that existed) go to one RQ job, `task`."""
        now = rec.now_iso()
        keys = [*task.keys, layout.group_key(group_id)]
        args: list[Any] = [now, self.ttl, group_id, len(task.fields), *task.fields]
        encoded = [_encoded(new.intake, new.error) for new in news]
        for new, flat in zip(news, encoded, strict=True):
            keys.append(layout.job_key(new.intake.job_id))
            args += [new.intake.job_id, new.status, new.error["code"] if new.error else "", len(flat), *flat]
        replies = self._create_group(keys=keys, args=args)
        return [
            _created(new.intake.job_id, new.status, now, flat)
            if reply[0] == b"created"
            else Change(False, reply[1].decode(), self._decode(new.intake.job_id, reply[2]))
            for new, flat, reply in zip(news, encoded, replies, strict=True)
        ]

    def transition(
        self, job_id: str, step: Step, fields: dict[str, Any] | None = None, now: str | None = None
    ) -> Change:
        """Apply `step` if the record allows it; the record comes back unless `step` says otherwise."""
        bound = stats.bucket_label(step.seconds) if step.seconds is not None else ""
        args = [
            job_id, now or rec.now_iso(), step.ttl or self.ttl, step.to, " ".join(step.allowed),
            "1" if step.count_attempt else "0", "" if step.attempt is None else step.attempt,
            step.code or "", bound, step.seconds or 0, step.retry_max or "", " ".join(step.retry_codes),
            step.words, "1" if step.rewrite else "0", "1" if step.returns_record else "0",
            secrets.token_hex(6), *_flatten(fields or {}),
        ]  # fmt: skip
        reply = self._patiently(self._transition, [layout.job_key(job_id), layout.parts_key(job_id)], args)
        if reply[0] == b"missing":
            return Change(False, None, None)
        record = self._decode(job_id, reply[2]) if reply[2] else None
        completed = tuple(item.decode() for item in reply[3]) if len(reply) > 3 else ()
        return Change(reply[0] == b"applied", reply[1].decode(), record, completed)

    def _patiently(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """Run a transition, sending it again (same token: applied at most once) while Redis is away."""
        deadline = time.monotonic() + self.patience
        while True:
            try:
                return script(keys=keys, args=args)
            except (RedisConnectionError, RedisTimeoutError):
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def status(self, job_id: str) -> str | None:
        """The job's status alone (one HGET: what a worker checks while it parses)."""
        raw = self.redis.hget(layout.job_key(job_id), "status")
        return raw.decode() if raw else None

    def status_and_filename(self, job_id: str) -> tuple[str | None, str | None]:
        """Two fields every record keeps, finished ones too (one HMGET)."""
        status, filename = self.redis.hmget(layout.job_key(job_id), "status", "filename")
        return (status.decode() if status else None), (filename.decode() if filename else None)

    def note(self, job_id: str, **fields: str) -> bool:
        """Set fields of an existing record that no transition depends on; False if there is none."""
        args = [self.ttl, *(item for pair in fields.items() for item in pair)]
        return bool(self._note(keys=[layout.job_key(job_id)], args=args))

    def get(self, job_id: str) -> JobRecord | None:
        raw = self.redis.hgetall(layout.job_key(job_id))
        return self._decode(job_id, raw) if raw else None

    def get_many(self, job_ids: list[str]) -> list[JobRecord | None]:
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hgetall(layout.job_key(job_id))
            replies = pipe.execute()
        return [
            self._decode(job_id, raw) if raw else None for job_id, raw in zip(job_ids, replies, strict=True)
        ]

    def _decode(self, job_id: str, raw: dict[bytes, bytes] | list[bytes]) -> JobRecord | None:
        fields = rec.pairs(raw) if isinstance(raw, list) else {k.decode(): v.decode() for k, v in raw.items()}
        if fields.get("status") == JobStatus.FINISHED and "source" not in fields:
            return self._from_bucket(job_id, fields)
        return rec.decode(job_id, fields)

    def _from_bucket(self, job_id: str, fields: dict[str, str]) -> JobRecord | None:
        """A finished job's record, whose details Redis shed: its result document has them (read once)."""
        found = self.finished.get(job_id, fields.get("updated_at", ""), lambda: self._read_result(job_id))
        if found is None:
            return None
        internal = {"rev": int(fields.get("rev", 0)), "batches": tuple(fields.get("batches", "").split())}
        internal |= {"callback_error": fields.get("callback_error")}
        internal |= {"updated_at": fields.get("updated_at", found.updated_at)}
        return found.model_copy(update=internal)

    def _read_result(self, job_id: str) -> tuple[JobRecord, int] | None:
        stored = bucket.read(self.s3, self.bucket, layout.result_key(job_id))
        return (record_from_result(json.loads(stored)), len(stored)) if stored is not None else None


def _encoded(intake: Intake, error: dict | None, attempts: int | None = None) -> list[str]:
    """A new record's fields, as the create scripts write them."""
    fields = {
        "filename": intake.filename, "file_type": intake.file_type, "source": intake.source,
        "batch_id": intake.batch_id, "callback_url": intake.callback_url,
        "declared_size": intake.declared_size, "error": error, "attempts": attempts,
        "owner": intake.owner if intake.owner != rec.DEFAULT_OWNER else None,
        "content": rec.packed(intake.content) if intake.content is not None else None,
    }  # fmt: skip
    if intake.multipart is not None:
        upload = intake.multipart
        fields |= {
            "upload_id": upload.upload_id, "part_size": upload.part_size, "part_count": upload.part_count,
            "upload_expires_at": upload.expires_at, "size_limit": upload.size_limit,
        }  # fmt: skip
    return rec.encode(fields)


def _created(job_id: str, status: str, now: str, encoded: list[str]) -> Change:
    """A record just created is what was sent: no need to read it back."""
    written = ["status", status, "created_at", now, "updated_at", now, "rev", "1", *encoded]
    return Change(True, None, rec.decode(job_id, rec.pairs(written)))


def _flatten(fields: dict[str, Any]) -> list[str]:
    flat: list[str] = []
    for name, value in fields.items():
        if name[0] in "-+":
            flat += [name, ""]
        else:
            flat += rec.encode({name: value})
    return flat
