"""Create the bucket and let browsers upload to it (CORS); used by the embedded run and compose's init."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

log = logging.getLogger(__name__)


def cors_rules(origins: tuple[str, ...]) -> dict[str, Any]:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": list(origins) or ["*"],
                "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


def ensure_bucket(s3: Any, bucket: str, origins: tuple[str, ...] = ()) -> None:
    """Create `bucket` if missing and allow browser uploads from `origins` (all when empty)."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        s3.create_bucket(Bucket=bucket)
        log.info("created bucket %s", bucket)
    try:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
    except ClientError as exc:  # MinIO answers NotImplemented and allows every origin anyway
        log.info("bucket CORS not set (%s)", exc.response.get("Error", {}).get("Code"))


def create_if_missing(s3: Any, bucket: str, origins: tuple[str, ...] = ()) -> bool:
    """Create `bucket` (with CORS for `origins`) only if it does not exist; never touches an existing one."""
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    ensure_bucket(s3, bucket, origins)
    return True
