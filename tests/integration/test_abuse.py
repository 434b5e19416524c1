"""Issue 12's reproductions against real processes (gunicorn, workers, redis-server, the S3 server).

Each test replays one attack as it was reported and asserts the contract's answer instead.
"""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from tests.client import Api
from tests.events import make_record, make_s3_event
from tests.integration.conftest import make_stack
from tests.integration.cpu import cpu_seconds

SECRET = "abuse-callback-secret"


@pytest.fixture(scope="module")
def abuse(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "abuse", CALLBACK_SECRET=SECRET)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def api(abuse) -> Api:
    return Api(abuse.base_url)


def error_code(reply: requests.Response) -> str:
    return reply.json()["error"]["code"]


def objects(stack, prefix: str) -> list[str]:
    listing = stack.s3_client().list_objects_v2(Bucket="jobs", Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def job_records(stack) -> int:
    return sum(1 for _ in redis.Redis.from_url(stack.env["REDIS_URL"]).scan_iter("job:*"))


def test_a_million_character_presign_filename_is_400_in_under_50_ms_of_cpu(abuse, api):
    body = {"filename": "x" * 1_000_000 + ".txt", "size": 3}
    api.http.post(api.url("/uploads/presign"), json={"filename": "warm.txt", "size": 3}, timeout=10)
    before = cpu_seconds(abuse.functions)
    reply = api.http.post(api.url("/uploads/presign"), json=body, timeout=10)
    used = cpu_seconds(abuse.functions) - before
    assert reply.status_code == 400 and error_code(reply) == "bad_request"
    assert used < 0.05, f"{used * 1000:.0f} ms of CPU"


def test_a_400k_filename_in_an_upload_is_400_at_once(abuse, api):
    began = time.monotonic()
    reply = api.upload(("y" * 400_000 + ".txt", b"three words here"))
    assert reply.status_code == 400 and error_code(reply) == "bad_request"
    assert time.monotonic() - began < 5 and not objects(abuse, "uploads/")


def test_a_400k_filename_in_a_multipart_upload_is_400_at_once(abuse, api):
    began = time.monotonic()
    body = {"filename": "m" * 400_000 + ".txt", "size": 20 * 1024 * 1024}
    reply = api.http.post(api.url("/uploads/multipart"), json=body, timeout=10)
    assert reply.status_code == 400 and error_code(reply) == "bad_request"
    assert time.monotonic() - began < 2 and not objects(abuse, "uploads/")


def test_concurrent_huge_filenames_leave_health_checks_answered(api):
    body = {"filename": "z" * 600_000 + ".txt", "size": 3}
    with ThreadPoolExecutor(9) as pool:
        attacks = [
            pool.submit(api.http.post, api.url("/uploads/presign"), json=body, timeout=30) for _ in range(8)
        ]
        health = pool.submit(requests.get, api.url("/healthz"), timeout=5).result()
        assert health.status_code == 200
        assert {attack.result().status_code for attack in attacks} == {400}


def test_an_event_with_a_400k_key_is_ignored_at_once(api):
    began = time.monotonic()
    reply = api.http.post(
        api.url("/events"), json=make_s3_event(key="incoming/" + "k" * 400_000 + ".txt"), timeout=10
    )
    assert reply.status_code == 200 and reply.json()["jobs"] == [] and reply.json()["ignored"] == 1
    assert time.monotonic() - began < 2


@pytest.mark.parametrize("path", ["/uploads/presign", "/events", "/batches", "/uploads/multipart"])
def test_deeply_nested_bodies_are_400_not_500(api, path):
    reply = api.http.post(api.url(path), data=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and error_code(reply) == "bad_request"


@pytest.mark.parametrize("step", ["parts", "complete"])
def test_deeply_nested_bodies_of_an_open_multipart_upload_are_400_not_500(api, step):
    body = {"filename": "big.txt", "size": 20 * 1024 * 1024}
    job_id = api.http.post(api.url("/uploads/multipart"), json=body).json()["job_id"]
    reply = api.http.post(
        api.url(f"/uploads/multipart/{job_id}/{step}"), data=b"[" * 100_000,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert reply.status_code == 400 and error_code(reply) == "bad_request"
    api.http.delete(api.url(f"/uploads/multipart/{job_id}"))


def test_a_json_body_over_1_mib_is_413(api):
    body = json.dumps({"filename": "a.txt", "size": 3, "pad": "p" * (1 << 20)})
    # A connection of its own: gunicorn closes it after the 413 rather than read the rest of the body.
    reply = requests.post(
        api.url("/uploads/presign"), data=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413 and error_code(reply) == "too_large"


def test_more_than_1000_records_in_an_event_is_413_and_queues_nothing(abuse, api):
    before = job_records(abuse)
    records = [make_record(key=f"incoming/many/{n}.txt") for n in range(1001)]
    reply = api.http.post(api.url("/events"), json={"Records": records}, timeout=30)
    assert reply.status_code == 413 and error_code(reply) == "too_large"
    assert job_records(abuse) == before


def test_more_than_100_file_parts_is_413_and_stores_nothing(abuse, api):
    reply = api.upload(*[(f"p{n}.txt", b"one") for n in range(101)])
    assert reply.status_code == 413 and error_code(reply) == "too_large"
    assert not objects(abuse, "uploads/")


@pytest.mark.parametrize("content_type", ["text/html", "text/plain\r\nX-Injected: 1", "application/pdf"])
def test_a_presign_content_type_must_fit_the_extension(api, content_type):
    body = {"filename": "a.txt", "size": 3, "content_type": content_type}
    reply = api.http.post(api.url("/uploads/presign"), json=body)
    assert reply.status_code == 415 and error_code(reply) == "unsupported_type"
    assert "X-Injected" not in reply.text and "X-Injected" not in reply.headers


def test_a_presigned_put_signs_the_declared_length(api):
    grant = api.http.post(api.url("/uploads/presign"), json={"filename": "n.txt", "size": 12}).json()
    assert "content-length" in grant["upload"]["url"].lower().split("x-amz-signedheaders=")[1].split("&")[0]
    assert requests.put(grant["upload"]["url"], data=b"12 bytes ok!", headers=grant["upload"]["headers"]).ok


def test_a_presigned_upload_cannot_be_swapped_after_start(abuse, api):
    """The reproduction: declare 12 bytes, PUT 12, start, PUT 4 MB with the same URL."""
    grant = api.http.post(api.url("/uploads/presign"), json={"filename": "swap.txt", "size": 12}).json()
    url, headers = grant["upload"]["url"], grant["upload"]["headers"]
    assert requests.put(url, data=b"twelve bytes", headers=headers, timeout=10).status_code == 200
    assert api.http.post(api.url(f"/jobs/{grant['job_id']}/start")).status_code == 202
    swap = requests.put(url, data=b"many words " * 400_000, headers=headers, timeout=30)
    assert swap.status_code == 403, swap.text
    job = api.wait(grant["job_id"])
    assert job["status"] == "finished" and job["result"]["words"] == 2 and job["source"]["size"] == 12
    stored = abuse.s3_client().get_object(Bucket="jobs", Key=grant["key"])["Body"].read()
    assert stored == b"twelve bytes"


def test_a_batch_lists_only_dropped_files_however_the_prefix_is_spelled(abuse, api):
    before = job_records(abuse)
    for prefix in ("uploads", "uploads/", "u", "results", "r", "/", "", "incoming/../uploads/", "./"):
        reply = api.http.post(api.url("/batches"), json={"prefix": prefix})
        assert reply.status_code == 400 and error_code(reply) == "bad_request", prefix
    assert job_records(abuse) == before  # no result or upload (the swap test's, before) became a job


def test_a_batch_page_reads_only_its_jobs_from_redis(abuse, api):
    s3, client = abuse.s3_client(), redis.Redis.from_url(abuse.env["REDIS_URL"])
    for n in range(150):  # unsupported files: each job fails as it is made, no worker needed
        s3.put_object(Bucket="jobs", Key=f"incoming/paged/{n:03}.bin", Body=b"x")
    batch_id = api.http.post(api.url("/batches"), json={"prefix": "incoming/paged/"}).json()["batch_id"]
    url = api.url(f"/batches/{batch_id}")
    deadline = time.monotonic() + 60
    while api.http.get(url).json()["status"] != "done":
        assert time.monotonic() < deadline, "the batch did not end"
        time.sleep(0.2)

    def record_reads() -> int:
        stats = client.info("commandstats")
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("hgetall", "hmget", "hget"))

    before = record_reads()
    page = api.http.get(url, params={"offset": 10, "limit": 2}).json()
    reads = record_reads() - before
    assert page["total"] == 150 and [job["filename"] for job in page["jobs"]] == ["010.bin", "011.bin"]
    assert reads < 10, f"{reads} record reads for a page of 2"


def test_a_result_redirects_to_a_short_presigned_get_of_its_own_key(api):
    """What held (issue 12) and must keep holding."""
    job = api.process("redirected.txt", b"four words right here")
    reply = api.http.get(
        api.url(f"/jobs/{job['job_id']}/result"), params={"redirect": "1"}, allow_redirects=False
    )
    assert reply.status_code == 302
    target = reply.headers["Location"]
    assert f"/jobs/results/{job['job_id']}.json?" in target and "X-Amz-Expires=300" in target
    assert requests.get(target, timeout=10).json()["words"] == 4


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x"])
def test_callback_schemes_other_than_http_are_refused(api, target):
    body = {"filename": "a.txt", "size": 3, "callback_url": target}
    reply = api.http.post(api.url("/uploads/presign"), json=body)
    assert reply.status_code == 400 and error_code(reply) == "bad_request", target


def test_made_up_methods_and_paths_do_not_grow_the_metrics(api):
    for n in range(300):
        requests.request(f"FAKE{n}", api.url("/jobs/x"), timeout=10)
        requests.get(api.url(f"/made-up-{n}"), timeout=10)
    series = [
        line for line in requests.get(api.url("/metrics"), timeout=10).text.splitlines()
        if line.startswith("filejobs_http_requests_total{")
    ]  # fmt: skip
    methods = {line.split('method="')[1].split('"')[0] for line in series}
    routes = {line.split('route="')[1].split('"')[0] for line in series}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    assert "other" in routes and not any(route.startswith("/made-up") for route in routes)
    assert len(series) < 40


def test_slow_bodies_straight_to_gunicorn_do_not_starve_it(api, abuse):
    host, port = "127.0.0.1", abuse.http_port
    stalled = []
    for _ in range(24):
        conn = socket.create_connection((host, port), timeout=5)
        conn.sendall(b"POST /uploads/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 100000\r\n\r\n{")  # and nothing more
        stalled.append(conn)
    began = time.monotonic()
    try:
        # Each stalled body holds a request thread for at most 5 s (and 5 s more of draining).
        health = requests.get(api.url("/healthz"), timeout=45)
        assert health.status_code == 200 and time.monotonic() - began < 45
    finally:
        for conn in stalled:
            conn.close()


def test_callback_targets_known_to_be_private_are_refused_at_submit(api):
    for target in ["http://[64:ff9b::7f00:1]/h", "http://[2002:7f00:1::]/h", "http://[::ffff:127.0.0.1]/h",
                   "http://127.0.0.1:9/h", "http://localhost/h"]:  # fmt: skip
        body = {"filename": "a.txt", "size": 3, "callback_url": target}
        reply = api.http.post(api.url("/uploads/presign"), json=body)
        assert reply.status_code == 400 and "callback: refused" in reply.json()["error"]["message"], target


def test_redis_out_of_memory_is_503_naming_it_and_leaves_no_orphan_upload(abuse, api):
    client = redis.Redis.from_url(abuse.env["REDIS_URL"])
    before = set(objects(abuse, "uploads/"))
    client.config_set("maxmemory", "1")
    try:
        reply = api.upload(("refused.txt", b"no room for this"))
        health = requests.get(api.url("/healthz"), timeout=5)
    finally:
        client.config_set("maxmemory", "0")
    assert reply.status_code == 503 and reply.json()["error"]["reason"] == "out_of_memory"
    assert "out of memory" in reply.json()["error"]["message"]
    assert health.status_code == 503 and "out of memory" in health.json()["error"]["message"]
    assert set(objects(abuse, "uploads/")) == before


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    stack = make_stack(
        tmp_path_factory, "limited", workers=0, API_KEYS="alice:alice-key,bob:bob-key", EVENTS_TOKEN="tok",
        RATE_LIMIT_PER_MINUTE="5",
    )  # fmt: skip
    yield stack
    stack.stop()


def test_requests_past_the_rate_limit_get_429_with_retry_after_per_tenant(limited):
    if time.time() % 60 > 50:  # all six in one clock minute
        time.sleep(61 - time.time() % 60)
    job = f"{limited.base_url}/jobs/0123456789abcdef0123456789abcdef"
    alice, bob = {"X-API-Key": "alice-key"}, {"X-API-Key": "bob-key"}
    assert [requests.get(job, headers=alice, timeout=10).status_code for _ in range(5)] == [404] * 5
    refused = requests.get(job, headers=alice, timeout=10)
    assert refused.status_code == 429 and error_code(refused) == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert requests.get(job, headers=bob, timeout=10).status_code == 404
    assert requests.get(f"{limited.base_url}/healthz", timeout=10).status_code == 200
