"""Files coming in through the functions: posted files streamed to the bucket, and presigned uploads."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError
from redis.exceptions import RedisError

from core import bucket, ids, layout
from core.bucket import ObjectRef
from core.intake import intake_for
from core.lifecycle.record import DEFAULT_OWNER, JobRecord
from core.models import BatchStatus
from core.services import Services

log = logging.getLogger(__name__)
CONTENT_TYPES = {
    "txt": "text/plain",
    "json": "application/json",
    "rtf": "application/rtf",
    "pdf": "application/pdf",
}
# Above this size boto3's transfer manager sends the file in parts; below it one PUT returns the ETag.
SINGLE_PUT_BYTES = 8 << 20
# A file up to this size goes with its job (the worker then needs no GET: the bytes it would read are
# the ones just stored, the ETag says so), while fewer than INLINE_BACKLOG jobs wait in the queue: a
# backlog keeps no files in Redis.
INLINE_MAX_BYTES = 16 << 10
INLINE_BACKLOG = 10_000
# One part in memory at a time: a request thread holds 8 MB, not the transfer manager's 10 × 8 MB.
SEQUENTIAL_PARTS = TransferConfig(multipart_chunksize=SINGLE_PUT_BYTES, use_threads=False)


@dataclass(frozen=True)
class Posted:
    """One file of a `POST /uploads`, checked: its stream, safe name, type and size."""

    stream: IO[bytes]
    filename: str
    file_type: str
    size: int


@dataclass(frozen=True)
class Stored:
    """A file in the bucket: its ETag when S3 told it, its bytes when they go with the job."""

    etag: str | None
    content: bytes | None = None


def store(svc: Services, stream: IO[bytes], key: str, size: int, file_type: str, inline: bool) -> Stored:
    """Stream one file to the bucket (`inline`: a small one is read first, to go with its job)."""
    bucket, content_type = svc.settings.s3_bucket, CONTENT_TYPES[file_type]
    if size <= SINGLE_PUT_BYTES:
        body = stream.read() if inline and size <= INLINE_MAX_BYTES else stream
        reply = svc.clients.s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        etag = reply.get("ETag", "").strip('"') or None
        # The bytes stand for the object only if S3 stored exactly them (its ETag is their MD5).
        same = isinstance(body, bytes) and etag == hashlib.md5(body, usedforsecurity=False).hexdigest()
        return Stored(etag, body if same else None)
    svc.clients.s3.upload_fileobj(
        stream, bucket, key, ExtraArgs={"ContentType": content_type}, Config=SEQUENTIAL_PARTS
    )
    return Stored(None)


def accept(
    svc: Services, files: list[Posted], callback_url: str | None = None, owner: str = DEFAULT_OWNER
) -> tuple[str, list[JobRecord]]:
    """Store and queue each file as a job; returns the batch id and the jobs.

    A one-file upload's batch is only a handle on its job (no keys); several files make a batch
    whose manifest is written when the last one ends.
    """
    job_ids = [ids.new_job_id() for _ in files]
    batch_id = ids.single_batch_id(job_ids[0]) if len(files) == 1 else ids.new_batch_id()
    if len(files) > 1:
        svc.batches.create(
            batch_id, BatchStatus.LISTING, origin="upload", owner=owner, callback_url=callback_url
        )
    intakes, stored, inline = [], [], svc.tasks.backlog() < INLINE_BACKLOG
    try:
        for job_id, posted in zip(job_ids, files, strict=True):
            key = layout.upload_key(job_id, posted.filename)
            stored.append(key)
            put = store(svc, posted.stream, key, posted.size, posted.file_type, inline)
            obj = ObjectRef(bucket=svc.settings.s3_bucket, key=key, size=posted.size, etag=put.etag)
            extra = {"batch_id": batch_id, "owner": owner, "callback_url": callback_url}
            intakes.append(intake_for(job_id, posted.filename, obj, content=put.content, **extra))
        # Every file stored, then all their jobs made (small files of the upload share RQ jobs).
        jobs = [change.record for change in svc.lifecycle.queued_many(intakes)]
    except RedisError:
        # Refused (Redis full or down) after the bytes reached the bucket: leave nothing there that
        # the reconciler would make into jobs this client never heard of.
        forget(svc, stored)
        raise
    if len(files) > 1 and svc.batches.join(batch_id, job_ids, seal=True):
        svc.lifecycle.hooks.batch_done(batch_id)
    return batch_id, jobs


def forget(svc: Services, keys: list[str]) -> None:
    """Delete the objects of a refused upload (best effort: the reply is an error either way)."""
    for key in keys:
        try:
            bucket.delete(svc.clients.s3, svc.settings.s3_bucket, key)
        except (BotoCoreError, ClientError):
            log.warning("could not delete %s of a refused upload", key)


def signed_upload(svc: Services, key: str, size: int, content_type: str, method: str) -> dict[str, Any]:
    """How to upload one file straight to the bucket: a presigned PUT, or a POST policy capped at `size`."""
    bucket, expires = svc.settings.s3_bucket, svc.settings.presign_expires_seconds
    if method == "POST":
        post = svc.clients.public_s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 0, size]],
            ExpiresIn=expires,
        )
        return {"method": "POST", "url": post["url"], "fields": post["fields"]}
    # Content-Length is signed too, so a server that checks signatures refuses a body of another size;
    # clients send it anyway (browsers may not set it), so only Content-Type is listed in `headers`.
    params = {"Bucket": bucket, "Key": key, "ContentType": content_type, "ContentLength": size}
    url = svc.clients.public_s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expires)
    return {"method": "PUT", "url": url, "headers": {"Content-Type": content_type}}


def presign(
    svc: Services, filename: str, size: int, content_type: str | None, method: str, **extra: Any
) -> tuple[JobRecord, dict[str, Any], str]:
    """A job awaiting its upload, how to upload it, and when the URL expires."""
    job_id = ids.new_job_id()
    key = layout.upload_key(job_id, filename)
    file_type = ids.file_type_of(filename) or "txt"
    upload = signed_upload(svc, key, size, content_type or CONTENT_TYPES[file_type], method)
    expires = datetime.now(UTC) + timedelta(seconds=svc.settings.presign_expires_seconds)
    intake = intake_for(job_id, filename, ObjectRef(svc.settings.s3_bucket, key), declared_size=size, **extra)
    record = svc.lifecycle.awaiting_upload(intake)
    return record, upload, expires.strftime("%Y-%m-%dT%H:%M:%SZ")
