"""The core pipeline over real processes: upload → bucket → worker → result → status."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests import builders
from tests.events import make_record
from tests.languages import PARAGRAPHS

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_txt_utf8_exact_counts(api):
    job = api.process("notes.txt", "héllo wörld\u00a0again\nsecond line".encode())
    assert job["status"] == "finished", job
    assert job["result"]["words"] == 5 and job["result"]["lines"] == 2
    assert job["result"]["encoding"] == "utf-8" and job["result"]["characters"] == 29


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("\ufeffone two three".encode(), "utf-8-sig"),
        ("one two three".encode("utf-16"), "utf-16"),
        ("café crème brûlée".encode("latin-1"), None),
    ],
)
def test_txt_encodings(api, data, encoding):
    job = api.process("enc.txt", data)
    assert job["status"] == "finished", job
    assert job["result"]["words"] == 3
    if encoding:
        assert job["result"]["encoding"] == encoding
    else:
        assert job["result"]["encoding"] not in ("utf-8", "utf-8-sig")


def test_json_counts_only_string_values(api):
    doc = {"title": "two words", "n": 42, "tags": ["a b c", True, None], "nested": {"deep": ["four"]}}
    job = api.process("doc.json", json.dumps(doc).encode())
    assert job["status"] == "finished", job
    assert job["result"]["words"] == 6


def test_rtf_plain_text_is_counted(api):
    job = api.process("letter.rtf", builders.make_rtf("Dear reader, this is five words more"))
    assert job["status"] == "finished", job
    assert job["result"]["words"] == 7


def test_pdf_pages_and_page_words(api):
    job = api.process("report.PDF", builders.make_pdf(["one two three", "four five", "six"]))
    assert job["status"] == "finished", job
    assert job["file_type"] == "pdf"
    assert job["result"]["pages"] == 3 and job["result"]["page_words"] == [3, 2, 1]
    assert job["result"]["words"] == 6


def test_result_has_sha256_reading_minutes_and_pages_without_text(api):
    text = ("Every result names the file by its hash and says how long it takes to read. " * 20).encode()
    job = api.process("long.txt", text)
    assert job["result"]["sha256"] == hashlib.sha256(text).hexdigest()
    assert job["result"]["reading_minutes"] == round(len(text.split()) / 238, 1)
    scan = builders.make_scanned_pdf(["a text page", None])
    result = api.process("scan.pdf", scan)["result"]
    assert result["pages_without_text"] == [2] and result["sha256"] == hashlib.sha256(scan).hexdigest()


def test_a_text_of_twenty_words_or_more_names_its_language(api):
    job = api.process("brief.txt", PARAGRAPHS["de"][2].encode())
    assert job["status"] == "finished", job
    language = job["result"]["language"]
    assert language["code"] == "de" and 0.5 <= language["confidence"] <= 1
    assert api.http.get(api.url(f"/jobs/{job['job_id']}/result")).json()["language"] == language
    rtf = api.process("lettre.rtf", builders.make_rtf(PARAGRAPHS["fr"][1]))["result"]
    assert rtf["language"]["code"] == "fr"
    short = api.process("short.json", json.dumps({"a": "nur ein paar Wörter"}).encode())["result"]
    assert short["words"] == 4 and "language" not in short


def test_result_json_is_in_the_bucket_and_served(api, s3):
    job = api.process("r.txt", b"alpha beta")
    stored = s3.get_object(Bucket="jobs", Key=f"results/{job['job_id']}.json")
    assert stored["ContentType"] == "application/json"
    assert json.loads(stored["Body"].read())["words"] == 2
    reply = api.http.get(api.url(f"/jobs/{job['job_id']}/result"))
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/json"
    assert reply.json()["words"] == 2 and job["result_key"] == f"results/{job['job_id']}.json"


def test_fifty_uploads_at_once(api, s3):
    texts = [("word " * (n + 1)).encode() for n in range(50)]
    with ThreadPoolExecutor(10) as pool:
        jobs = list(pool.map(lambda n: api.upload_one(f"f{n}.txt", texts[n]), range(50)))
    finished = [api.wait(job["job_id"], timeout=120) for job in jobs]
    assert [job["result"]["words"] for job in finished] == list(range(1, 51))
    for job in finished:
        s3.head_object(Bucket="jobs", Key=f"results/{job['job_id']}.json")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("image.txt", PNG, "content_mismatch"),
        ("fake.pdf", b"this is not a pdf at all", "content_mismatch"),
        ("broken.json", b'{"a": [1, 2', "corrupt_file"),
        ("cut.pdf", builders.make_truncated_pdf(), "corrupt_file"),
        ("locked.pdf", builders.make_encrypted_pdf(), "encrypted_pdf"),
        ("broken.rtf", b"{\\rtf1 \\ansi {\\b a group that never closes", "corrupt_file"),
    ],
)
def test_bad_files_fail_with_their_code(api, name, data, code):
    job = api.process(name, data)
    assert job["status"] == "failed" and job["error"]["code"] == code, job
    assert job["error"]["message"] and job["attempts"] == 1


def test_unsupported_type_is_refused_up_front(api):
    reply = api.upload(("tool.exe", b"MZ\x90\x00"))
    assert reply.status_code == 415 and reply.json()["error"]["code"] == "unsupported_type"


def test_too_large_upload_is_refused_up_front(api, stack):
    limit = int(stack.env["MAX_UPLOAD_BYTES"])
    reply = api.upload(("big.txt", b"a " * (limit // 2 + 10)))
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "too_large"


def test_dropped_files_that_are_too_large_or_unsupported_fail_with_codes(api, s3, stack):
    limit = int(stack.env["MAX_UPLOAD_BYTES"])
    s3.put_object(Bucket="jobs", Key="incoming/codes/huge.txt", Body=b"a " * (limit // 2 + 10))
    s3.put_object(Bucket="jobs", Key="incoming/codes/tool.exe", Body=b"MZ")
    batch = api.http.post(api.url("/batches"), json={"prefix": "incoming/codes/"}).json()
    from tests.integration.test_ingress import wait_for

    done = wait_for(
        lambda: (b := api.http.get(batch["status_url"]).json())["status"] == "done" and b, 60, "done"
    )
    codes = sorted(job["error"]["code"] for job in done["jobs"])
    assert codes == ["too_large", "unsupported_type"]


def test_result_of_unfinished_and_unknown_jobs(api):
    reply = api.http.post(api.url("/uploads/presign"), json={"filename": "x.txt", "size": 3})
    job_id = reply.json()["job_id"]
    pending = api.http.get(api.url(f"/jobs/{job_id}/result"))
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "not_finished"
    missing = api.http.get(api.url("/jobs/0123456789abcdef0123456789abcdef/result"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.job("../../etc").status_code == 404


def test_finished_job_survives_flushall(api, stack):
    job = api.process("keep.txt", b"kept after redis forgets")
    redis.Redis.from_url(stack.env["REDIS_URL"]).flushall()
    again = api.job(job["job_id"])
    assert again.status_code == 200
    body = again.json()
    assert body["status"] == "finished" and body["result"]["words"] == 4
    assert body["filename"] == "keep.txt" and body["source"]["key"] == job["source"]["key"]


def test_retry_queues_a_failed_job_again(api, s3, stack):
    key = "incoming/retry/late.txt"
    running = [worker for worker in stack.workers if worker.running]
    for worker in running:
        worker.stop()
    try:  # the event's object (HEAD), gone before a worker reads it: upload_missing
        s3.put_object(Bucket="jobs", Key=key, Body=b"now there")
        record = make_record(key=key, size=9, etag="e1")
        job_id = api.http.post(api.url("/events"), json={"Records": [record]}).json()["jobs"][0]["job_id"]
        s3.delete_object(Bucket="jobs", Key=key)
    finally:
        for _ in running:
            stack.start_worker()
    job = api.wait(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "upload_missing"
    s3.put_object(Bucket="jobs", Key=key, Body=b"now there")  # the same bytes, so the same ETag
    reply = api.http.post(api.url(f"/jobs/{job_id}/retry"))
    assert reply.status_code == 202 and reply.json()["status"] == "queued"
    again = api.wait(job_id)
    assert again["status"] == "finished" and again["attempts"] == 2 and again["result"]["words"] == 2
    bad = api.process("image.txt", PNG)
    refused = api.http.post(api.url(f"/jobs/{bad['job_id']}/retry"))  # content_mismatch: retry cannot help
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    conflict = api.http.post(api.url(f"/jobs/{job_id}/retry"))
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"


def test_long_pdf_is_spread_over_part_jobs_and_assembled_in_order(api, stack):
    pages = [" ".join(["w"] * (n % 7 + 1)) for n in range(230)]  # 3 ranges of up to 100 pages
    padding = b"/Padding (" + b"x" * 1400 + b") "  # past fanout.PROBE_BYTES, so the ranges fan out
    job = api.process("long.pdf", builders.make_pdf(pages, page_extra=padding), timeout=120)
    assert job["status"] == "finished", job
    assert job["result"]["pages"] == 230 and job["attempts"] == 1
    assert job["result"]["page_words"] == [n % 7 + 1 for n in range(230)]
    assert job["result"]["words"] == sum(n % 7 + 1 for n in range(230))
    logs = "".join(
        path.read_text(errors="replace") for path in (stack.base_dir / "logs").glob("worker-*.log")
    )
    ran = {part for part in ("p100", "p200") if f"{job['job_id']}-{part}" in logs}
    assert ran == {"p100", "p200"}  # the two ranges after the first ran as part jobs
