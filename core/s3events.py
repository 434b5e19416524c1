"""Parse S3 event notifications (AWS and MinIO) into object references: pure, for webhooks and Lambda."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from core.objects import ObjectRef


class EventFormatError(ValueError):
    """The body is not an S3 event notification."""


@dataclass
class ParsedEvent:
    """The created objects an event announces, and why each other record was ignored."""

    objects: list[ObjectRef] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _object(record: dict[str, Any], bucket: str) -> ObjectRef | str:
    """The created object a record announces, or the reason it is ignored."""
    name = str(record.get("eventName", ""))
    if not name.removeprefix("s3:").startswith("ObjectCreated:"):
        return f"event {name or 'without a name'} is not an object creation"
    s3 = record.get("s3")
    if not isinstance(s3, dict) or not isinstance(s3.get("object"), dict):
        return "record without s3.object"
    record_bucket = (s3.get("bucket") or {}).get("name")
    if record_bucket != bucket:
        return f"bucket {record_bucket!r} is not {bucket!r}"
    obj = s3["object"]
    key = unquote_plus(str(obj.get("key", "")))
    if not key or key.endswith("/"):
        return "folder marker or empty key"
    size = obj.get("size")
    etag = obj.get("eTag") or obj.get("etag")
    version = obj.get("versionId") or None
    return ObjectRef(
        bucket=bucket,
        key=key,
        size=size if isinstance(size, int) else None,
        etag=str(etag).strip('"') if etag else None,
        version_id=str(version) if version and version != "null" else None,
    )


def parse_event(body: Any, bucket: str) -> ParsedEvent:
    """Every record of an S3 notification, not just the first; test events are ignored, not refused."""
    if not isinstance(body, dict):
        raise EventFormatError("An S3 event notification is a JSON object.")
    parsed = ParsedEvent()
    if "Records" not in body:
        if str(body.get("Event", "")).endswith("TestEvent"):
            parsed.ignored.append("s3:TestEvent")
            return parsed
        raise EventFormatError("No `Records` in the event.")
    records = body["Records"]
    if not isinstance(records, list):
        raise EventFormatError("`Records` must be a list.")
    for record in records:
        found = _object(record, bucket) if isinstance(record, dict) else "record is not an object"
        if isinstance(found, str):
            parsed.ignored.append(found)
        else:
            parsed.objects.append(found)
    return parsed
