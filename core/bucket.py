"""The bucket: object references and the few S3 calls both sides make (head, read, put JSON, delete)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from core.models import Source

MISSING_CODES = ("NoSuchKey", "404", "NotFound", "NoSuchVersion")


@dataclass(frozen=True)
class ObjectRef:
    """One version of one object: what an upload, an event or a listing tells us about."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None

    def source(self) -> Source:
        return Source(
            bucket=self.bucket, key=self.key, size=self.size, etag=self.etag, version_id=self.version_id
        )

    @property
    def version(self) -> str:
        """What tells this version from others: ETag and size, which events and listings both carry.

        (Listings have no version id, so using it would give one object two jobs.)
        """
        if self.etag is None:
            return self.version_id or f"none:{self.size}"
        return f"{self.etag}:{self.size}"


def is_missing(exc: ClientError) -> bool:
    """Whether S3 answered that the object (or version) does not exist."""
    return exc.response.get("Error", {}).get("Code") in MISSING_CODES


def head(s3: Any, bucket: str, key: str) -> ObjectRef | None:
    """What the bucket holds at `key`, or None."""
    try:
        reply = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
    etag = reply.get("ETag", "").strip('"') or None
    return ObjectRef(bucket, key, reply.get("ContentLength"), etag, reply.get("VersionId"))


def read(s3: Any, bucket: str, key: str) -> bytes | None:
    """A small object's bytes, or None if it does not exist."""
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def holds_any(s3: Any, bucket: str, prefix: str) -> bool:
    """Whether at least one object's key starts with `prefix` (one listing call, one key)."""
    return s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0) > 0


def put_json(s3: Any, bucket: str, key: str, doc: Any) -> None:
    """Store `doc` as `application/json`, ending in a newline like every JSON reply of the API."""
    body = (json.dumps(doc, ensure_ascii=False) + "\n").encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def delete(s3: Any, bucket: str, key: str) -> None:
    s3.delete_object(Bucket=bucket, Key=key)
