"""Retry right after a failure, against real processes: every retry runs, none is left `queued`.

A client that long-polls (`?wait=`) hears of the failure while the worker is still doing RQ's
bookkeeping for that attempt; a retry at that moment must still queue a run that happens.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.client import Api
from tests.events import make_s3_event
from tests.integration.conftest import make_stack

ATTEMPTS = 30
JOBS = 8  # side by side, so the retries land at every point of the worker's bookkeeping


@pytest.fixture(scope="module")
def retry_stack(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "retry", workers=1, MAX_ATTEMPTS=str(ATTEMPTS))
    yield stack
    stack.stop()


def failing_jobs(stack, api: Api, keys: list[str]) -> list[str]:
    """Jobs whose objects are replaced after their events: every attempt fails `upload_missing`."""
    s3 = stack.s3_client()
    for worker in stack.workers:
        worker.stop()
    try:
        job_ids = []
        for key in keys:
            s3.put_object(Bucket="jobs", Key=key, Body=b"the bytes the event saw")
            reply = api.http.post(api.url("/events"), json=make_s3_event(key=key))
            job_ids.append(reply.json()["jobs"][0]["job_id"])
            s3.put_object(Bucket="jobs", Key=key, Body=b"other bytes, put after the event")
    finally:
        stack.start_worker()
    return job_ids


def ended(api: Api, job_id: str) -> dict:
    """The job as soon as it ends (a long poll: the answer comes the moment the status changes)."""
    reply = api.http.get(api.url(f"/jobs/{job_id}"), params={"wait": 15}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def retry_at_once_until_spent(api: Api, job_id: str) -> list[int]:
    """Retry the moment each attempt fails; the attempts each failure showed."""
    seen = []
    for attempt in range(1, ATTEMPTS + 1):
        job = ended(api, job_id)
        assert job["status"] == "failed", (attempt, job)  # a lost run would stay `queued`
        assert job["error"]["code"] == "upload_missing"
        seen.append(job["attempts"])
        reply = api.http.post(api.url(f"/jobs/{job_id}/retry"))
        expected = 202 if attempt < ATTEMPTS else 409
        assert reply.status_code == expected, (attempt, reply.text)
    return seen


def test_a_retry_at_once_after_each_failure_runs_every_time(retry_stack):
    api = Api(retry_stack.base_url)
    keys = [f"incoming/retry-at-once/{n}.txt" for n in range(JOBS)]
    job_ids = failing_jobs(retry_stack, api, keys)
    with ThreadPoolExecutor(JOBS) as pool:
        runs = list(pool.map(lambda job_id: retry_at_once_until_spent(Api(api.base), job_id), job_ids))
    assert runs == [list(range(1, ATTEMPTS + 1))] * JOBS
    for job_id in job_ids:
        job = api.job(job_id).json()
        assert job["status"] == "failed" and job["attempts"] == ATTEMPTS
