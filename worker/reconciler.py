"""`python -m worker.reconciler`: every few seconds, queue dropped objects that no event announced.

Events get lost (MinIO caps its queue; moto sends none), so the bucket is scanned as the truth.
Any number of copies may run: the job ids are derived from the objects, so they never duplicate.
"""

from __future__ import annotations

import itertools
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from core import layout, logs
from core.bucket import ObjectRef, head
from core.ids import safe_filename
from core.intake import drop_job_ids, ingest_object, intake_for
from core.services import Services
from core.settings import load_for_process
from worker.housekeeping import sweep_multipart
from worker.listing import list_pages

log = logging.getLogger(__name__)
UPLOAD_SCAN_EVERY = 12


def _unknown(
    svc: Services, objects: list[ObjectRef], job_ids: list[tuple[str, ...]]
) -> list[tuple[ObjectRef, str]]:
    """The objects none of whose job ids has a record in Redis (one round trip per page)."""
    with svc.clients.redis.pipeline(transaction=False) as pipe:
        for ids in job_ids:
            pipe.exists(*(layout.job_key(job_id) for job_id in ids))
        known = pipe.execute()
    return [(obj, ids[0]) for obj, ids, exists in zip(objects, job_ids, known, strict=True) if not exists]


def _recent(svc: Services, prefix: str, seconds: int) -> Iterator[list[ObjectRef]]:
    """Pages of objects under `prefix` stored in the last `seconds`."""
    oldest = datetime.now(UTC) - timedelta(seconds=seconds)
    for page in list_pages(svc, prefix):
        yield [obj for obj, modified in page if modified >= oldest]


def reconcile_drops(svc: Services) -> int:
    """Queue dropped objects that no event announced."""
    created = 0
    for page in _recent(svc, svc.settings.drop_prefix, svc.settings.record_ttl_seconds):
        ids = [drop_job_ids(svc.settings, obj) for obj in page]
        for obj, _ in _unknown(svc, page, ids):
            outcome = ingest_object(svc, obj)
            created += isinstance(outcome, dict) and outcome["new"]
    return created


def reconcile_uploads(svc: Services) -> int:
    """Queue again uploads whose job Redis lost (a crash past its last fsync) and that have no result.

    Only uploads of the last ENDED_RECORD_TTL_SECONDS: a finished upload's record may be gone after
    that (its result answers for it), and this scan runs every minute or so.
    """
    created = 0
    for page in _recent(svc, layout.UPLOADS_PREFIX, svc.settings.ended_record_ttl_seconds):
        with_ids = [(obj, layout.job_id_from_upload_key(obj.key)) for obj in page]
        with_ids = [(obj, job_id) for obj, job_id in with_ids if job_id]
        unknown = _unknown(svc, [obj for obj, _ in with_ids], [(job_id,) for _, job_id in with_ids])
        for obj, job_id in unknown:
            if head(svc.clients.s3, obj.bucket, layout.result_key(job_id)) is None:
                created += svc.lifecycle.queued(intake_for(job_id, safe_filename(obj.key), obj)).applied
    return created


def reconcile(svc: Services, uploads: bool = True) -> int:
    """The bucket as the truth: jobs for every recent object that has none."""
    created = reconcile_drops(svc) + (reconcile_uploads(svc) if uploads else 0)
    if created:
        log.info("reconciler queued %d objects that had no job", created)
    return created


def main() -> int:
    settings = load_for_process("reconciler")
    logs.configure("reconciler")
    services = Services.build(settings)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    for passes in itertools.count():
        if stopping.is_set():
            break
        try:
            # Uploads have events or start calls; their (costlier) scan runs every UPLOAD_SCAN_EVERY passes.
            reconcile(services, uploads=passes % UPLOAD_SCAN_EVERY == 0)
            if passes % UPLOAD_SCAN_EVERY == 0:
                sweep_multipart(services)  # multipart uploads left open past their deadline
        except Exception:  # noqa: BLE001 - Redis or S3 down: log, wait, try again
            log.exception("reconcile pass failed; retrying")
        stopping.wait(settings.reconcile_interval_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
