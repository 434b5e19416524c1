"""Multipart uploads over real processes: parts with checksums, resume, complete, abort, expiry."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from infra.stack import Stack
from tests.client import Api
from tests.livestack import sha256_b64, start_live_stack

MiB = 1024 * 1024
SIZE = 40 * 1000 * 1000  # 40 MB: five parts of 8 MiB, the last one shorter


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    stack = start_live_stack(tmp_path_factory.mktemp("multipart"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack.base_url)


@pytest.fixture(scope="module")
def s3(stack: Stack):
    return stack.s3_client()


def big_text(size: int) -> bytes:
    """`size` bytes of text with a known word count: 'word ' repeated, padded with a last 'w'."""
    unit = b"word "
    data = unit * (size // len(unit))
    return data + b"w" * (size - len(data))


def words_of(data: bytes) -> int:
    return len(data.split())


def create(api: Api, filename: str, size: int, **extra) -> dict:
    reply = api.http.post(api.url("/uploads/multipart"), json={"filename": filename, "size": size, **extra})
    assert reply.status_code == 201, reply.text
    return reply.json()


def chunks(data: bytes, part_size: int) -> dict[int, bytes]:
    return {n + 1: data[i : i + part_size] for n, i in enumerate(range(0, len(data), part_size))}


def sign(api: Api, job_id: str, parts: list[dict]) -> dict[int, dict]:
    reply = api.http.post(api.url(f"/uploads/multipart/{job_id}/parts"), json={"parts": parts})
    assert reply.status_code == 200, reply.text
    return {part["part_number"]: part for part in reply.json()["parts"]}


def put_parts(api: Api, job_id: str, pieces: dict[int, bytes], checksums: bool = True) -> dict[int, str]:
    wanted = [
        {"part_number": n, **({"checksum_sha256": sha256_b64(body)} if checksums else {})}
        for n, body in pieces.items()
    ]
    etags = {}
    for number, signed in sign(api, job_id, wanted).items():
        reply = requests.put(signed["url"], data=pieces[number], headers=signed["headers"], timeout=60)
        assert reply.status_code == 200, reply.text
        etags[number] = reply.headers["ETag"]
    return etags


def complete(api: Api, job_id: str, etags: dict[int, str]) -> requests.Response:
    parts = [{"part_number": n, "etag": etag} for n, etag in sorted(etags.items())]
    return api.http.post(api.url(f"/uploads/multipart/{job_id}/complete"), json={"parts": parts})


def open_uploads(s3, key: str) -> list:
    return [
        u for u in s3.list_multipart_uploads(Bucket="jobs", Prefix=key).get("Uploads", []) if u["Key"] == key
    ]


def test_a_40_mb_file_in_parts_with_checksums_is_counted(api, s3):
    data = big_text(SIZE)
    created = create(api, "big.txt", SIZE)
    assert created["part_size"] == 8 * MiB and created["part_count"] == 5
    assert created["status_url"].endswith(f"/jobs/{created['job_id']}") and created["upload_id"]
    pieces = chunks(data, created["part_size"])
    etags = put_parts(api, created["job_id"], pieces)
    reply = complete(api, created["job_id"], etags)
    assert reply.status_code == 202, reply.text
    assert reply.json()["status"] == "queued"
    assert reply.headers["Location"] == created["status_url"] and int(reply.headers["Retry-After"]) >= 1
    job = api.wait(created["job_id"], timeout=120)
    assert job["status"] == "finished", job
    assert job["result"]["words"] == words_of(data)
    assert job["source"]["size"] == SIZE
    assert s3.head_object(Bucket="jobs", Key=created["key"])["ContentLength"] == SIZE
    assert not open_uploads(s3, created["key"])


def test_listing_parts_lets_a_client_resume(api):
    data = big_text(20 * MiB)
    created = create(api, "resume.txt", len(data))
    pieces = chunks(data, created["part_size"])
    first = put_parts(api, created["job_id"], {1: pieces[1]})
    held = api.http.get(api.url(f"/uploads/multipart/{created['job_id']}/parts")).json()["parts"]
    assert held == [{"part_number": 1, "etag": first[1], "size": 8 * MiB}]
    rest = put_parts(api, created["job_id"], {n: pieces[n] for n in (2, 3)}, checksums=False)
    assert complete(api, created["job_id"], {**first, **rest}).status_code == 202
    assert api.wait(created["job_id"], timeout=60)["result"]["words"] == words_of(data)


def test_parts_that_do_not_match_the_bucket_are_refused(api):
    data = big_text(9 * MiB)
    created = create(api, "wrong.txt", len(data))
    etags = put_parts(api, created["job_id"], chunks(data, created["part_size"]))
    missing = complete(api, created["job_id"], {1: etags[1]})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "bad_request"
    wrong = complete(api, created["job_id"], {**etags, 2: '"0123456789abcdef0123456789abcdef"'})
    assert wrong.status_code == 400 and "ETag" in wrong.json()["error"]["message"]
    assert api.job(created["job_id"]).json()["status"] == "awaiting_upload"


def test_a_part_of_the_wrong_size_is_refused_at_completion(api):
    created = create(api, "short.txt", 9 * MiB)
    signed = sign(api, created["job_id"], [{"part_number": 1}, {"part_number": 2}])
    sizes = {1: 8 * MiB, 2: MiB}
    signed_lengths = [requests.put(signed[n]["url"], data=b"x" * (sizes[n] - 1), timeout=60) for n in (1, 2)]
    if all(r.status_code == 403 for r in signed_lengths):
        return  # the server checks the signed Content-Length itself (SeaweedFS, AWS)
    etags = {n: r.headers["ETag"] for n, r in zip((1, 2), signed_lengths, strict=True)}
    reply = complete(api, created["job_id"], etags)
    assert reply.status_code == 400 and "bytes" in reply.json()["error"]["message"]


def test_abort_leaves_no_upload_in_the_bucket(api, s3):
    created = create(api, "gone.txt", 9 * MiB)
    put_parts(api, created["job_id"], {1: b"a " * (4 * MiB)})
    assert open_uploads(s3, created["key"])
    reply = api.http.delete(api.url(f"/uploads/multipart/{created['job_id']}"))
    assert reply.status_code == 204 and reply.content == b""
    assert not open_uploads(s3, created["key"])
    job = api.job(created["job_id"]).json()
    assert job["status"] == "failed" and job["error"]["code"] == "cancelled"
    again = api.http.delete(api.url(f"/uploads/multipart/{created['job_id']}"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    late = api.http.post(
        api.url(f"/uploads/multipart/{created['job_id']}/parts"), json={"parts": [{"part_number": 1}]}
    )
    assert late.status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"filename": "huge.pdf", "size": 5 * 1024**3 + 1}, 413, "too_large"),
        ({"filename": "a.png", "size": 10}, 415, "unsupported_type"),
        ({"filename": "a.pdf", "size": 10, "content_type": "image/png"}, 415, "unsupported_type"),
        ({"filename": "a.pdf", "size": -1}, 400, "bad_request"),
        ({"filename": "", "size": 1}, 400, "bad_request"),
        ([], 400, "bad_request"),
    ],
)
def test_create_refuses_bad_requests(api, body, status, code):
    reply = api.http.post(api.url("/uploads/multipart"), json=body)
    assert reply.status_code == status and reply.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [{"part_number": n} for n in range(1, 102)],
        [{"part_number": 0}],
        [{"part_number": 3}],
        [{"part_number": 1, "checksum_sha256": "not base64"}],
        [{"part_number": True}],
    ],
)
def test_signing_refuses_bad_parts(api, parts):
    created = create(api, "b.txt", 9 * MiB)
    reply = api.http.post(api.url(f"/uploads/multipart/{created['job_id']}/parts"), json={"parts": parts})
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


def test_a_job_without_an_upload_is_not_found(api):
    for method, path in (("get", "parts"), ("post", "complete")):
        reply = api.http.request(method, api.url(f"/uploads/multipart/nosuchjob/{path}"), json={"parts": []})
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"
    small = api.upload_one("small.txt", b"one two")
    reply = api.http.delete(api.url(f"/uploads/multipart/{small['job_id']}"))
    assert reply.status_code == 404


def test_a_small_file_is_one_part(api):
    created = create(api, "tiny.txt", 11)
    assert created["part_count"] == 1 and created["part_size"] == 8 * MiB
    etags = put_parts(api, created["job_id"], {1: b"hello world"})
    assert complete(api, created["job_id"], etags).status_code == 202
    assert api.wait(created["job_id"])["result"]["words"] == 2


def test_an_expired_upload_is_aborted_and_its_job_fails(tmp_path_factory):
    stack = start_live_stack(tmp_path_factory.mktemp("expiry"), MULTIPART_EXPIRES_SECONDS="2")
    try:
        api, s3 = Api(stack.base_url), stack.s3_client()
        created = create(api, "late.txt", 9 * MiB)
        put_parts(api, created["job_id"], {1: b"a " * (4 * MiB)})
        job = api.wait(created["job_id"], timeout=30)
        assert job["status"] == "failed" and job["error"]["code"] == "upload_missing", job
        deadline = time.monotonic() + 10
        while open_uploads(s3, created["key"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not open_uploads(s3, created["key"])
    finally:
        stack.stop()


def test_the_bucket_aborts_forgotten_uploads_and_exposes_etags(s3):
    from infra.bucket import ABORT_RULE_ID

    rules = s3.get_bucket_lifecycle_configuration(Bucket="jobs")["Rules"]
    ours = next(rule for rule in rules if rule["ID"] == ABORT_RULE_ID)
    assert ours["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1
    cors = s3.get_bucket_cors(Bucket="jobs")["CORSRules"]
    assert any("ETag" in rule.get("ExposeHeaders", []) for rule in cors)


def test_a_part_changed_on_the_way_gets_bad_digest_and_can_be_sent_again(stack, api):
    if getattr(stack, "s3_server", "moto") != "seaweedfs":
        pytest.skip("moto checks no part checksums; SeaweedFS (and AWS) do")
    data = big_text(9 * MiB)
    created = create(api, "tampered.txt", len(data))
    pieces = chunks(data, created["part_size"])
    signed = sign(api, created["job_id"], [{"part_number": 1, "checksum_sha256": sha256_b64(pieces[1])}])[1]
    changed = b"W" + pieces[1][1:]
    refused = requests.put(signed["url"], data=changed, headers=signed["headers"], timeout=60)
    assert refused.status_code == 400 and "BadDigest" in refused.text
    etags = put_parts(api, created["job_id"], pieces)
    assert complete(api, created["job_id"], etags).status_code == 202
    assert api.wait(created["job_id"], timeout=60)["result"]["words"] == words_of(data)


def test_a_browser_can_read_the_etag_of_a_part_it_put(stack, api):
    origin = stack.base_url
    created = create(api, "browser.txt", 5)
    signed = sign(api, created["job_id"], [{"part_number": 1}])[1]
    reply = requests.put(signed["url"], data=b"a b c", headers={"Origin": origin}, timeout=30)
    assert reply.status_code == 200
    exposed = reply.headers.get("Access-Control-Expose-Headers", "")
    assert "etag" in exposed.lower(), reply.headers
