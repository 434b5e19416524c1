"""The app without any backend: routing, auth and error shapes that need no Redis or S3."""

from __future__ import annotations

import pytest

from core.settings import Settings
from functions.app import create_app

UNUSED = {"REDIS_URL": "redis://127.0.0.1:1/0", "S3_ENDPOINT_URL": "http://127.0.0.1:1"}


@pytest.fixture
def client():
    settings = Settings.from_env({**UNUSED, "EVENTS_TOKEN": "s3cret", "MAX_UPLOAD_BYTES": "1000"})
    return create_app(settings).test_client()


def assert_error(reply, status: int, code: str) -> None:
    assert reply.status_code == status, reply.data
    assert reply.is_json and reply.json["error"]["code"] == code and reply.json["error"]["message"]


def test_events_without_the_token_are_401(client):
    assert_error(client.post("/events", json={"Records": []}), 401, "unauthorized")
    headers = {"Authorization": "Bearer wrong"}
    assert_error(client.post("/events", json={"Records": []}, headers=headers), 401, "unauthorized")


def test_events_with_the_token_pass_auth(client):
    reply = client.post("/events", json={"Event": "s3:TestEvent"}, headers={"Authorization": "Bearer s3cret"})
    assert reply.status_code == 200 and reply.json["ignored"] == 1


def test_unknown_route_is_json_404(client):
    assert_error(client.get("/nope"), 404, "not_found")


def test_wrong_method_is_json_405(client):
    assert_error(client.delete("/uploads"), 405, "method_not_allowed")


def test_oversized_body_is_413_unread(client):
    reply = client.post("/uploads", data=b"x" * 2_000_000, content_type="multipart/form-data; boundary=x")
    assert_error(reply, 413, "too_large")


def test_upload_needs_multipart_file_parts(client):
    assert_error(client.post("/uploads", json={}), 400, "bad_request")
    assert_error(
        client.post("/uploads", data={"other": "x"}, content_type="multipart/form-data"), 400, "bad_request"
    )


def test_unsupported_type_is_415_before_storage(client):
    import io

    reply = client.post(
        "/uploads", data={"file": (io.BytesIO(b"MZ"), "tool.exe")}, content_type="multipart/form-data"
    )
    assert_error(reply, 415, "unsupported_type")


def test_presign_validates_its_body(client):
    assert_error(client.post("/uploads/presign", json={"filename": "a.txt"}), 400, "bad_request")
    assert_error(client.post("/uploads/presign", json={"filename": "a.txt", "size": -1}), 400, "bad_request")
    assert_error(client.post("/uploads/presign", json={"filename": "a.txt", "size": 5000}), 413, "too_large")
    assert_error(
        client.post("/uploads/presign", json={"filename": "a.doc", "size": 5}), 415, "unsupported_type"
    )


def test_redis_down_is_503_naming_it(client):
    reply = client.get("/jobs/0123456789abcdef0123456789abcdef")
    assert_error(reply, 503, "unavailable")


def test_health_names_what_failed(client):
    reply = client.get("/healthz")
    assert reply.status_code == 503 and reply.json["checks"] == {"redis": "failing", "s3": "failing"}


def test_openapi_is_served(client):
    reply = client.get("/openapi.json")
    assert reply.status_code == 200 and reply.json["openapi"].startswith("3.")


def make_client(**env: str):
    return create_app(Settings.from_env({**UNUSED, **env})).test_client()


def test_api_keys_when_set_guard_everything_but_health_and_page():
    client = make_client(API_KEYS="k1,k2", EVENTS_TOKEN="t")
    assert_error(client.get("/jobs/0123456789abcdef0123456789abcdef"), 401, "unauthorized")
    assert client.get("/openapi.json").status_code == 200
    reply = client.get("/jobs/0123456789abcdef0123456789abcdef", headers={"X-API-Key": "k2"})
    assert reply.status_code == 503  # past the key check; Redis is not there


def test_cors_only_for_configured_origins():
    client = make_client(CORS_ORIGINS="https://app.example")
    allowed = client.get("/openapi.json", headers={"Origin": "https://app.example"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://app.example"
    other = client.get("/openapi.json", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert (
        "Access-Control-Allow-Origin"
        not in make_client().get("/openapi.json", headers={"Origin": "x"}).headers
    )
