"""Status the way HTTP clients expect it, over real processes: 202 headers, ETag/304, wait, SSE."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from infra.stack import Stack
from tests.client import Api
from tests.httpspy import RequestLog
from tests.integration.test_cli import run_cli
from tests.livestack import Event, read_events, start_live_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    stack = start_live_stack(tmp_path_factory.mktemp("live"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack.base_url)


def presigned(api: Api, name: str = "wait.txt", size: int = 9) -> dict:
    reply = api.http.post(api.url("/uploads/presign"), json={"filename": name, "size": size})
    assert reply.status_code == 201, reply.text
    return reply.json()


def upload_and_start(api: Api, job: dict, data: bytes = b"one two 3") -> requests.Response:
    put = requests.put(job["upload"]["url"], data=data, headers=job["upload"]["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return api.http.post(api.url(f"/jobs/{job['job_id']}/start"))


def test_every_202_says_where_and_when_to_look(api):
    uploaded = api.upload(("a.txt", b"one two"))
    assert uploaded.status_code == 202
    assert uploaded.headers["Location"] == uploaded.json()["status_url"]
    assert int(uploaded.headers["Retry-After"]) >= 1
    job = presigned(api)
    started = upload_and_start(api, job)
    assert started.status_code == 202 and started.headers["Location"] == job["status_url"]
    batch = api.http.post(api.url("/batches"), json={"prefix": "incoming/none/"})
    assert batch.status_code == 202 and batch.headers["Location"] == batch.json()["status_url"]


def test_a_job_carries_an_etag_and_if_none_match_gives_304(api):
    job = presigned(api)
    first = api.job(job["job_id"])
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Location"] == job["status_url"]
    assert int(first.headers["Retry-After"]) >= 1
    again = api.http.get(job["status_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert api.http.get(job["status_url"], headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert api.http.get(job["status_url"], headers={"If-None-Match": '"other"'}).status_code == 200
    upload_and_start(api, job)
    ended = api.wait(job["job_id"])
    final = api.job(job["job_id"])
    assert (
        final.headers["ETag"] != etag
        and "Location" not in final.headers
        and "Retry-After" not in final.headers
    )
    assert final.json() == ended


def test_a_batch_carries_an_etag(api):
    uploaded = api.upload(("a.txt", b"one"), ("b.txt", b"two"))
    url = uploaded.json()["status_url"]
    deadline = time.monotonic() + 30
    while (reply := api.http.get(url)).json()["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Retry-After" not in reply.headers
    assert api.http.get(url, headers={"If-None-Match": reply.headers["ETag"]}).status_code == 304
    other_page = api.http.get(url + "?limit=1", headers={"If-None-Match": reply.headers["ETag"]})
    assert other_page.status_code == 200


def held(api: Api, url: str, headers: dict, into: dict) -> threading.Thread:
    def run() -> None:
        reply = api.http.get(url, headers=headers, timeout=40)
        into["reply"], into["at"] = reply, time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_wait_answers_as_soon_as_the_job_changes(api):
    job = presigned(api)
    etag = api.job(job["job_id"]).headers["ETag"]
    answer: dict = {}
    thread = held(api, job["status_url"] + "?wait=20", {"If-None-Match": etag}, answer)
    time.sleep(0.5)
    assert not answer, "a wait returned before any change"
    upload_and_start(api, job)
    changed_at = time.monotonic()
    thread.join(25)
    assert answer["reply"].status_code == 200
    assert answer["reply"].json()["status"] in ("queued", "started", "finished")
    assert answer["at"] - changed_at < 1.0  # the benchmark measures the p95 (target 200 ms)


def test_wait_without_an_etag_answers_when_the_job_ends(api):
    job = presigned(api)
    answer: dict = {}
    thread = held(api, job["status_url"] + "?wait=20", {}, answer)
    upload_and_start(api, job)
    thread.join(25)
    assert answer["reply"].json()["status"] == "finished"


def test_wait_with_no_change_answers_after_n_seconds_with_the_document(api):
    job = presigned(api)
    first = api.job(job["job_id"])
    began = time.monotonic()
    reply = api.http.get(job["status_url"] + "?wait=1", headers={"If-None-Match": first.headers["ETag"]})
    assert 0.9 < time.monotonic() - began < 5
    assert reply.status_code == 200 and reply.json() == first.json()
    assert reply.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("wait", ["0", "31", "x", "-1"])
def test_a_bad_wait_is_refused(api, wait):
    job = presigned(api)
    reply = api.http.get(job["status_url"] + f"?wait={wait}")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


def collect(url: str, headers: dict | None = None, into: list | None = None) -> list[Event]:
    events = into if into is not None else []
    with requests.get(url, headers=headers or {}, stream=True, timeout=30) as reply:
        assert reply.status_code == 200
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        events.extend(read_events(reply))
    return events


def stream_a_job(api: Api) -> tuple[dict, list[Event]]:
    """Watch a presigned job's events from before its upload to its end."""
    job = presigned(api)
    events: list[Event] = []
    thread = threading.Thread(target=collect, args=(job["status_url"] + "/events", None, events))
    thread.start()
    deadline = time.monotonic() + 10
    while not events and time.monotonic() < deadline:
        time.sleep(0.05)
    assert events and events[0].doc["status"] == "awaiting_upload"
    upload_and_start(api, job)
    thread.join(30)
    assert not thread.is_alive(), "the stream did not end with the job"
    return job, events


def test_job_events_stream_each_change_and_end_with_the_job(api):
    job, events = stream_a_job(api)
    statuses = [event.doc["status"] for event in events]
    assert statuses[0] == "awaiting_upload" and statuses[-1] == "finished"
    assert all(event.event == "status" for event in events)
    ids = [int(event.id) for event in events]
    assert ids == sorted(set(ids))
    assert events[-1].doc == api.job(job["job_id"]).json()


def test_last_event_id_resumes_after_what_the_client_saw(api):
    job, events = stream_a_job(api)
    url = job["status_url"] + "/events"
    assert collect(url, {"Last-Event-ID": events[-1].id}) == []
    resumed = collect(url, {"Last-Event-ID": events[0].id})
    assert [event.doc["status"] for event in resumed] == ["finished"]
    assert int(resumed[0].id) > int(events[0].id)


def test_an_ended_job_streams_one_event(api):
    job = api.process("done.txt", b"a b c")
    events = collect(api.url(f"/jobs/{job['job_id']}/events"))
    assert [event.doc for event in events] == [job]


def test_batch_events_end_when_the_batch_is_done(api):
    uploaded = api.upload(("a.txt", b"one"), ("b.txt", b"two three")).json()
    events = collect(uploaded["status_url"] + "/events")
    assert events[-1].doc["status"] == "done" and events[-1].doc["counts"]["finished"] == 2
    ids = [int(event.id) for event in events]
    assert ids == sorted(set(ids))


def test_events_of_an_unknown_job_are_not_found(api):
    for path in ("/jobs/nosuch/events", "/batches/nosuch/events"):
        reply = api.http.get(api.url(path))
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"


def test_many_streams_of_one_batch_are_served_at_once(api, stack):
    """More watchers than Redis connections in the pool: each waits its turn, none fails."""
    import socket

    uploaded = api.upload(("a.txt", b"one"), ("b.txt", b"two")).json()
    path = f"/batches/{uploaded['batch_id']}/events"
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    sockets = []
    for _ in range(150):
        sock = socket.create_connection(("127.0.0.1", stack.http_port), timeout=30)
        sock.sendall(request)
        sockets.append(sock)
    replies = []
    for sock in sockets:
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        sock.close()
        replies.append(b"".join(chunks))
    assert all(reply.startswith(b"HTTP/1.1 200") for reply in replies)
    assert all(b'"status": "done"' in reply for reply in replies)


def drop_batch(stack: Stack, spy: RequestLog, folder: Path, prefix: str) -> tuple[str, str]:
    """`filejobs drop --batch` of three files through `spy`; the batch id and the last line printed."""
    for n in range(3):
        (folder / f"f{n}.txt").write_text("word " * (n + 1))
    api = SimpleNamespace(base_url=f"http://127.0.0.1:{spy.port}")
    done = run_cli(api, "drop", str(folder), "--s3-endpoint", stack.env["S3_ENDPOINT_URL"],
                   "--prefix", prefix, "--batch", "--timeout", "120", "--poll", "0.2")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    batch_id = next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("batch "))
    return batch_id, done.stdout.splitlines()[-1]


def test_drop_batch_follows_the_batch_stream(stack, tmp_path):
    spy = RequestLog(stack.http_port).up()
    try:
        batch_id, last = drop_batch(stack, spy, tmp_path, "incoming/live-drop/")
    finally:
        spy.down()
    assert last.endswith(" done: 3/3 ended (finished 3, failed 0, started 0, queued 0)")
    assert f"GET /batches/{batch_id}/events?limit=1" in spy.requests
    polls = [r for r in spy.requests if r.startswith(f"GET /batches/{batch_id}?")]
    assert polls == [], "polled although the stream was there"


def test_drop_batch_polls_where_there_is_no_stream(stack, tmp_path):
    spy = RequestLog(stack.http_port, refuse=r"/events").up()
    try:
        batch_id, last = drop_batch(stack, spy, tmp_path, "incoming/live-drop-polled/")
    finally:
        spy.down()
    assert last.endswith(" done: 3/3 ended (finished 3, failed 0, started 0, queued 0)")
    assert f"GET /batches/{batch_id}/events?limit=1" in spy.requests
    assert f"GET /batches/{batch_id}?limit=1" in spy.requests
