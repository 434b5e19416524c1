"""Every way in — presigned PUT/POST, events, batches, the reconciler — gives one job per object."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.client import Api
from tests.events import make_record, make_s3_event, make_seaweed_event, make_test_event

TEXT = b"one two three four five"


def presign(api: Api, name: str, size: int, **extra) -> dict:
    reply = api.http.post(
        api.url("/uploads/presign"), json={"filename": name, "size": size, **extra}, timeout=10
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def put(upload: dict, data: bytes) -> requests.Response:
    return requests.put(upload["url"], data=data, headers=upload["headers"], timeout=10)


def start(api: Api, job_id: str) -> requests.Response:
    return api.http.post(api.url(f"/jobs/{job_id}/start"), timeout=10)


def results_count(s3, prefix: str = "results/") -> int:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="jobs", Prefix=prefix)
    return sum(1 for page in pages for item in page.get("Contents", []) if "/batches/" not in item["Key"])


def wait_for(check, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout} s")


@pytest.mark.moto
def test_presigned_put_then_start(api):
    grant = presign(api, "notes.txt", len(TEXT))
    assert grant["upload"]["method"] == "PUT" and grant["key"].startswith(f"uploads/{grant['job_id']}/")
    assert api.job(grant["job_id"]).json()["status"] == "awaiting_upload"
    assert put(grant["upload"], TEXT).status_code == 200
    assert start(api, grant["job_id"]).status_code == 202
    job = api.wait(grant["job_id"])
    assert job["status"] == "finished" and job["result"]["words"] == 5


@pytest.mark.moto
def test_presigned_post_then_start(api):
    grant = presign(api, "notes.txt", len(TEXT), method="POST")
    upload = grant["upload"]
    assert upload["method"] == "POST" and "policy" in {k.lower() for k in upload["fields"]}
    reply = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("notes.txt", TEXT)}, timeout=10
    )
    assert reply.status_code in (200, 201, 204), reply.text
    assert start(api, grant["job_id"]).status_code == 202
    assert api.wait(grant["job_id"])["result"]["words"] == 5


def test_start_before_upload_is_409_upload_missing(api):
    grant = presign(api, "later.txt", 3)
    reply = start(api, grant["job_id"])
    assert reply.status_code == 409 and reply.json()["error"]["code"] == "upload_missing"


def test_start_twice_and_concurrently_gives_one_job(api, s3):
    grant = presign(api, "twice.txt", len(TEXT))
    put(grant["upload"], TEXT)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: start(api, grant["job_id"]), range(8)))
    assert all(reply.status_code == 202 for reply in replies)
    job = api.wait(grant["job_id"])
    assert job["attempts"] == 1 and job["status"] == "finished"


@pytest.mark.moto
def test_start_racing_an_event_gives_one_job(api):
    grant = presign(api, "race.txt", len(TEXT))
    put(grant["upload"], TEXT)
    event = make_s3_event(key=grant["key"], size=len(TEXT))
    with ThreadPoolExecutor(6) as pool:
        calls = [
            lambda: start(api, grant["job_id"]),
            lambda: api.http.post(api.url("/events"), json=event),
        ] * 3
        assert all(r.status_code in (200, 202) for r in pool.map(lambda call: call(), calls))
    assert api.wait(grant["job_id"])["attempts"] == 1


def test_declared_size_over_the_limit_is_413_before_signing(api):
    reply = api.http.post(api.url("/uploads/presign"), json={"filename": "big.pdf", "size": 10**10})
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "too_large"


def test_bad_extension_is_415_before_signing(api):
    reply = api.http.post(api.url("/uploads/presign"), json={"filename": "x.exe", "size": 1})
    assert reply.status_code == 415 and reply.json()["error"]["code"] == "unsupported_type"


@pytest.mark.moto
def test_upload_larger_than_declared_is_refused_by_the_server_or_by_start(api, s3_server):
    """SeaweedFS checks the signed Content-Length; on moto, which does not, `start` HEADs the size."""
    grant = presign(api, "liar.txt", 3)
    refused = put(grant["upload"], TEXT).status_code == 403
    assert refused == (s3_server == "seaweedfs")
    reply = start(api, grant["job_id"])
    if refused:
        assert reply.status_code == 409 and reply.json()["error"]["code"] == "upload_missing"
        return
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "too_large"
    assert api.job(grant["job_id"]).json()["error"]["code"] == "too_large"


def drop(s3, key: str, data: bytes) -> str:
    return s3.put_object(Bucket="jobs", Key=key, Body=data)["ETag"].strip('"')


def announce(api: Api, key: str, etag: str, size: int, **extra) -> dict:
    reply = api.http.post(api.url("/events"), json=make_s3_event(key=key, etag=etag, size=size, **extra))
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_same_event_three_times_and_ten_concurrently_is_one_job(api, s3):
    key = "incoming/dedupe/one.txt"
    etag = drop(s3, key, TEXT)
    ids = {announce(api, key, etag, len(TEXT))["jobs"][0]["job_id"] for _ in range(3)}
    with ThreadPoolExecutor(10) as pool:
        ids |= {
            r["jobs"][0]["job_id"] for r in pool.map(lambda _: announce(api, key, etag, len(TEXT)), range(10))
        }
    assert len(ids) == 1
    job = api.wait(ids.pop())
    assert job["status"] == "finished" and job["attempts"] == 1


@pytest.mark.moto
def test_awkward_keys_are_decoded(api, s3):
    for key in [
        "incoming/with space.txt",
        "incoming/plus+sign.txt",
        "incoming/ünï cødé.txt",
        "incoming/a/b/c.txt",
    ]:
        etag = drop(s3, key, TEXT)
        for minio in (False, True):
            reply = announce(api, key, etag, len(TEXT), minio=minio)
            assert reply["jobs"][0]["key"] == key, reply
        assert api.wait(reply["jobs"][0]["job_id"])["result"]["words"] == 5


def test_test_events_deletes_and_other_buckets_are_acknowledged_and_ignored(api):
    body = {
        "Records": [
            make_record(event="ObjectRemoved:Delete"),
            make_record(bucket="someone-else"),
            make_record(key="elsewhere/x.txt"),
        ]
    }
    reply = api.http.post(api.url("/events"), json=body)
    assert reply.status_code == 200 and reply.json()["jobs"] == [] and reply.json()["ignored"] == 3
    reply = api.http.post(api.url("/events"), json=make_test_event())
    assert reply.status_code == 200 and reply.json()["ignored"] == 1


def test_malformed_event_is_400(api):
    reply = api.http.post(api.url("/events"), data="not json", headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


def test_500_dropped_objects_announced_by_events(api, s3):
    """500 objects under incoming/ announced by events → 500 finished jobs, 500 results, no duplicates."""
    prefix = "incoming/five-hundred/"
    began = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        etags = list(pool.map(lambda n: drop(s3, f"{prefix}{n:03}.txt", b"word " * (n % 7 + 1)), range(500)))
    records = [
        make_record(key=f"{prefix}{n:03}.txt", etag=etags[n], size=5 * (n % 7 + 1)) for n in range(500)
    ]
    job_ids: set[str] = set()
    for start_at in range(0, 500, 50):
        reply = api.http.post(api.url("/events"), json={"Records": records[start_at : start_at + 50]})
        job_ids |= {job["job_id"] for job in reply.json()["jobs"]}
    api.http.post(api.url("/events"), json={"Records": records[:100]})  # redelivery
    assert len(job_ids) == 500
    for job_id in job_ids:
        assert api.wait(job_id, timeout=120)["status"] == "finished"
    elapsed = time.monotonic() - began
    found = {f"results/{job_id}.json" for job_id in job_ids}
    stored = {
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="jobs", Prefix="results/obj-")
        for item in page.get("Contents", [])
    }
    assert found <= stored
    # Redelivered events and the reconciler's scans found the same 500 jobs: no other job was made.
    extra = {key for key in stored if key.startswith("results/obj-")} - found
    drop_jobs = [key for key in extra if prefix in (s3_source(s3, key) or "")]
    assert not drop_jobs
    print(f"\n500 dropped objects: all finished in {elapsed:.1f} s, duplicate jobs {len(drop_jobs)}")


def s3_source(s3, result_key: str) -> str | None:
    import json

    return json.loads(s3.get_object(Bucket="jobs", Key=result_key)["Body"].read())["source"]["key"]


def test_batch_over_a_prefix_counts_processed_objects_once(api, s3):
    prefix = "incoming/batch-mixed/"
    keys = [f"{prefix}{n}.txt" for n in range(12)]
    etags = [drop(s3, key, TEXT) for key in keys]
    early = [announce(api, keys[n], etags[n], len(TEXT))["jobs"][0]["job_id"] for n in range(4)]
    for job_id in early:
        api.wait(job_id)
    reply = api.http.post(api.url("/batches"), json={"prefix": prefix})
    assert reply.status_code == 202
    batch_id = reply.json()["batch_id"]

    def done():
        batch = api.http.get(api.url(f"/batches/{batch_id}")).json()
        return batch if batch["status"] == "done" else None

    batch = wait_for(done, 60, "batch done")
    assert batch["total"] == 12 and batch["counts"]["finished"] == 12 and batch["words"] == 60
    assert set(early) <= {job["job_id"] for job in batch["jobs"]}
    assert all(api.job(job_id).json()["attempts"] == 1 for job_id in early)
    manifest = wait_for(lambda: _manifest(s3, batch_id), 30, "manifest")
    assert manifest["total"] == 12 and len(manifest["jobs"]) == 12


def _manifest(s3, batch_id: str):
    import json

    try:
        return json.loads(s3.get_object(Bucket="jobs", Key=f"results/batches/{batch_id}.json")["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def test_multi_file_upload_is_a_batch(api, s3):
    reply = api.upload(("a.txt", TEXT), ("b.txt", TEXT + b" six"))
    assert reply.status_code == 202
    body = reply.json()
    for job in body["jobs"]:
        api.wait(job["job_id"])
    batch = wait_for(
        lambda: (b := api.http.get(body["status_url"]).json())["status"] == "done" and b, 30, "done"
    )
    assert batch["words"] == 11 and batch["counts"]["finished"] == 2
    assert wait_for(lambda: _manifest(s3, body["batch_id"]), 30, "manifest")["words"] == 11


def test_reconciler_picks_up_unannounced_drops(api, s3):
    key = "incoming/silent/never-announced.txt"
    etag = drop(s3, key, TEXT)
    from core.ids import object_job_id

    job_id = object_job_id(None, "jobs", key, etag, len(TEXT))  # the session stack has no ID_SECRET
    job = wait_for(lambda: api.job(job_id).status_code == 200 and api.wait(job_id), 60, "reconciled job")
    assert job["status"] == "finished" and job["result"]["words"] == 5


def test_batch_prefix_must_be_given(api):
    for body in ({}, {"prefix": ""}, {"prefix": 3}, {"prefix": "results/"}):
        reply = api.http.post(api.url("/batches"), json=body)
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


def announce_seaweed(api: Api, **event) -> dict:
    reply = api.http.post(api.url("/events"), json=make_seaweed_event(**event), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_seaweedfs_events_make_one_job_however_often_delivered(api, s3):
    key = "incoming/seaweed/a b+c%2F.txt"
    etag = drop(s3, key, TEXT)
    event = {"key": key, "etag": etag, "size": len(TEXT)}
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: announce_seaweed(api, **event), range(6)))
    ids = {job["job_id"] for reply in replies for job in reply["jobs"]}
    assert len(ids) == 1 and sum(job["new"] for reply in replies for job in reply["jobs"]) <= 1
    job = api.wait(ids.pop())
    assert job["status"] == "finished" and job["source"]["key"] == key and job["attempts"] == 1
    ignored = [
        announce_seaweed(api, key="incoming/seaweed", directory=True),
        announce_seaweed(api, key=".uploads/0a1b/0001_x.part"),
        announce_seaweed(api, key=key, event="delete"),
        announce_seaweed(api, key=key, bucket="elsewhere"),
    ]
    assert all(reply["jobs"] == [] and reply["ignored"] == 1 for reply in ignored)


@pytest.mark.moto
def test_a_retyped_presigned_put_is_refused_by_seaweedfs(api, s3_server):
    grant = presign(api, "typed.txt", len(TEXT))
    reply = requests.put(grant["upload"]["url"], data=TEXT, headers={"Content-Type": "text/html"}, timeout=10)
    assert (reply.status_code == 403) == (s3_server == "seaweedfs")


@pytest.mark.moto
def test_a_presigned_post_over_its_size_is_refused_by_the_server_or_by_start(api, s3_server):
    grant = presign(api, "small.txt", 3, method="POST")
    upload = grant["upload"]
    files = {"file": ("small.txt", TEXT)}
    reply = requests.post(upload["url"], data=upload["fields"], files=files, timeout=10)
    refused = reply.status_code == 400 and "EntityTooLarge" in reply.text
    assert refused == (s3_server == "seaweedfs")
    expected = (409, "upload_missing") if refused else (413, "too_large")
    answer = start(api, grant["job_id"])
    assert (answer.status_code, answer.json()["error"]["code"]) == expected
