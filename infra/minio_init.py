"""`python -m infra.minio_init`: create the bucket on MinIO and subscribe it to the functions' webhook."""

from __future__ import annotations

import sys
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from core.clients import make_s3
from core.layout import RESULTS_PREFIX, UPLOADS_PREFIX
from core.settings import Settings
from infra.bucket import ensure_bucket
from infra.init_run import InitError, main_of, wait_for

# The target MinIO builds from the MINIO_NOTIFY_WEBHOOK_*_PRIMARY variables (no region is configured).
WEBHOOK_ARN = "arn:minio:sqs::PRIMARY:webhook"
EVENTS = ["s3:ObjectCreated:*"]


def watched_prefixes(drop_prefix: str) -> list[str]:
    """The prefixes whose new objects become jobs, without overlaps (S3 refuses overlapping filters)."""
    if drop_prefix.startswith(RESULTS_PREFIX) or RESULTS_PREFIX.startswith(drop_prefix):
        raise InitError(f"DROP_PREFIX={drop_prefix!r} overlaps {RESULTS_PREFIX!r}: results would become jobs")
    candidates = list(dict.fromkeys([drop_prefix, UPLOADS_PREFIX]))
    return [p for p in candidates if not any(p != q and p.startswith(q) for q in candidates)]


def notification_config(settings: Settings, arn: str = WEBHOOK_ARN) -> dict[str, Any]:
    """The bucket notification configuration: object creations under each watched prefix go to `arn`."""
    return {
        "QueueConfigurations": [
            {
                "Id": f"jobs-{prefix.rstrip('/').replace('/', '-')}",
                "QueueArn": arn,
                "Events": list(EVENTS),
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
            }
            for prefix in watched_prefixes(settings.drop_prefix)
        ]
    }


def subscribe(s3: Any, bucket: str, config: dict[str, Any]) -> None:
    """Replace the bucket's notification configuration with `config` (the same every run: idempotent)."""
    try:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    except ClientError as exc:
        raise InitError(
            f"subscribing bucket {bucket!r} to {WEBHOOK_ARN} failed: {exc}. "
            "Is MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY=on set on the MinIO server?"
        ) from None


def run(settings: Settings) -> None:
    """Wait for MinIO, ensure the bucket, subscribe it to the webhook; print each step."""
    if not settings.s3_endpoint_url:
        raise InitError("S3_ENDPOINT_URL is unset: this sets up a MinIO server, not AWS")
    config = notification_config(settings)
    s3 = make_s3(settings)
    wait_for(s3.list_buckets)
    print(f"minio_init: {settings.s3_endpoint_url} answers", flush=True)
    try:
        ensure_bucket(s3, settings.s3_bucket, settings.cors_origins)
    except (BotoCoreError, ClientError) as exc:
        raise InitError(f"creating bucket {settings.s3_bucket!r} failed: {exc}") from None
    print(f"minio_init: bucket {settings.s3_bucket!r} is ready", flush=True)
    subscribe(s3, settings.s3_bucket, config)
    prefixes = [rule["Filter"]["Key"]["FilterRules"][0]["Value"] for rule in config["QueueConfigurations"]]
    print(f"minio_init: new objects under {prefixes} are sent to {WEBHOOK_ARN}", flush=True)


def main() -> int:
    return main_of("minio_init", run)


if __name__ == "__main__":
    sys.exit(main())
