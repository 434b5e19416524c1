"""Ids of dropped objects across real processes: an HMAC with ID_SECRET that the functions (events),
the workers (batch listings) and the reconciler all compute alike, so a drop is one job whichever sees it.
"""

from __future__ import annotations

import time

import pytest
import redis
import requests

from core.ids import object_job_id
from core.settings import NO_ID_SECRET
from infra.processes import wait_until
from infra.stack import Stack
from tests.client import Api
from tests.events import make_s3_event
from tests.integration.conftest import make_stack
from tests.livestack import start_functions

SECRET = "drop-ids-secret-of-32-characters"
APPS = ("functions", "worker-1", "reconciler")


def restart_apps(stack: Stack, **env: str) -> None:
    """Stop the functions, workers, callbacks worker and reconciler; start them again with `env` added."""
    for service in (stack.functions, stack.reconciler, stack.callbacks, *stack.workers):
        service.stop()
    stack.workers.clear()
    stack.env.update(env)
    start_functions(stack, stack.gunicorn_argv())
    stack.start_worker()
    stack.start_reconciler()
    stack.start_callbacks()


def job_records(stack: Stack) -> int:
    keys = redis.Redis.from_url(stack.env["REDIS_URL"]).scan_iter("job:*")
    return sum(1 for key in keys if not key.endswith(b":parts"))


def put(stack: Stack, key: str, body: bytes) -> tuple[str, int]:
    etag = stack.s3_client().put_object(Bucket="jobs", Key=key, Body=body)["ETag"].strip('"')
    return etag, len(body)


def announce(stack: Stack, key: str) -> dict:
    reply = requests.post(f"{stack.base_url}/events", json=make_s3_event(key=key), timeout=10)
    assert reply.status_code == 200, reply.text
    (job,) = reply.json()["jobs"]
    return job


def reconciled(stack: Stack, passes: int = 3) -> None:
    """Long enough for the reconciler (every RECONCILE_INTERVAL_SECONDS=1) to have scanned a few times."""
    time.sleep(passes * float(stack.env["RECONCILE_INTERVAL_SECONDS"]) + 0.5)


@pytest.fixture(scope="module")
def switched(tmp_path_factory):
    """A stack that ran without ID_SECRET (one drop made then), then had every app restarted with it."""
    stack = make_stack(tmp_path_factory, "drop-ids", workers=1)
    try:
        etag, size = put(stack, "incoming/before/a.txt", b"made before the secret")
        before = object_job_id(None, "jobs", "incoming/before/a.txt", etag, size)
        wait_until(lambda: Api(stack.base_url).job(before).status_code == 200, 30, "the unkeyed job")
        Api(stack.base_url).wait(before)
        logs = {name: stack.log(name).read_text() for name in APPS}  # what they said until the restart
        restart_apps(stack, ID_SECRET=SECRET)
        yield stack, logs, before
    finally:
        stack.stop()


def test_processes_without_id_secret_say_so_at_start(switched):
    _, logs, _ = switched
    for name in APPS:
        assert NO_ID_SECRET in logs[name], name


def test_a_drop_made_before_id_secret_was_set_keeps_its_one_job(switched):
    stack, logs, before = switched
    records = job_records(stack)
    reconciled(stack)
    assert job_records(stack) == records
    assert announce(stack, "incoming/before/a.txt") == {
        "job_id": before, "key": "incoming/before/a.txt", "status": "finished", "new": False,
    }  # fmt: skip
    for name in ("functions", "worker-2", "reconciler"):  # the restarted ones
        assert NO_ID_SECRET not in stack.log(name).read_text()[len(logs.get(name, "")) :], name


def test_the_event_the_reconciler_and_a_listing_give_a_drop_one_keyed_id(switched):
    stack, api = switched[0], Api(switched[0].base_url)
    records = job_records(stack)
    # Seen first by its event (the S3 server's webhook, and a replay), then rescanned.
    evented = "incoming/both/evented.txt"
    etag, size = put(stack, evented, b"announced at once")
    keyed = object_job_id(SECRET, "jobs", evented, etag, size)
    assert keyed != object_job_id(None, "jobs", evented, etag, size)
    assert announce(stack, evented)["job_id"] == keyed
    assert api.wait(keyed)["status"] == "finished"
    # Seen first by the reconciler: the functions are down when it lands, so no event makes its job.
    stack.functions.stop()  # started again below on its port (whose old connections may linger)
    scanned = "incoming/both/scanned.txt"
    etag, size = put(stack, scanned, b"found by the scan")
    rescanned = object_job_id(SECRET, "jobs", scanned, etag, size)
    wait_until(lambda: redis.Redis.from_url(stack.env["REDIS_URL"]).exists(f"job:{rescanned}"), 30, "scan")
    start_functions(stack, stack.gunicorn_argv())
    assert api.wait(rescanned)["status"] == "finished"
    assert announce(stack, scanned)["job_id"] == rescanned
    reconciled(stack)
    # A batch over the folder: the worker's listing finds the same two jobs.
    batch = api.http.post(api.url("/batches"), json={"prefix": "incoming/both/"}).json()
    status = api.url(f"/batches/{batch['batch_id']}")
    wait_until(lambda: api.http.get(status).json()["status"] == "done", 30, "the batch")
    listed = {job["job_id"] for job in api.http.get(status).json()["jobs"]}
    assert listed == {keyed, rescanned}
    assert job_records(stack) == records + 2
