"""Small helpers over the S3 client that both sides use."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from core.objects import ObjectRef

MISSING_CODES = ("NoSuchKey", "404", "NotFound", "NoSuchVersion")


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


def read_object(s3: Any, bucket: str, key: str) -> bytes | None:
    """A small object's bytes, or None if it does not exist."""
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
