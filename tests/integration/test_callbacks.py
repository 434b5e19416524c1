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

from infra.processes import wait_until
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


def test_a_redirecting_receiver_is_not_followed(hook_api):
    elsewhere, asked = Receiver(), []

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            asked.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", elsewhere.url)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{server.server_port}/hook"
    reply = hook_api.http.post(
        hook_api.url("/uploads"), files=[("file", ("r.txt", b"one two"))], data={"callback_url": target}
    )
    hook_api.wait(reply.json()["jobs"][0]["job_id"])
    wait_until(lambda: asked, 30, "the first delivery")
    time.sleep(2)  # time enough to follow the redirect, were it followed
    assert elsewhere.received == []
    server.shutdown()


def test_callback_url_is_checked(hook_api):
    for url in ["ftp://x", "not a url", "http://" + "x" * 3000]:
        reply = hook_api.http.post(
            hook_api.url("/uploads/presign"), json={"filename": "a.txt", "size": 1, "callback_url": url}
        )
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


class Refuser(Receiver):
    """A receiver that answers 503 to everything and notes when each POST came."""

    def __init__(self) -> None:
        super().__init__(refuse_first=10**9)
        self.times: list[float] = []
        handler = self.server.RequestHandlerClass
        original = handler.do_POST
        refuser = self

        def do_post(request) -> None:
            refuser.times.append(time.time())
            refuser.received.append(({}, "", request.path))
            original(request)

        handler.do_POST = do_post


@pytest.fixture(scope="module")
def bounded_hooks(tmp_path_factory):
    stack = make_stack(
        tmp_path_factory, "bounded-callbacks", CALLBACK_SECRET=SECRET, CALLBACK_ALLOW_PRIVATE="true",
        CALLBACK_MAX_DELIVERIES="2", CALLBACK_MAX_PER_MINUTE="10",
    )  # fmt: skip
    yield stack
    stack.stop()


def test_a_failing_target_gets_at_most_max_deliveries_per_job_and_per_minute_per_host(bounded_hooks):
    api, refuser = Api(bounded_hooks.base_url), Refuser()
    refuser.url = refuser.url.replace("127.0.0.1", "vm")  # a host of its own: its budget is its own
    files = [("file", (f"f{n}.txt", b"one two")) for n in range(30)]
    reply = api.http.post(api.url("/uploads"), files=files, data={"callback_url": refuser.url}, timeout=60)
    assert reply.status_code == 202
    for job in reply.json()["jobs"]:
        api.wait(job["job_id"])
    time.sleep(15)  # the first attempts, and the retries 5 s later
    per_minute: dict[int, int] = {}
    for moment in refuser.times:
        per_minute[int(moment // 60)] = per_minute.get(int(moment // 60), 0) + 1
    assert refuser.times and all(count <= 10 for count in per_minute.values()), per_minute
    assert len(refuser.times) <= 2 * 31  # 30 jobs and the batch, 2 attempts each at most


def test_one_ending_is_delivered_once(bounded_hooks):
    api, receiver = Api(bounded_hooks.base_url), Receiver()
    reply = api.http.post(
        api.url("/uploads"), files=[("file", ("once.txt", b"just once"))], data={"callback_url": receiver.url}
    )
    job_id = reply.json()["jobs"][0]["job_id"]
    receiver.wait(1)
    time.sleep(3)
    assert [payload["job_id"] for payload, _, _ in receiver.received] == [job_id]


def test_a_name_resolving_to_loopback_is_refused_at_delivery_and_the_status_says_so(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "refusing-callbacks", workers=1, CALLBACK_SECRET=SECRET)
    try:
        api, receiver = Api(stack.base_url), Receiver()
        # `vm` is in /etc/hosts as 127.0.0.1: not known to be private until it is resolved.
        target = receiver.url.replace("127.0.0.1", "vm")
        reply = api.http.post(
            api.url("/uploads"), files=[("file", ("a.txt", b"a b"))], data={"callback_url": target}
        )
        assert reply.status_code == 202, reply.text
        job_id = reply.json()["jobs"][0]["job_id"]
        wait_until(lambda: "callback_error" in api.job(job_id).json(), 30, "the refusal on the job")
        assert api.job(job_id).json()["callback_error"].startswith("callback: refused")
        assert receiver.received == []
    finally:
        stack.stop()


def test_a_delivery_connects_to_the_address_it_checked_and_never_looks_the_name_up_again(monkeypatch):
    """DNS rebinding: the name is resolved once (and checked); the POST goes to that address."""
    import socket

    from worker.deliver import post_pinned, resolve

    receiver, real, lookups = Receiver(), socket.getaddrinfo, []
    port = receiver.server.server_port

    def rebinding(host, *args, **kwargs):
        if host == "rebind.test":  # a first answer that passes the check, then one that would not
            lookups.append(host)
            return real("93.184.215.14" if len(lookups) == 1 else "127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    address = resolve("rebind.test", port, allow_private=False)
    assert address == "93.184.215.14" and lookups == ["rebind.test"]
    body = json.dumps({"job_id": "x"}).encode()
    # Connected to the checked address (the receiver stands in for it here), the name only in Host.
    status = post_pinned(f"http://rebind.test:{port}/hook", "127.0.0.1", body, {"X-Signature": "s"})
    assert status == 204 and lookups == ["rebind.test"]
    assert receiver.received[0][0] == {"job_id": "x"}
