"""Jobs for every object under a prefix: a batch drop's listing (the reconciler scans with it too)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from core.bucket import ObjectRef
from core.intake import ingest_page
from core.lifecycle.record import DEFAULT_OWNER
from core.services import Services

log = logging.getLogger(__name__)


def list_pages(svc: Services, prefix: str) -> Iterator[list[tuple[ObjectRef, datetime]]]:
    """The objects under `prefix`, a ListObjectsV2 page at a time, folder markers left out."""
    bucket = svc.settings.s3_bucket
    for page in svc.clients.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        yield [
            (ObjectRef(bucket, item["Key"], item["Size"], item["ETag"].strip('"')), item["LastModified"])
            for item in page.get("Contents", [])
            if not item["Key"].endswith("/")
        ]


def list_batch(svc: Services, batch_id: str, prefix: str) -> int:
    """Make every object under `prefix` a job of the batch; objects with a job already join it as they are."""
    info = svc.batches.get(batch_id)
    owner = info.owner if info else DEFAULT_OWNER
    listed = 0
    for page in list_pages(svc, prefix):
        found = ingest_page(svc, [obj for obj, _ in page], batch_id, owner)
        page_ids = [outcome["job_id"] for outcome in found if isinstance(outcome, dict)]
        svc.batches.join(batch_id, page_ids)
        listed += len(page_ids)
    if svc.batches.seal(batch_id):
        svc.lifecycle.hooks.batch_done(batch_id)
    log.info("batch %s: %d objects under %s", batch_id, listed, prefix)
    return listed
