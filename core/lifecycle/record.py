"""A job's record in Redis: the public Job plus what only the system reads (owner, callback, batches).

One hash per job. Fields derivable from the id (`job_id`, `result_key`) are not stored, and
empty ones are left out, so an ended record stays small.
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from core.layout import result_key
from core.models import Job, JobErrorInfo, Result, Source

DEFAULT_OWNER = "default"
_JSON_FIELDS = ("source", "result", "error")
_INT_FIELDS = ("attempts", "declared_size", "rev", "size_limit", "part_size", "part_count")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JobRecord(Job):
    """What Redis holds about a job; `public()` is what the API shows of it."""

    owner: str = DEFAULT_OWNER
    callback_url: str | None = None
    declared_size: int | None = None
    finished_at: str | None = None
    rev: int = Field(default=0, description="Counts the record's changes (for ETags and event ids).")
    batches: tuple[str, ...] = ()
    # A multipart upload's job: the largest file it may be (MAX_MULTIPART_BYTES), and its open upload.
    size_limit: int | None = None
    upload_id: str | None = None
    part_size: int | None = None
    part_count: int | None = None
    upload_expires_at: str | None = None
    # A small upload's bytes as the functions stored them (see `content_of`), while the job waits.
    content: str | None = None

    def public(self) -> Job:
        return Job.model_validate(self.model_dump(include=set(Job.model_fields)))

    def dump(self) -> dict[str, Any]:
        return self.public().dump()


def encode(fields: dict[str, Any]) -> list[str]:
    """Hash fields as flat [name, value, ...] strings; None values are left out."""
    flat: list[str] = []
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, Source):
            value = value.dump()
        elif not isinstance(value, dict | str | int):
            value = value.model_dump(mode="json", exclude_none=True)
        if name in _JSON_FIELDS:
            value = json.dumps(value)
        flat += [name, str(value)]
    return flat


def pairs(flat: list[bytes]) -> dict[str, str]:
    """A Lua reply's HGETALL list as a dict of strings."""
    items = [item.decode() if isinstance(item, bytes) else str(item) for item in flat]
    return dict(zip(items[::2], items[1::2], strict=True))


def decode(job_id: str, raw: dict[str, str]) -> JobRecord:
    """The record from its hash fields (already decoded to str)."""
    values: dict[str, Any] = dict(raw)
    values.pop("step", None)  # the last transition's token (see core.lifecycle.scripts)
    for name in _JSON_FIELDS:
        values[name] = json.loads(raw[name]) if name in raw else None
    for name in _INT_FIELDS:
        if name in raw:
            values[name] = int(raw[name])
    values["batches"] = tuple(raw.get("batches", "").split())
    values.setdefault("attempts", 0)
    values.setdefault("file_type", None)
    values.update(job_id=job_id, result_key=result_key(job_id))
    return JobRecord.model_validate(values)


def decode_bytes(job_id: str, raw: dict[bytes, bytes]) -> JobRecord:
    return decode(job_id, {k.decode(): v.decode() for k, v in raw.items()})


def packed(content: bytes) -> str:
    """Bytes as a record field holds them: compressed, then base64."""
    return base64.b64encode(zlib.compress(content)).decode()


def content_of(record: JobRecord) -> bytes | None:
    """The bytes a record carries (a small upload's, until the job starts for good), else None."""
    return zlib.decompress(base64.b64decode(record.content)) if record.content else None


def error_of(code: str, message: str) -> JobErrorInfo:
    return JobErrorInfo(code=code, message=message)


def result_of(analysis: dict[str, Any]) -> Result:
    return Result.model_validate(analysis)


def source_of(value: Source | dict[str, Any]) -> Source:
    return value if isinstance(value, Source) else Source.model_validate(value)
