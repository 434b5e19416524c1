"""`python -m infra.bucket_init`: wait for the S3 server, create the bucket and set its CORS (idempotent).

For SeaweedFS, whose filer posts the events itself (notification.toml), and any S3 without notifications;
MinIO's init (`infra.minio_init`) does this too and subscribes the bucket to the webhook.
"""

from __future__ import annotations

import sys

from botocore.exceptions import BotoCoreError, ClientError

from core.clients import make_s3
from core.settings import Settings
from infra.bucket import ensure_bucket
from infra.init_run import InitError, main_of, wait_for


def run(settings: Settings) -> None:
    """Wait for the endpoint, then ensure the bucket and its CORS (CORS_ORIGINS, ETag exposed)."""
    s3 = make_s3(settings)
    wait_for(s3.list_buckets)
    print(f"bucket_init: {settings.s3_endpoint_url or 'AWS S3'} answers", flush=True)
    try:
        ensure_bucket(s3, settings.s3_bucket, settings.cors_origins)
    except (BotoCoreError, ClientError) as exc:
        raise InitError(f"setting up bucket {settings.s3_bucket!r} failed: {exc}") from None
    origins = ", ".join(settings.cors_origins) or "any origin"
    print(f"bucket_init: bucket {settings.s3_bucket!r} ready, browser uploads from {origins}", flush=True)


def main() -> int:
    return main_of("bucket_init", run)


if __name__ == "__main__":
    sys.exit(main())
