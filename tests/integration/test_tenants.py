"""Tenants against real processes: two keys side by side never see each other's jobs, batches or results.

Also the issue's findings about events (open, forged ETags), retries and objects swapped after start.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests

from infra.processes import ROOT, wait_until
from tests.client import Api
from tests.events import make_s3_event
from tests.integration.conftest import make_stack
from tests.livestack import read_events

TOKEN = "tenant-events-token"
KEYS = {"alice": "alice-key", "bob": "bob-key"}


class TenantApi(Api):
    """The test client with one tenant's key on every request."""

    def __init__(self, base_url: str, key: str) -> None:
        super().__init__(base_url)
        self.http.headers["X-API-Key"] = key


@pytest.fixture(scope="module")
def tenants_stack(tmp_path_factory):
    stack = make_stack(
        tmp_path_factory, "tenants", workers=1, API_KEYS="alice:alice-key,bob:bob-key,default-key",
        EVENTS_TOKEN=TOKEN, MAX_ATTEMPTS="3",
    )  # fmt: skip
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def alice(tenants_stack) -> TenantApi:
    return TenantApi(tenants_stack.base_url, KEYS["alice"])


@pytest.fixture(scope="module")
def bob(tenants_stack) -> TenantApi:
    return TenantApi(tenants_stack.base_url, KEYS["bob"])


def code(reply: requests.Response) -> str:
    return reply.json()["error"]["code"]


def post_event(stack, key: str, **record) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return requests.post(f"{stack.base_url}/events", json=make_s3_event(key=key, **record), headers=headers)


def test_every_api_call_needs_a_key_but_the_open_ones(tenants_stack, alice):
    job = alice.upload_one("mine.txt", b"alice private words")
    base = tenants_stack.base_url
    assert code(requests.get(f"{base}/jobs/{job['job_id']}", timeout=10)) == "unauthorized"
    assert requests.post(f"{base}/uploads/presign", json={"filename": "a.txt", "size": 1}).status_code == 401
    for path in ("/healthz", "/config", "/openapi.json", "/metrics"):
        reply = requests.get(base + path, timeout=10)
        assert reply.status_code == 200, path
        assert job["job_id"] not in reply.text and "mine.txt" not in reply.text, path


def test_another_tenants_job_is_404_everywhere_exactly_as_a_missing_one(alice, bob):
    job = alice.upload_one("salary.txt", b"bob must not count these words")
    alice.wait(job["job_id"])
    job_id, missing = job["job_id"], "0123456789abcdef0123456789abcdef"
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/result"):
        assert bob.http.get(bob.url(path)).status_code == 404
        assert alice.http.get(alice.url(path)).status_code == 200
    for path in (f"/jobs/{job_id}/retry", f"/jobs/{job_id}/start"):
        assert code(bob.http.post(bob.url(path))) == "not_found"
    mine, theirs = bob.http.get(bob.url(f"/jobs/{missing}")), bob.http.get(bob.url(f"/jobs/{job_id}"))
    assert mine.status_code == theirs.status_code == 404
    assert mine.json()["error"]["message"].replace(missing, job_id) == theirs.json()["error"]["message"]


def test_another_tenants_open_uploads_and_batches_cannot_be_cancelled_or_touched(alice, bob):
    presigned = alice.http.post(alice.url("/uploads/presign"), json={"filename": "p.txt", "size": 3}).json()
    multipart = alice.http.post(
        alice.url("/uploads/multipart"), json={"filename": "big.txt", "size": 20 * 1024 * 1024}
    ).json()
    batch = alice.http.post(alice.url("/batches"), json={"prefix": "incoming/alice/none/"}).json()
    tries = [
        ("post", f"/jobs/{presigned['job_id']}/cancel", None),
        ("post", f"/batches/{batch['batch_id']}/cancel", None),
        ("post", f"/uploads/multipart/{multipart['job_id']}/parts", {"parts": [{"part_number": 1}]}),
        ("get", f"/uploads/multipart/{multipart['job_id']}/parts", None),
        (
            "post",
            f"/uploads/multipart/{multipart['job_id']}/complete",
            {"parts": [{"part_number": 1, "etag": "e"}]},
        ),
        ("delete", f"/uploads/multipart/{multipart['job_id']}", None),
    ]
    default = TenantApi(alice.base, "default-key")  # a bare key: the tenant `default` owns no one's uploads
    for other, (method, path, body) in itertools.product((bob, default), tries):
        reply = other.http.request(method, other.url(path), json=body)
        assert reply.status_code == 404 and code(reply) == "not_found", (method, path, reply.text)
    for job in (presigned, multipart):
        assert alice.job(job["job_id"]).json()["status"] == "awaiting_upload"
    assert alice.http.get(alice.url(f"/uploads/multipart/{multipart['job_id']}/parts")).status_code == 200
    assert alice.http.delete(alice.url(f"/uploads/multipart/{multipart['job_id']}")).status_code == 204


def test_batch_prefixes_outside_the_callers_folder_are_400(alice):
    for prefix in ("uploads", "u", "results", "r", "/", "", "incoming/", "incoming/bob/", "incoming/alicex/"):
        reply = alice.http.post(alice.url("/batches"), json={"prefix": prefix})
        assert reply.status_code == 400 and code(reply) == "bad_request", prefix


def test_two_tenants_dropping_side_by_side_see_only_their_own(tenants_stack, alice, bob):
    s3 = tenants_stack.s3_client()
    for tenant in ("alice", "bob"):
        for n in range(3):
            s3.put_object(Bucket="jobs", Key=f"incoming/{tenant}/side/{n}.txt", Body=f"{tenant} {n}".encode())
    batches = {}
    for name, api in (("alice", alice), ("bob", bob)):
        reply = api.http.post(api.url("/batches"), json={"prefix": f"incoming/{name}/side/"})
        assert reply.status_code == 202, reply.text
        batches[name] = reply.json()["batch_id"]

    def done(api: Api, batch_id: str) -> bool:
        return api.http.get(api.url(f"/batches/{batch_id}")).json()["status"] == "done"

    wait_until(lambda: done(alice, batches["alice"]) and done(bob, batches["bob"]), 90, "both batches")
    mine = alice.http.get(alice.url(f"/batches/{batches['alice']}")).json()["jobs"]
    assert sorted(job["source"]["key"] for job in mine) == [f"incoming/alice/side/{n}.txt" for n in range(3)]
    assert bob.http.get(bob.url(f"/batches/{batches['alice']}")).status_code == 404
    for job in mine:
        assert bob.http.get(bob.url(f"/jobs/{job['job_id']}")).status_code == 404
        assert bob.http.get(bob.url(f"/jobs/{job['job_id']}/result")).status_code == 404


def test_a_dropped_object_in_a_tenants_folder_belongs_to_that_tenant(tenants_stack, alice, bob):
    s3 = tenants_stack.s3_client()
    s3.put_object(Bucket="jobs", Key="incoming/alice/evented.txt", Body=b"one two three")
    reply = post_event(tenants_stack, "incoming/alice/evented.txt")
    assert reply.status_code == 200, reply.text
    job_id = reply.json()["jobs"][0]["job_id"]
    assert alice.wait(job_id)["result"]["words"] == 3
    assert bob.job(job_id).status_code == 404


def test_events_without_the_token_are_refused(tenants_stack):
    reply = requests.post(f"{tenants_stack.base_url}/events", json=make_s3_event(key="incoming/x.txt"))
    assert reply.status_code == 401 and code(reply) == "unauthorized"


def test_forged_etags_make_one_job_and_absent_objects_none(tenants_stack):
    s3 = tenants_stack.s3_client()
    s3.put_object(Bucket="jobs", Key="incoming/forged.txt", Body=b"a b c d")
    jobs = {
        post_event(tenants_stack, "incoming/forged.txt", etag=etag).json()["jobs"][0]["job_id"]
        for etag in ("aaa", "bbb", "ccc")
    }
    assert len(jobs) == 1
    reply = post_event(tenants_stack, "incoming/never-uploaded.txt").json()
    assert reply["jobs"] == [] and reply["ignored"] == 1


def test_a_process_with_api_keys_and_no_events_token_refuses_to_start():
    env = {"PATH": "/usr/bin:/bin", "DOTENV": "0", "API_KEYS": "alice:k"}
    for module in ("functions", "worker", "worker.reconciler"):
        run = subprocess.run(
            [sys.executable, "-m", module], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert run.returncode != 0 and "EVENTS_TOKEN" in run.stderr, (module, run.stderr[-500:])


def test_retrying_an_unsupported_type_is_409_and_the_job_stays_failed(tenants_stack, alice):
    tenants_stack.s3_client().put_object(Bucket="jobs", Key="incoming/alice/tool.exe", Body=b"MZ")
    job_id = post_event(tenants_stack, "incoming/alice/tool.exe").json()["jobs"][0]["job_id"]
    assert alice.wait(job_id)["error"]["code"] == "unsupported_type"
    reply = alice.http.post(alice.url(f"/jobs/{job_id}/retry"))
    assert reply.status_code == 409 and code(reply) == "conflict"
    assert alice.job(job_id).json()["status"] == "failed"
    finished = alice.process("fine.txt", b"fine")
    assert alice.http.post(alice.url(f"/jobs/{finished['job_id']}/retry")).status_code == 409


def test_an_object_replaced_after_start_fails_upload_missing_and_retries_are_bounded(tenants_stack, alice):
    s3, key = tenants_stack.s3_client(), "incoming/alice/swapped.txt"
    for worker in tenants_stack.workers:
        worker.stop()
    try:
        s3.put_object(Bucket="jobs", Key=key, Body=b"twelve bytes")
        job_id = post_event(tenants_stack, key).json()["jobs"][0]["job_id"]
        s3.put_object(Bucket="jobs", Key=key, Body=b"many words " * 100_000)  # after the event
    finally:
        tenants_stack.start_worker()
    job = alice.wait(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "upload_missing", job
    retries = []
    for _ in range(5):  # each at once after the failure (tests/integration/test_retry.py)
        retries.append(alice.http.post(alice.url(f"/jobs/{job_id}/retry")).status_code)
        if retries[-1] == 202:
            alice_job = alice.wait(job_id)
            assert alice_job["error"]["code"] == "upload_missing"
    assert retries == [202, 202, 409, 409, 409]  # MAX_ATTEMPTS=3 in all
    assert alice.job(job_id).json()["attempts"] == 3


def watched_by_bob(url: str, etag: str) -> list[tuple[int, str]]:
    """Every way of watching `url` with bob's key (long polls with and without an ETag, its stream):
    each answer's status and, unless it is a stream, its body."""
    bob = {"X-API-Key": KEYS["bob"]}
    answers = [
        requests.get(url, params={"wait": 5}, headers=bob, timeout=30),
        requests.get(url, params={"wait": 5}, headers={**bob, "If-None-Match": etag}, timeout=30),
        requests.get(url, headers={**bob, "If-None-Match": etag}, timeout=30),
    ]
    with requests.get(f"{url}/events", headers=bob, stream=True, timeout=30) as stream:
        streamed = stream.text if stream.status_code != 200 else "an event stream"
        answers.append(stream)
    return [(reply.status_code, streamed if reply is stream else reply.text) for reply in answers]


def test_watching_another_tenants_job_or_batch_is_404_even_while_its_owner_watches_it(tenants_stack, alice):
    """The functions share one read of a watched document between its watchers: only within one tenant."""
    alice_key = {"X-API-Key": KEYS["alice"]}
    for worker in tenants_stack.workers:
        worker.stop()  # the jobs stay queued while both tenants watch them
    try:
        body = alice.upload(
            ("watched-a.txt", b"alice secret one"), ("watched-b.txt", b"alice secret two")
        ).json()
        urls = [alice.url(f"/jobs/{body['jobs'][0]['job_id']}"), alice.url(f"/batches/{body['batch_id']}")]
        with ExitStack() as streams, ThreadPoolExecutor(4) as pool:
            firsts = []
            for url in urls:  # alice's streams hold the documents' shared reads open
                reply = streams.enter_context(requests.get(f"{url}/events", headers=alice_key, stream=True))
                firsts.append(next(read_events(reply)).doc)
            polls = [pool.submit(requests.get, url, params={"wait": 30}, headers=alice_key) for url in urls]
            time.sleep(0.5)  # her long polls are waiting too
            for url in urls:
                etag = requests.get(url, headers=alice_key, timeout=10).headers["ETag"]
                began = time.monotonic()
                for status, text in watched_by_bob(url, etag):
                    assert status == 404 and json.loads(text)["error"]["code"] == "not_found", (url, text)
                    assert "watched-" not in text and "alice" not in text
                assert time.monotonic() - began < 5, "a refusal is not held like a wait"
            tenants_stack.start_worker()
            ended = [poll.result(timeout=60) for poll in polls]
        assert [doc["status"] for doc in firsts] == ["queued", "running"]
        assert [reply.status_code for reply in ended] == [200, 200]
        assert ended[0].json()["status"] == "finished" and ended[1].json()["status"] == "done"
    finally:
        if not any(worker.running for worker in tenants_stack.workers):
            tenants_stack.start_worker()
