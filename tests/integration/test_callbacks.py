"""Callbacks: a signed POST of the job's (or batch's) status when it ends, retried until taken."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.client import Api
from tests.integration.conftest import make_stack

SECRET = "test-callback-secret"


class Receiver:
    """An HTTP server on loopback that records callbacks; it can refuse the first few."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.received: list[tuple[dict, str, str]] = []
        self.refusals = refuse_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.refusals > 0:
                    receiver.refusals -= 1
                    self.send_response(503)
                else:
                    receiver.received.append((json.loads(body), self.headers["X-Signature"], body.decode()))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait(self, count: int, timeout: float = 30) -> list[tuple[dict, str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.received) >= count, self.received
        return self.received


@pytest.fixture(scope="module")
def hook_api(tmp_path_factory):
    # The receiver is on loopback, which callbacks refuse unless told otherwise.
    stack = make_stack(tmp_path_factory, "callbacks", CALLBACK_SECRET=SECRET, CALLBACK_ALLOW_PRIVATE="true")
    yield Api(stack.base_url)
    stack.stop()


def expected_signature(body: str) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()


def test_job_callback_is_signed_and_carries_the_status(hook_api):
    receiver = Receiver()
    reply = hook_api.http.post(
        hook_api.url("/uploads"), files=[("file", ("a.txt", b"three little words"))],
        data={"callback_url": receiver.url},
    )  # fmt: skip
    assert reply.status_code == 202, reply.text
    payload, signature, body = receiver.wait(1)[0]
    assert payload["status"] == "finished" and payload["result"]["words"] == 3
    assert hmac.compare_digest(signature, expected_signature(body))


def test_failing_receiver_is_retried_until_it_takes_it(hook_api):
    receiver = Receiver(refuse_first=1)
    grant = hook_api.http.post(
        hook_api.url("/uploads/presign"), json={"filename": "b.txt", "size": 3, "callback_url": receiver.url}
    ).json()
    requests.put(grant["upload"]["url"], data=b"a b", headers=grant["upload"]["headers"], timeout=10)
    hook_api.http.post(hook_api.url(f"/jobs/{grant['job_id']}/start"))
    payload, _, _ = receiver.wait(1, timeout=60)[0]
    assert payload["job_id"] == grant["job_id"] and payload["result"]["words"] == 2


def test_batch_callback_when_the_batch_is_done(hook_api):
    receiver = Receiver()
    reply = hook_api.http.post(
        hook_api.url("/batches"), json={"prefix": "incoming/empty-folder/", "callback_url": receiver.url}
    )
    assert reply.status_code == 202
    payload, _, _ = receiver.wait(1)[0]
    assert payload["batch_id"] == reply.json()["batch_id"] and payload["status"] == "done"


def test_callback_url_is_checked(hook_api):
    for url in ["ftp://x", "not a url", "http://" + "x" * 3000]:
        reply = hook_api.http.post(
            hook_api.url("/uploads/presign"), json={"filename": "a.txt", "size": 1, "callback_url": url}
        )
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"
