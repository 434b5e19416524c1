"""Builders of S3 event notifications, shaped as AWS and MinIO send them."""

from __future__ import annotations

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
