"""The Lambda entry points without AWS: API Gateway v2 events through the app, S3 events into intake."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest

from core.bucket import ObjectRef
from core.lifecycle import Change, Intake
from core.s3events import EventFormatError
from core.settings import Settings
from functions import lambda_handler
from functions.app import create_app
from tests.events import make_record, make_s3_event, make_test_event

UNUSED = {"REDIS_URL": "redis://127.0.0.1:1/0", "S3_ENDPOINT_URL": "http://127.0.0.1:1"}
TOKEN = "s3cret"


def make_v2_event(
    *, method: str = "GET", path: str = "/", body: bytes | str | None = None,
    headers: dict[str, str] | None = None, query: str = "",
) -> dict[str, Any]:  # fmt: skip
    """An API Gateway HTTP API event (payload 2.0); bytes bodies are base64-encoded, as the gateway does."""
    binary = isinstance(body, bytes)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"host": "api.example.com", "x-forwarded-proto": "https", **(headers or {})},
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
            "domainName": "api.example.com",
            "stage": "$default",
        },
        "body": base64.b64encode(body).decode() if binary else body,
        "isBase64Encoded": binary,
    }


def make_sqs_event(*bodies: dict[str, Any], sns: bool = False) -> dict[str, Any]:
    """S3 notifications delivered through SQS (optionally through SNS first), as Lambda receives them."""

    def wrap(body: dict[str, Any]) -> str:
        return json.dumps({"Type": "Notification", "Message": json.dumps(body)} if sns else body)

    return {
        "Records": [
            {"eventSource": "aws:sqs", "messageId": str(n), "body": wrap(b)} for n, b in enumerate(bodies)
        ]
    }


@pytest.fixture
def http():
    settings = Settings.from_env({**UNUSED, "EVENTS_TOKEN": TOKEN})
    return lambda_handler.http_handler_for(create_app(settings))


def reply_json(reply: dict[str, Any]) -> Any:
    body = base64.b64decode(reply["body"]) if reply["isBase64Encoded"] else reply["body"]
    return json.loads(body)


def test_openapi_is_served_as_json(http):
    reply = http(make_v2_event(path="/openapi.json"), None)
    assert reply["statusCode"] == 200 and reply["headers"]["content-type"].startswith("application/json")
    assert not reply["isBase64Encoded"] and reply_json(reply)["openapi"].startswith("3.")


def test_unknown_route_is_the_contracts_404(http):
    reply = http(make_v2_event(path="/nope"), None)
    assert reply["statusCode"] == 404 and reply_json(reply)["error"]["code"] == "not_found"


def test_events_need_the_token(http):
    event = make_v2_event(method="POST", path="/events", body=json.dumps(make_test_event()),
                          headers={"content-type": "application/json"})  # fmt: skip
    reply = http(event, None)
    assert reply["statusCode"] == 401 and reply_json(reply)["error"]["code"] == "unauthorized"
    event["headers"]["authorization"] = f"Bearer {TOKEN}"
    reply = http(event, None)
    assert reply["statusCode"] == 200 and reply_json(reply)["ignored"] == 1


def test_binary_bodies_are_decoded(http):
    part = b'Content-Disposition: form-data; name="file"; filename="tool.exe"'
    body = b"--x\r\n" + part + b"\r\n\r\nMZ\x90\x00\r\n--x--\r\n"
    event = make_v2_event(method="POST", path="/uploads", body=body,
                          headers={"content-type": "multipart/form-data; boundary=x"})  # fmt: skip
    reply = http(event, None)
    assert reply["statusCode"] == 415 and reply_json(reply)["error"]["code"] == "unsupported_type"


def test_handler_builds_the_app_on_the_first_call_only(monkeypatch):
    for name, value in UNUSED.items():
        monkeypatch.setenv(name, value)
    lambda_handler._http_handler.cache_clear()
    try:
        assert lambda_handler._http_handler.cache_info().currsize == 0  # importing built nothing
        for _ in range(2):
            assert lambda_handler.handler(make_v2_event(path="/openapi.json"), None)["statusCode"] == 200
        assert lambda_handler._http_handler.cache_info().misses == 1
    finally:
        lambda_handler._http_handler.cache_clear()


# --- S3 notifications ---------------------------------------------------------------------------------


class FakeLifecycle:
    """Jobs in a dict, with the create-once and awaiting-to-queued rules of core.lifecycle."""

    def __init__(self) -> None:
        self.jobs: dict[str, str] = {}
        self.enqueued: list[tuple[str, str]] = []

    def queued(self, intake: Intake) -> Change:
        if intake.job_id in self.jobs:
            return Change(False, self.jobs[intake.job_id], self._record(intake.job_id))
        self.jobs[intake.job_id] = "queued"
        self.enqueued.append((intake.job_id, intake.source.key))
        return Change(True, None, self._record(intake.job_id))

    def upload_arrived(self, job_id: str, obj: ObjectRef) -> Change:
        before = self.jobs.get(job_id)
        if before != "awaiting_upload":
            return Change(False, before, self._record(job_id) if before else None)
        self.jobs[job_id] = "queued"
        self.enqueued.append((job_id, obj.key))
        return Change(True, before, self._record(job_id))

    def upload_in(self, job_id: str, key: str) -> str | None:
        status = self.jobs.get(job_id)
        return None if status in (None, "awaiting_upload") else status

    def _record(self, job_id: str) -> SimpleNamespace:
        return SimpleNamespace(job_id=job_id, status=self.jobs[job_id])


class FakeS3:
    """Answers the HEAD each announced object gets (events are claims): every object is there."""

    def head_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        return {"ContentLength": 10, "ETag": '"0123456789abcdef0123456789abcdef"'}


def make_services() -> SimpleNamespace:
    clients = SimpleNamespace(s3=FakeS3())
    return SimpleNamespace(settings=Settings.from_env(UNUSED), lifecycle=FakeLifecycle(), clients=clients)


def test_every_created_object_becomes_a_job_once():
    svc = make_services()
    event = {"Records": [
        make_record(key="incoming/a b.txt"), make_record(key="incoming/deep/c.pdf", minio=True),
        make_record(key="incoming/gone.txt", event="ObjectRemoved:Delete"), make_record(bucket="other"),
        make_record(key="elsewhere/d.txt"),
    ]}  # fmt: skip
    outcome = lambda_handler.s3_handler(event, None, services=svc)
    assert [job["key"] for job in outcome["jobs"]] == ["incoming/a b.txt", "incoming/deep/c.pdf"]
    assert all(job["new"] and job["status"] == "queued" for job in outcome["jobs"])
    assert outcome["ignored"] == 3 and len(outcome["reasons"]) == 3
    assert [key for _, key in svc.lifecycle.enqueued] == ["incoming/a b.txt", "incoming/deep/c.pdf"]  # type: ignore[attr-defined]
    again = lambda_handler.s3_handler(event, None, services=svc)
    assert [job["job_id"] for job in again["jobs"]] == [job["job_id"] for job in outcome["jobs"]]
    assert not any(job["new"] for job in again["jobs"]) and len(svc.lifecycle.enqueued) == 2  # type: ignore[attr-defined]


def test_an_upload_starts_its_waiting_job():
    svc = make_services()
    job_id = "0123456789abcdef0123456789abcdef"
    svc.lifecycle.jobs[job_id] = "awaiting_upload"
    outcome = lambda_handler.s3_handler(make_s3_event(key=f"uploads/{job_id}/r.txt"), None, services=svc)
    assert outcome["jobs"] == [
        {"job_id": job_id, "key": f"uploads/{job_id}/r.txt", "status": "queued", "new": True}
    ]
    assert svc.lifecycle.enqueued == [(job_id, f"uploads/{job_id}/r.txt")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("sns", [False, True])
def test_notifications_through_sqs_are_unwrapped(sns):
    svc = make_services()
    event = make_sqs_event(make_s3_event(key="incoming/1.txt"), make_s3_event(key="incoming/2.json"),
                           make_test_event(), sns=sns)  # fmt: skip
    outcome = lambda_handler.s3_handler(event, None, services=svc)
    assert [job["key"] for job in outcome["jobs"]] == ["incoming/1.txt", "incoming/2.json"]
    assert outcome["ignored"] == 1 and outcome["reasons"] == ["s3:TestEvent"]


def test_a_malformed_notification_raises_for_lambda_to_retry():
    with pytest.raises(EventFormatError):
        lambda_handler.s3_handler({"nothing": "here"}, None, services=make_services())
