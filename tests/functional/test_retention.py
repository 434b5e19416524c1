"""What Redis keeps of a job: its record while it runs, briefly after a finished upload, nothing of RQ's."""

from __future__ import annotations

import hashlib
import io
import json

from core import layout, uploads
from core.ids import new_batch_id
from core.intake import ingest_object
from core.jobs import find
from core.services import Services
from tests.functional.helpers import put, queued_job, task_args, uploaded
from worker import pipeline
from worker.__main__ import make_worker
from worker.runtime import Runtime


def ttl(svc: Services, job_id: str) -> int:
    return svc.clients.redis.ttl(layout.job_key(job_id))


def test_a_finished_upload_stays_ended_record_ttl_then_answers_from_its_result(svc, rt):
    job_id = queued_job(svc, b"one two three four")
    pipeline.process(rt, *task_args(svc, job_id))
    assert 0 < ttl(svc, job_id) <= svc.settings.ended_record_ttl_seconds
    svc.clients.redis.delete(layout.job_key(job_id))  # as when the record expires
    job = find(svc, job_id)
    assert job.status == "finished" and job.result.words == 4 and job.filename == "a.txt"


def test_a_failed_job_keeps_its_record_for_a_retry(svc, rt):
    job_id = queued_job(svc, b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # a PNG named .txt
    pipeline.process(rt, *task_args(svc, job_id))
    assert find(svc, job_id).error.code == "content_mismatch"
    assert ttl(svc, job_id) > svc.settings.ended_record_ttl_seconds


def test_a_dropped_object_and_a_batch_member_keep_their_records(svc, rt):
    # A dropped object's job id is the object's: its record makes a redelivered event a no-op.
    dropped = ingest_object(svc, put(svc, "incoming/kept.txt", b"words in a drop"))["job_id"]
    batch_id = new_batch_id()
    svc.batches.create(batch_id)
    member = queued_job(svc, batch_id=batch_id)
    svc.batches.join(batch_id, [member], seal=True)
    for job_id in (dropped, member):
        pipeline.process(rt, *task_args(svc, job_id))
        assert find(svc, job_id).status == "finished"
        assert ttl(svc, job_id) > svc.settings.ended_record_ttl_seconds


def test_a_worker_leaves_nothing_of_rq_behind_for_a_finished_job(svc):
    job_ids = [svc.lifecycle.queued(uploaded(svc, b"a b c", f"{n}.txt")).record.job_id for n in range(3)]
    worker = make_worker(Runtime.in_process(svc), "retention", svc.settings.queue_name)
    assert worker.work(burst=True, with_scheduler=False)
    assert [find(svc, job_id).status for job_id in job_ids] == ["finished"] * 3
    leftovers = [key.decode() for key in svc.clients.redis.scan_iter("rq:*")]
    per_job = [key for key in leftovers if any(job_id in key for job_id in job_ids)]
    assert per_job == [] and not [key for key in leftovers if key.startswith(("rq:results", "rq:finished"))]
    assert {key.decode() for key in svc.clients.redis.scan_iter("job:*")} == {
        layout.job_key(job_id) for job_id in job_ids
    }


def posted(body: bytes, name: str = "small.txt") -> uploads.Posted:
    return uploads.Posted(io.BytesIO(body), name, name.rsplit(".", 1)[1], len(body))


def gets(svc: Services) -> list[str]:
    """The keys this process GETs from the bucket from now on."""
    seen: list[str] = []
    svc.clients.s3.meta.events.register("before-call.s3.GetObject", lambda params, **_: seen.append(params))
    return seen


def test_a_small_upload_goes_with_its_job_and_the_worker_reads_no_object(svc, rt):
    body = "ünïcode words and more words\n".encode() * 20
    _, (record,) = uploads.accept(svc, [posted(body)])
    seen = gets(svc)
    pipeline.process(rt, *task_args(svc, record.job_id))
    assert seen == []  # the worker read the bytes its job carried
    job = find(svc, record.job_id)
    assert job.status == "finished" and job.result.words == 5 * 20
    reply = svc.clients.s3.get_object(Bucket=svc.settings.s3_bucket, Key=job.result_key)
    stored = json.loads(reply["Body"].read())
    assert stored["sha256"] == hashlib.sha256(body).hexdigest()
    assert "content" not in {k.decode() for k in svc.clients.redis.hkeys(layout.job_key(record.job_id))}


def test_a_failed_job_drops_the_bytes_it_carried(svc, rt):
    _, (record,) = uploads.accept(svc, [posted(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)])
    assert svc.clients.redis.hexists(layout.job_key(record.job_id), "content")
    pipeline.process(rt, *task_args(svc, record.job_id))
    assert find(svc, record.job_id).error.code == "content_mismatch"
    assert not svc.clients.redis.hexists(layout.job_key(record.job_id), "content")


def test_large_files_and_uploads_into_a_backlog_are_read_from_the_bucket(svc, rt, monkeypatch):
    big = b"word " * (uploads.INLINE_MAX_BYTES // 5 + 1)
    _, (large,) = uploads.accept(svc, [posted(big)])
    monkeypatch.setattr(uploads, "INLINE_BACKLOG", 0)  # as if the queue held a backlog
    _, (behind,) = uploads.accept(svc, [posted(b"a few words")])
    seen = gets(svc)
    for record in (large, behind):
        assert not svc.clients.redis.hexists(layout.job_key(record.job_id), "content")
        pipeline.process(rt, *task_args(svc, record.job_id))
    assert [params["url_path"].rsplit("/", 1)[1] for params in seen] == ["small.txt", "small.txt"]
    assert [find(svc, record.job_id).status for record in (large, behind)] == ["finished"] * 2
