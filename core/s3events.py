"""Parse bucket events (AWS/MinIO S3 notifications, SeaweedFS filer webhooks) into object references: pure."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from core.bucket import ObjectRef
from core.limits import fits_name


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
    if not fits_name(key):
        return "key longer than 1024 bytes"
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


# SeaweedFS: the filer's own webhook body, one entry per POST, its key a plain path (not URL-encoded).
SEAWEED_CREATIONS = ("create", "update")  # an overwrite is an "update" of the entry: a new version
SEAWEED_MULTIPART_DIR = ".uploads"  # where parts of unfinished multipart uploads are kept
SEAWEED_ETAG = "Seaweed-X-Amz-ETag"


def _b64(value: Any) -> bytes | None:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None


def _seaweed_etag(entry: dict[str, Any]) -> str | None:
    """The S3 ETag the listing shows (the extended attribute, else the MD5), so both give one job id."""
    extended = entry.get("extended") if isinstance(entry.get("extended"), dict) else {}
    raw = _b64(extended.get(SEAWEED_ETAG)) if extended.get(SEAWEED_ETAG) else None
    if raw:
        return raw.decode(errors="replace").strip('"')
    attributes = entry.get("attributes") if isinstance(entry.get("attributes"), dict) else {}
    md5 = _b64(attributes.get("md5")) if attributes.get("md5") else None
    return md5.hex() if md5 and len(md5) == 16 else None


def _seaweed_path(body: dict[str, Any], entry: dict[str, Any]) -> str:
    """The entry's full path: where it is now (a rename's new parent), else the event's key."""
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    parent, name = message.get("new_parent_path"), entry.get("name")
    if isinstance(parent, str) and isinstance(name, str) and parent and name:
        return f"{parent.rstrip('/')}/{name}"
    return str(body.get("key", ""))


def _seaweed_object(body: dict[str, Any], bucket: str) -> ObjectRef | str:
    """The created object a SeaweedFS filer event announces, or the reason it is ignored."""
    kind = body.get("event_type")
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    entry = message.get("new_entry")
    if kind not in SEAWEED_CREATIONS or not isinstance(entry, dict):
        return f"event {kind!r} is not an object creation"
    root = f"/buckets/{bucket}/"
    path = _seaweed_path(body, entry)
    if not path.startswith(root):
        return f"{path!r} is not in bucket {bucket!r}"
    key = path.removeprefix(root)
    if entry.get("is_directory") or not key or key.endswith("/"):
        return "directory"
    if key.split("/", 1)[0] == SEAWEED_MULTIPART_DIR:
        return "multipart upload bookkeeping"
    if not fits_name(key):
        return "key longer than 1024 bytes"
    attributes = entry.get("attributes") if isinstance(entry.get("attributes"), dict) else {}
    size = attributes.get("file_size", 0)
    size = size if isinstance(size, int) and not isinstance(size, bool) else None
    return ObjectRef(bucket=bucket, key=key, size=size, etag=_seaweed_etag(entry))


def is_seaweed_event(body: Any) -> bool:
    return isinstance(body, dict) and "event_type" in body and "Records" not in body


def parse_seaweed_event(body: Any, bucket: str) -> ParsedEvent:
    """One SeaweedFS filer webhook body: a created file in `bucket` becomes an object, the rest a reason."""
    if not is_seaweed_event(body):
        raise EventFormatError("A SeaweedFS event is a JSON object with `event_type`.")
    found = _seaweed_object(body, bucket)
    if isinstance(found, str):
        return ParsedEvent(ignored=[found])
    return ParsedEvent(objects=[found])


def parse_any_event(body: Any, bucket: str) -> ParsedEvent:
    """An S3 notification (`Records`, AWS and MinIO) or a SeaweedFS filer event, whichever `body` is."""
    return parse_seaweed_event(body, bucket) if is_seaweed_event(body) else parse_event(body, bucket)
