"""Builders of bucket events, shaped as AWS, MinIO and SeaweedFS send them."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, quote_plus


def make_record(
    *,
    bucket: str = "jobs",
    key: str = "incoming/a.txt",
    size: int = 10,
    etag: str = "0123456789abcdef0123456789abcdef",
    event: str = "ObjectCreated:Put",
    version_id: str | None = None,
    minio: bool = False,
) -> dict[str, Any]:
    """One record; `minio=True` uses MinIO's `s3:` event prefix and encodes `/` as `%2F`."""
    encoded = quote(key, safe="").replace("%20", "+") if minio else quote_plus(key, safe="/")
    obj: dict[str, Any] = {"key": encoded, "size": size, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}
    if version_id:
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1" if not minio else "2.0",
        "eventSource": "minio:s3" if minio else "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-29T12:00:00.000Z",
        "eventName": ("s3:" if minio else "") + event,
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": obj,
        },
    }


def make_s3_event(**record: Any) -> dict[str, Any]:
    return {"Records": [make_record(**record)]}


def make_test_event(bucket: str = "jobs") -> dict[str, Any]:
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-11-29T12:00:00.000Z",
        "Bucket": bucket,
    }


def make_seaweed_event(
    *,
    bucket: str = "jobs",
    key: str = "incoming/a.txt",
    size: int = 10,
    etag: str | None = "0123456789abcdef0123456789abcdef",
    event: str = "create",
    directory: bool = False,
) -> dict[str, Any]:
    """A SeaweedFS filer webhook body as `weed` 4.48 posts it: the plain path, the entry's attributes."""
    path = f"/buckets/{bucket}/{key}".rstrip("/")
    parent, _, name = path.rpartition("/")
    entry: dict[str, Any] = {
        "name": name,
        "attributes": {"file_size": size, "mtime": 1796156585, "file_mode": 432, "mime": "text/plain"},
    }
    if etag is not None:
        entry["attributes"]["md5"] = base64.b64encode(bytes.fromhex(etag[:32].ljust(32, "0"))).decode()
        entry["extended"] = {"Seaweed-X-Amz-ETag": base64.b64encode(etag.encode()).decode()}
    if directory:
        entry = {"name": name, "is_directory": True, "attributes": {"file_mode": 2147484141}}
    message: dict[str, Any] = {"signatures": [2498579]}
    if event == "delete":
        message["old_entry"] = entry
    else:
        message.update(new_entry=entry, new_parent_path=parent, delete_chunks=True)
    return {"event_type": event, "key": path, "message": message}
