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


ABORT_RULE_ID = "filejobs-abort-incomplete-multipart"


def abort_rule(days: int) -> dict[str, Any]:
    """A lifecycle rule aborting multipart uploads under uploads/ left open `days` days."""
    return {
        "ID": ABORT_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": "uploads/"},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
    }


def ensure_abort_rule(s3: Any, bucket: str, days: int = 2) -> bool:
    """Add (or refresh) the abort rule, keeping the bucket's other rules; False where lifecycle rules
    are not supported. The housekeeping aborts expired uploads itself: this is the second net."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError:
        rules = []  # none yet (NoSuchLifecycleConfiguration), or not supported: the put below tells
    rules = [rule for rule in rules if rule.get("ID") != ABORT_RULE_ID] + [abort_rule(days)]
    try:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    except ClientError as exc:
        log.info("bucket lifecycle rule not set (%s)", exc.response.get("Error", {}).get("Code"))
        return False
    return True


def ensure_bucket(s3: Any, bucket: str, origins: tuple[str, ...] = ()) -> None:
    """Create `bucket` if missing, allow browser uploads from `origins` (all when empty), and add the
    rule that aborts forgotten multipart uploads."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        s3.create_bucket(Bucket=bucket)
        log.info("created bucket %s", bucket)
    try:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
    except ClientError as exc:  # MinIO answers NotImplemented and allows every origin anyway
        log.info("bucket CORS not set (%s)", exc.response.get("Error", {}).get("Code"))
    ensure_abort_rule(s3, bucket)


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
