"""Cancel over real processes: a queued job leaves the queue, a started one's parsing stops, batches."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from botocore.exceptions import ClientError

from infra.stack import Stack
from tests.client import Api
from tests.livestack import start_live_stack

MB = 1_000_000
# striprtf reads about 2-3.5 MB/s here: this file keeps the one worker busy for several seconds.
SLOW_RTF = ("{\\rtf1\\ansi " + "word \\b bold\\b0 " * 1_300_000 + "}").encode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    env = {"MAX_UPLOAD_BYTES": str(40 * MB), "JOB_TIMEOUT_SECONDS": "120"}
    stack = start_live_stack(tmp_path_factory.mktemp("cancel"), workers=1, **env)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack.base_url)


def cancel(api: Api, job_id: str):
    return api.http.post(api.url(f"/jobs/{job_id}/cancel"), timeout=10)


def started_slow_job(api: Api) -> str:
    """The id of a long parse that the one worker is running now."""
    job_id = api.upload_one("slow.rtf", SLOW_RTF)["job_id"]
    deadline = time.monotonic() + 60
    while api.job(job_id).json()["status"] != "started":
        assert time.monotonic() < deadline, "the slow job never started"
        time.sleep(0.05)
    time.sleep(0.5)  # the parsing child is in the middle of the file
    return job_id


def queued_ids(stack: Stack) -> list[str]:
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    return [raw.decode() for raw in client.lrange("rq:queue:jobs", 0, -1)]


def test_a_started_job_stops_within_2_s_and_writes_no_result(api, stack):
    slow = started_slow_job(api)
    cancelled_at = time.monotonic()
    reply = cancel(api, slow)
    assert reply.status_code == 200
    assert reply.json()["status"] == "failed" and reply.json()["error"]["code"] == "cancelled"
    after = api.upload_one("next.txt", b"one two three")["job_id"]
    job = api.wait(after, timeout=30)
    # The worker took the next file at once: the slow parse (several seconds more) was stopped.
    assert job["status"] == "finished" and time.monotonic() - cancelled_at < 2 + 2.5
    assert api.job(slow).json()["error"]["code"] == "cancelled"
    with pytest.raises(ClientError):
        stack.s3_client().head_object(Bucket="jobs", Key=f"results/{slow}.json")


def test_a_queued_job_leaves_the_queue(api, stack):
    slow = started_slow_job(api)
    waiting = api.upload_one("waiting.txt", b"never counted")["job_id"]
    assert waiting in queued_ids(stack)
    reply = cancel(api, waiting)
    assert reply.status_code == 200 and reply.json()["error"]["code"] == "cancelled"
    assert waiting not in queued_ids(stack)
    assert cancel(api, slow).status_code == 200
    time.sleep(1)
    assert api.job(waiting).json()["status"] == "failed"


def test_an_ended_job_cannot_be_cancelled(api):
    job = api.process("done.txt", b"a b")
    reply = cancel(api, job["job_id"])
    assert reply.status_code == 409 and reply.json()["error"]["code"] == "conflict"
    assert cancel(api, "nosuchjob").status_code == 404


def test_a_batch_cancel_ends_every_job_that_has_not_ended(api):
    slow = started_slow_job(api)
    batch = api.upload(("a.txt", b"one"), ("b.txt", b"two")).json()
    reply = api.http.post(api.url(f"/batches/{batch['batch_id']}/cancel"), timeout=10)
    assert reply.status_code == 200, reply.text
    doc = reply.json()
    assert doc["cancelled"] == 2 and doc["counts"]["failed"] == 2 and doc["status"] == "done"
    assert {job["error"]["code"] for job in doc["jobs"]} == {"cancelled"}
    assert cancel(api, slow).status_code == 200
    again = api.http.post(api.url(f"/batches/{batch['batch_id']}/cancel"), timeout=10)
    assert again.status_code == 200 and again.json()["cancelled"] == 0
    assert api.http.post(api.url("/batches/nosuch/cancel"), timeout=10).status_code == 404
