"""Small files of one upload or listing page share an RQ job (a group), each still its own job."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from core import layout
from core.ids import new_batch_id
from core.intake import ingest_page
from core.jobs import find
from core.services import Services
from core.stats import read_hash
from core.tasks import PROCESS, PROCESS_GROUP
from tests.functional.helpers import put, queued_job, uploaded
from worker import pipeline
from worker.runtime import Runtime


def queued_rq_jobs(svc: Services) -> list[Job]:
    return [Job.fetch(i, connection=svc.clients.redis, serializer=JSONSerializer) for i in svc.queue.job_ids]


def group_of(svc: Services) -> str:
    (group,) = [job for job in queued_rq_jobs(svc) if job.func_name == PROCESS_GROUP]
    return group.args[0]


def finished_count(svc: Services) -> int:
    return int(read_hash(svc.clients.redis, layout.STATS_ENDED).get("finished", 0))


class FlakyParser:
    """The in-process parser, failing the first time for the files named in `flaky` (a lost connection)."""

    def __init__(self, parser, flaky: set[str]) -> None:
        self.parser, self.flaky = parser, flaky

    def parse(self, path: Path, file_type: str, pages=None, stop=None):
        if self.flaky:
            self.flaky.pop()
            raise ConnectionError("the storage went away")
        return self.parser.parse(path, file_type, pages, stop)

    def close(self) -> None:
        self.parser.close()


@pytest.fixture
def grouped(svc: Services) -> Services:
    """Groups of at most 3 files, of up to 1 KB each."""
    settings = replace(svc.settings, task_group_files=3, task_group_max_bytes=1024)
    return Services.build(settings, svc.clients)


def test_small_files_of_one_upload_share_an_rq_job_and_each_ends_on_its_own(grouped):
    svc = grouped
    intakes = [uploaded(svc, b"one two three", f"f{n}.txt") for n in range(3)]
    big = uploaded(svc, b"word " * 300, "big.txt")  # over 1 KB: a job of its own
    changes = svc.lifecycle.queued_many([*intakes, big])
    assert [change.applied for change in changes] == [True] * 4
    assert sorted(job.func_name for job in queued_rq_jobs(svc)) == [PROCESS, PROCESS_GROUP]
    group_id = group_of(svc)
    members = [i.job_id for i in intakes]
    assert pipeline.group_members(Runtime.in_process(svc), group_id) == members
    assert [find(svc, job_id).status for job_id in members] == ["queued"] * 3
    assert pipeline.process_group(Runtime.in_process(svc), group_id) == 3
    for job_id in members:
        job = find(svc, job_id)
        assert job.status == "finished" and job.attempts == 1 and job.result.words == 3
        assert svc.clients.s3.head_object(Bucket=svc.settings.s3_bucket, Key=layout.result_key(job_id))
    assert not svc.clients.redis.exists(layout.group_key(group_id))
    assert finished_count(svc) == 3 and find(svc, big.job_id).status == "queued"


def test_a_group_goes_on_past_a_transient_failure_and_its_retry_runs_only_that_job(grouped):
    svc = grouped
    intakes = [uploaded(svc, b"one two", f"f{n}.txt") for n in range(3)]
    svc.lifecycle.queued_many(intakes)
    group_id = group_of(svc)
    plain = Runtime.in_process(svc)
    flaky = Runtime(svc, FlakyParser(plain.parser, {"once"}), plain.policy)
    with pytest.raises(ConnectionError):
        pipeline.process_group(flaky, group_id)  # the first job failed; the two others ran
    assert [find(svc, i.job_id).status for i in intakes] == ["started", "finished", "finished"]
    assert svc.clients.redis.exists(layout.group_key(group_id))  # kept for RQ's retry
    pipeline.process_group(Runtime.in_process(svc), group_id)  # RQ's retry of the group
    jobs = [find(svc, i.job_id) for i in intakes]
    assert [(job.status, job.attempts) for job in jobs] == [("finished", 2), ("finished", 1), ("finished", 1)]
    assert finished_count(svc) == 3  # none finished twice


def test_a_group_run_again_after_its_worker_died_finishes_each_job_once(grouped):
    svc = grouped
    intakes = [uploaded(svc, b"a b c d", f"f{n}.txt") for n in range(3)]
    svc.lifecycle.queued_many(intakes)
    group_id, rt = group_of(svc), Runtime.in_process(svc)
    pipeline.process(rt, intakes[0].job_id)  # the dead worker finished the first job,
    assert svc.lifecycle.started(intakes[1].job_id) is not None  # and died while on the second
    pipeline.process_group(rt, group_id)  # RQ found the group abandoned and ran it again
    jobs = [find(svc, i.job_id) for i in intakes]
    assert [(job.status, job.attempts) for job in jobs] == [("finished", 1), ("finished", 2), ("finished", 1)]
    assert finished_count(svc) == 3


def test_giving_up_on_a_group_fails_only_its_jobs_that_had_not_ended(grouped):
    svc = grouped
    intakes = [uploaded(svc, b"a b", f"f{n}.txt") for n in range(3)]
    svc.lifecycle.queued_many(intakes)
    group_id, rt = group_of(svc), Runtime.in_process(svc)
    pipeline.process(rt, intakes[0].job_id)
    pipeline.give_up_task(rt, PROCESS_GROUP, group_id, "The worker processing this file stopped.")
    jobs = [find(svc, i.job_id) for i in intakes]
    assert [job.status for job in jobs] == ["finished", "failed", "failed"]
    assert {job.error.code for job in jobs[1:]} == {"internal"}
    assert not svc.clients.redis.exists(layout.group_key(group_id))


def test_a_cancelled_member_is_skipped_and_an_unsupported_file_fails_at_once(grouped):
    svc = grouped
    intakes = [uploaded(svc, b"x y", name) for name in ("a.txt", "b.exe", "c.txt")]
    changes = svc.lifecycle.queued_many(intakes)
    assert [change.record.status for change in changes] == ["queued", "failed", "queued"]
    group_id, rt = group_of(svc), Runtime.in_process(svc)
    assert pipeline.group_members(rt, group_id) == [intakes[0].job_id, intakes[2].job_id]
    svc.lifecycle.cancelled(intakes[2].job_id)
    pipeline.process_group(rt, group_id)
    assert [find(svc, i.job_id).status for i in intakes] == ["finished", "failed", "failed"]
    assert find(svc, intakes[2].job_id).error.code == "cancelled"


def test_a_listing_page_groups_only_the_jobs_it_made(grouped):
    svc = grouped
    objs = [put(svc, f"incoming/page/{n}.txt", b"some words here") for n in range(3)]
    batch_id = new_batch_id()
    svc.batches.create(batch_id)
    first = ingest_page(svc, objs[:1], batch_id)  # one object alone: a job of its own
    assert first[0]["new"] and [job.func_name for job in queued_rq_jobs(svc)] == [PROCESS]
    outcomes = ingest_page(svc, objs, batch_id)  # listed again with two more: they make one group
    assert [outcome["new"] for outcome in outcomes] == [False, True, True]
    group_id, rt = group_of(svc), Runtime.in_process(svc)
    assert pipeline.group_members(rt, group_id) == [outcome["job_id"] for outcome in outcomes[1:]]


def test_a_one_file_upload_writes_no_group(svc):
    job_id = queued_job(svc)
    assert [job.func_name for job in queued_rq_jobs(svc)] == [PROCESS]
    assert not list(svc.clients.redis.scan_iter("group:*")) and find(svc, job_id).status == "queued"
