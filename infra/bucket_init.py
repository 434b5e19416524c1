"""`python -m infra.bucket_init`: wait for the S3 server, create the bucket and set its CORS (idempotent).

For SeaweedFS, whose filer posts the events itself (notification.toml), and any S3 without notifications;
MinIO's init (`infra.minio_init`) does this too and subscribes the bucket to the webhook.
"""

from __future__ import annotations

import sys

from botocore.exceptions import BotoCoreError, ClientError

from core.clients import make_s3
from core.settings import Settings, load_for_process
from infra.bucket import ensure_bucket
from infra.minio_init import InitError, wait_for


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
    settings = load_for_process("bucket_init")
    try:
        run(settings)
    except InitError as exc:
        print(f"bucket_init: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
