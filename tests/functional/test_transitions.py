"""Every transition of a job, through the lifecycle with a real Redis and S3 server."""

from __future__ import annotations

import json

from core import layout
from core.bucket import ObjectRef
from core.jobs import find
from core.lifecycle.record import DEFAULT_OWNER
from core.stats import read_hash
from tests.functional.helpers import queued_job, task_args, uploaded
from worker import housekeeping, pipeline


def ended_stats(svc) -> dict[str, float]:
    return read_hash(svc.clients.redis, layout.STATS_ENDED)


def test_queued_started_finished(svc, rt):
    job_id = queued_job(svc, b"one two three")
    assert svc.lifecycle.get(job_id).status == "queued"
    assert svc.queue.count == 1
    assert pipeline.process(rt, *task_args(svc, job_id)) == "finished"
    job = find(svc, job_id)
    assert job.status == "finished" and job.attempts == 1 and job.result.words == 3
    stored = json.loads(
        svc.clients.s3.get_object(Bucket="jobs", Key=layout.result_key(job_id))["Body"].read()
    )
    assert stored["words"] == 3 and stored["job_id"] == job_id
    assert ended_stats(svc) == {"finished": 1.0}
    assert read_hash(svc.clients.redis, layout.duration_key("txt"))["sum"] >= 0


def test_an_ended_record_is_small_and_status_falls_back_to_the_bucket(svc, rt):
    job_id = queued_job(svc, b"x " * 1000, name="a-rather-long-file-name-for-a-report.txt")
    pipeline.process(rt, *task_args(svc, job_id))
    assert svc.clients.redis.memory_usage(layout.job_key(job_id)) <= 512
    job = find(svc, job_id)
    assert job.status == "finished" and job.filename == "a-rather-long-file-name-for-a-report.txt"
    assert job.source.key.startswith("uploads/") and job.result.words == 1000


def test_an_unsupported_type_fails_at_intake_and_is_counted(svc):
    change = svc.lifecycle.queued(uploaded(svc, name="a.exe"))
    assert change.applied and change.record.status == "failed"
    assert change.record.error.code == "unsupported_type"
    assert ended_stats(svc) == {"failed": 1.0}
    assert read_hash(svc.clients.redis, layout.STATS_FAILURES) == {"unsupported_type": 1.0}
    assert svc.queue.count == 0


def test_a_bad_file_fails_with_its_code(svc, rt):
    job_id = queued_job(svc, b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    assert pipeline.process(rt, *task_args(svc, job_id)) == "failed"
    assert find(svc, job_id).error.code == "content_mismatch"
    assert read_hash(svc.clients.redis, layout.STATS_FAILURES) == {"content_mismatch": 1.0}


def test_a_second_create_of_one_id_changes_nothing(svc):
    intake = uploaded(svc)
    assert svc.lifecycle.queued(intake).applied
    again = svc.lifecycle.queued(intake)
    assert not again.applied and again.before == "queued" and svc.queue.count == 1


def test_a_duplicate_run_after_the_end_is_skipped(svc, rt):
    job_id = queued_job(svc)
    args = task_args(svc, job_id)
    assert pipeline.process(rt, *args) == "finished"
    assert pipeline.process(rt, *args) == "skipped"
    assert find(svc, job_id).attempts == 1 and ended_stats(svc) == {"finished": 1.0}


def test_a_record_redis_lost_is_rebuilt_from_the_task(svc, rt):
    job_id = queued_job(svc)
    args = task_args(svc, job_id)
    svc.clients.redis.delete(layout.job_key(job_id))
    assert pipeline.process(rt, *args) == "finished"
    job = find(svc, job_id)
    assert job.status == "finished" and job.attempts == 1 and job.owner == DEFAULT_OWNER


def test_presigned_upload_expires_without_a_file(svc):
    intake = uploaded(svc)
    svc.clients.s3.delete_object(Bucket="jobs", Key=intake.source.key)
    svc.lifecycle.awaiting_upload(intake)
    assert housekeeping.expire_upload(svc, intake.job_id) == "expired"
    job = find(svc, intake.job_id)
    assert job.status == "failed" and job.error.code == "upload_missing"
    assert housekeeping.expire_upload(svc, intake.job_id) == "ignored"
    assert read_hash(svc.clients.redis, layout.STATS_FAILURES) == {"upload_missing": 1.0}


def test_expiry_starts_an_upload_that_did_arrive(svc):
    intake = uploaded(svc)
    svc.lifecycle.awaiting_upload(intake)
    assert housekeeping.expire_upload(svc, intake.job_id) == "started"
    assert find(svc, intake.job_id).status == "queued"


def test_an_upload_over_its_declared_size_fails_too_large(svc):
    intake = uploaded(svc, b"0123456789", declared_size=3)
    svc.lifecycle.awaiting_upload(intake)
    change = svc.lifecycle.upload_arrived(intake.job_id, ObjectRef(**intake.source.model_dump()))
    assert change.record.status == "failed" and change.record.error.code == "too_large"


def test_cancel_a_queued_job_and_not_an_ended_one(svc, rt):
    job_id = queued_job(svc)
    change = svc.lifecycle.cancelled(job_id)
    assert change.applied and change.record.error.code == "cancelled"
    assert pipeline.process(rt, *task_args(svc, job_id)) == "skipped"
    assert not svc.lifecycle.cancelled(job_id).applied
    assert read_hash(svc.clients.redis, layout.STATS_FAILURES) == {"cancelled": 1.0}


def test_retry_only_what_a_retry_may_cure_within_max_attempts(svc, rt):
    bad = queued_job(svc, b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    pipeline.process(rt, *task_args(svc, bad))
    assert not svc.lifecycle.retried(bad).applied  # content_mismatch: retrying cannot help
    job_id = queued_job(svc)
    for attempt in range(1, 4):  # MAX_ATTEMPTS=3 in these tests
        record = svc.lifecycle.started(job_id)
        assert record.attempts == attempt
        svc.lifecycle.given_up(job_id, "worker lost")
        retried = svc.lifecycle.retried(job_id)
        assert retried.applied == (attempt < 3), attempt
    assert find(svc, job_id).status == "failed"


def test_a_retried_job_runs_again(svc, rt):
    job_id = queued_job(svc)
    svc.lifecycle.started(job_id)
    svc.lifecycle.given_up(job_id, "worker lost")
    change = svc.lifecycle.retried(job_id)
    assert change.applied and change.record.status == "queued" and change.record.error is None
    assert pipeline.process(rt, *task_args(svc, job_id)) == "finished"
    assert find(svc, job_id).attempts == 2
