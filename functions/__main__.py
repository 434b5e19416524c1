"""`python -m functions`: the development server on $HOST:$PORT (production: gunicorn)."""

from __future__ import annotations

import logging
import sys

from botocore.exceptions import BotoCoreError, ClientError

from core.settings import load_for_process

log = logging.getLogger("functions")


def main() -> int:
    settings = load_for_process("functions")
    from functions.app import create_app
    from infra.bucket import create_if_missing

    app = create_app(settings)
    try:  # a fresh S3 server has no bucket yet; an existing bucket is left exactly as it is
        if create_if_missing(app.extensions["jobs"].clients.s3, settings.s3_bucket, settings.cors_origins):
            log.info("created bucket %s", settings.s3_bucket)
    except (BotoCoreError, ClientError) as exc:
        log.warning("bucket %s not checked (%s); /healthz will tell", settings.s3_bucket, exc)
    app.run(host=settings.host, port=settings.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
