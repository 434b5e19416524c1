"""Jobs for every object under a prefix: batch listings and the periodic reconciler."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from core.intake import ingest_object
from core.keys import object_job_id
from core.manifests import seal
from core.objects import ObjectRef
from core.records import record_key
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
    """Make every object under `prefix` a job of the batch; objects with a job already are counted."""
    job_ids: list[str] = []
    for page in list_pages(svc, prefix):
        found = [ingest_object(svc, obj, batch_id=batch_id) for obj, _ in page]
        page_ids = [outcome["job_id"] for outcome in found if isinstance(outcome, dict)]
        svc.batches.add_jobs(batch_id, page_ids)
        job_ids += page_ids
    seal(svc, batch_id, job_ids)
    log.info("batch %s: %d objects under %s", batch_id, len(job_ids), prefix)
    return len(job_ids)


def _missing(svc: Services, page: list[tuple[ObjectRef, datetime]]) -> list[ObjectRef]:
    ids = [object_job_id(obj.bucket, obj.key, obj.version) for obj, _ in page]
    with svc.clients.redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.exists(record_key(job_id))
        known = pipe.execute()
    return [obj for (obj, _), exists in zip(page, known, strict=True) if not exists]


def reconcile(svc: Services) -> int:
    """Queue dropped objects that no event announced; objects older than a job record's life are left."""
    oldest = datetime.now(UTC) - timedelta(seconds=svc.settings.record_ttl_seconds)
    created = 0
    for page in list_pages(svc, svc.settings.drop_prefix):
        recent = [(obj, modified) for obj, modified in page if modified >= oldest]
        for obj in _missing(svc, recent):
            outcome = ingest_object(svc, obj)
            created += isinstance(outcome, dict) and outcome["new"]
    if created:
        log.info("reconciler queued %d dropped objects", created)
    return created
