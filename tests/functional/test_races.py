"""Races between transitions: each is decided inside one Lua call, so exactly one side wins."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from redis.exceptions import ConnectionError as RedisConnectionError

from core import layout
from core.bucket import ObjectRef
from core.ids import new_batch_id
from core.jobs import find
from core.models import BatchStatus
from tests.functional.helpers import queued_job, task_args, uploaded
from worker import pipeline


def together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released at the same moment; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_start_racing_an_event_queues_the_job_once(svc):
    intake = uploaded(svc)
    svc.lifecycle.awaiting_upload(intake)
    obj = ObjectRef(**intake.source.model_dump())
    changes = together(*[lambda: svc.lifecycle.upload_arrived(intake.job_id, obj)] * 6)
    assert sum(change.applied for change in changes) == 1
    assert svc.queue.count == 1 and find(svc, intake.job_id).status == "queued"


def test_a_late_finish_of_an_attempt_given_up_does_not_apply(svc, rt):
    job_id = queued_job(svc)
    first = svc.lifecycle.started(job_id)
    svc.lifecycle.given_up(job_id, "worker lost")
    assert svc.lifecycle.retried(job_id).applied
    second = svc.lifecycle.started(job_id)
    assert not svc.lifecycle.finished(first, {"words": 1, "characters": 1}, 0.1)  # attempt 1 is over
    assert svc.lifecycle.finished(second, {"words": 3, "characters": 13}, 0.1)
    job = find(svc, job_id)
    assert job.status == "finished" and job.attempts == 2 and job.result.words == 3


def test_a_retry_racing_a_late_finish_has_one_winner(svc):
    job_id = queued_job(svc)
    record = svc.lifecycle.started(job_id)
    svc.lifecycle.given_up(job_id, "worker lost")
    retried, finished = together(
        lambda: svc.lifecycle.retried(job_id),
        lambda: svc.lifecycle.finished(record, {"words": 1, "characters": 1}, 0.1),
    )
    assert retried.applied and not finished
    assert find(svc, job_id).status == "queued"


def long_pdf_job(svc, rt, pages: int = 230) -> str:
    from tests import builders

    padding = b"/Padding (" + b"x" * 1400 + b") "
    body = builders.make_pdf([f"page {n}" for n in range(pages)], page_extra=padding)
    job_id = queued_job(svc, body, name="long.pdf")
    assert pipeline.process(rt, *task_args(svc, job_id)) == "started"  # its parts are queued
    return job_id


def part_args(svc, job_id: str) -> list[list]:
    from rq.job import Job
    from rq.serializers import JSONSerializer

    ids = [raw.decode() for raw in svc.clients.redis.lrange(svc.queue.key, 0, -1) if raw.decode() != job_id]
    return [Job.fetch(i, connection=svc.clients.redis, serializer=JSONSerializer).args for i in ids]


def run_part(rt, args: list) -> str:
    job_id, source, start, stop, total, attempt = args
    return pipeline.process_part(rt, job_id, source, (start, stop), total, attempt)


def test_the_parts_of_a_long_pdf_run_and_the_last_one_finishes_it(svc, rt):
    job_id = long_pdf_job(svc, rt)
    parts = part_args(svc, job_id)
    assert len(parts) == 2
    assert [run_part(rt, args) for args in parts] == ["started", "finished"]
    job = find(svc, job_id)
    assert job.status == "finished" and job.result.pages == 230 and len(job.result.page_words) == 230
    assert not svc.clients.redis.exists(layout.parts_key(job_id))


def test_a_cancel_before_the_last_part_leaves_no_result(svc, rt):
    job_id = long_pdf_job(svc, rt)
    first, last = part_args(svc, job_id)
    assert run_part(rt, first) == "started"
    cancel, part = together(lambda: svc.lifecycle.cancelled(job_id), lambda: run_part(rt, last))
    job = find(svc, job_id)
    assert job.status == "failed" and job.error.code == "cancelled", (cancel, part)
    keys = svc.clients.s3.list_objects_v2(Bucket="jobs", Prefix=layout.result_key(job_id)).get("KeyCount")
    assert keys == 0


def test_the_manifest_is_written_exactly_once(svc, rt, monkeypatch):
    batch_id = new_batch_id()
    svc.batches.create(batch_id, BatchStatus.LISTING, origin="upload")
    job_ids = [queued_job(svc, f"file {n}".encode(), batch_id=batch_id) for n in range(6)]
    calls = []
    real = svc.lifecycle.hooks.batch_done
    monkeypatch.setattr(type(svc.lifecycle.hooks), "batch_done", lambda self, b: (calls.append(b), real(b)))
    args = [task_args(svc, job_id) for job_id in job_ids]
    pipeline.process(rt, *args[0])  # one ends before the batch is sealed
    assert not svc.batches.join(batch_id, job_ids, seal=True)
    together(*[lambda a=a: pipeline.process(rt, *a) for a in args[1:]])
    assert calls == [batch_id]
    info = svc.batches.get(batch_id)
    assert info.summary.status == "done" and info.summary.counts.finished == 6 and info.summary.words == 12
    manifest = svc.clients.s3.get_object(Bucket="jobs", Key=layout.batch_manifest_key(batch_id))[
        "Body"
    ].read()
    assert manifest.count(b'"job_id"') == 6


def test_a_batch_of_jobs_that_all_ended_before_the_seal_completes_at_the_seal(svc, rt):
    batch_id = new_batch_id()
    svc.batches.create(batch_id, BatchStatus.LISTING, origin="prefix")
    job_id = queued_job(svc)
    pipeline.process(rt, *task_args(svc, job_id))
    assert not svc.batches.join(batch_id, [job_id])
    assert svc.batches.seal(batch_id)
    assert svc.batches.get(batch_id).summary.status == "done"


def test_a_finish_whose_reply_was_lost_is_answered_again_and_logged_once(svc, rt, monkeypatch, caplog):
    """Redis applied the step, then the connection dropped before its reply: the resent step (same
    token) gets the first answer, so the job's ending hook still runs exactly once."""
    caplog.set_level(logging.INFO, logger="core.lifecycle")
    store = svc.lifecycle.store
    real, lost = store._transition, []

    def applied_then_dropped(keys, args):
        reply = real(keys=keys, args=args)
        if args[3] == "finished" and not lost:
            lost.append(reply)
            raise RedisConnectionError("Connection closed by server.")
        return reply

    monkeypatch.setattr(store, "_transition", applied_then_dropped)
    monkeypatch.setattr(store, "patience", 5.0)
    job_id = queued_job(svc, b"one two three")
    assert pipeline.process(rt, *task_args(svc, job_id)) == "finished"
    assert lost and find(svc, job_id).status == "finished"
    ends = [r for r in caplog.records if getattr(r, "event", None) == "job_finished"]
    assert [r.job_id for r in ends] == [job_id]


def test_a_retry_while_the_worker_closes_the_failed_attempt_keeps_its_run(svc, rt):
    """The worker marks the job failed inside the task, then RQ deletes that run's hash: a retry in
    between must queue a run of its own, which that deletion cannot touch."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    job_id = queued_job(svc)
    svc.clients.s3.delete_object(Bucket="jobs", Key=find(svc, job_id).source.key)
    failing = Job.fetch(job_id, connection=svc.clients.redis, serializer=JSONSerializer)
    assert pipeline.process(rt, *failing.args) == "failed"  # upload_missing, RQ not told yet
    assert svc.lifecycle.retried(job_id).applied
    failing.delete()  # what the worker's success path does with the attempt it ran
    queued = [raw.decode() for raw in svc.clients.redis.lrange(svc.queue.key, 0, -1)]
    assert len(queued) == 1 and queued[0] != job_id
    run = Job.fetch(queued[0], connection=svc.clients.redis, serializer=JSONSerializer)
    assert run.args[0] == job_id and find(svc, job_id).status == "queued"
