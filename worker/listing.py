"""Jobs for every object under a prefix: batch listings and the periodic reconciler."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from core.intake import create_queued, ingest_object
from core.keys import UPLOADS_PREFIX, job_id_from_upload_key, object_job_id, result_key, safe_filename
from core.manifests import seal
from core.objects import ObjectRef
from core.records import record_key
from core.services import Services
from core.storage import head

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


def _unknown(svc: Services, objects: list[ObjectRef], job_ids: list[str]) -> list[tuple[ObjectRef, str]]:
    """The objects whose job id has no record in Redis (one round trip per page)."""
    with svc.clients.redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.exists(record_key(job_id))
        known = pipe.execute()
    return [(obj, job_id) for obj, job_id, exists in zip(objects, job_ids, known, strict=True) if not exists]


def _recent(svc: Services, prefix: str) -> Iterator[list[ObjectRef]]:
    """Pages of objects under `prefix` young enough to have a job record."""
    oldest = datetime.now(UTC) - timedelta(seconds=svc.settings.record_ttl_seconds)
    for page in list_pages(svc, prefix):
        yield [obj for obj, modified in page if modified >= oldest]


def reconcile_drops(svc: Services) -> int:
    """Queue dropped objects that no event announced."""
    created = 0
    for page in _recent(svc, svc.settings.drop_prefix):
        ids = [object_job_id(obj.bucket, obj.key, obj.version) for obj in page]
        for obj, _ in _unknown(svc, page, ids):
            outcome = ingest_object(svc, obj)
            created += isinstance(outcome, dict) and outcome["new"]
    return created


def reconcile_uploads(svc: Services) -> int:
    """Queue again uploads whose job Redis lost (a crash past its last fsync) and that have no result."""
    created = 0
    for page in _recent(svc, UPLOADS_PREFIX):
        with_ids = [(obj, job_id_from_upload_key(obj.key)) for obj in page]
        with_ids = [(obj, job_id) for obj, job_id in with_ids if job_id]
        unknown = _unknown(svc, [obj for obj, _ in with_ids], [job_id for _, job_id in with_ids])
        for obj, job_id in unknown:
            if head(svc.clients.s3, obj.bucket, result_key(job_id)) is None:
                created += create_queued(svc, job_id, safe_filename(obj.key), obj)
    return created


def reconcile(svc: Services, uploads: bool = True) -> int:
    """The bucket as the truth: jobs for every recent object that has none."""
    created = reconcile_drops(svc) + (reconcile_uploads(svc) if uploads else 0)
    if created:
        log.info("reconciler queued %d objects that had no job", created)
    return created
