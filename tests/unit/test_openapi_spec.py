"""The OpenAPI description: valid, complete, and in step with the contract, the code and its replies."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from core import batches as bat
from core import errors as job_errors
from core import ids, results
from core.lifecycle.record import JobRecord, now_iso
from core.models import BatchStatus, Job, JobStatus
from core.settings import Settings, env_names
from functions.schemas import FILENAME_PATTERN
from functions.spec import build_spec

# The contract's values, spelled out here; the tests check that the code and the spec use the same ones.
JOB_STATUSES = ("awaiting_upload", "queued", "started", "finished", "failed")
FILE_TYPES = ("txt", "json", "rtf", "pdf")
JOB_ERROR_CODES = (
    "unsupported_type", "content_mismatch", "corrupt_file", "encrypted_pdf",
    "too_large", "timeout", "upload_missing", "internal", "cancelled",
)  # fmt: skip
BATCH_STATUSES = ("listing", "running", "done")
JOB_FIELDS = (
    "job_id", "status", "filename", "file_type", "source", "created_at", "updated_at",
    "attempts", "result_key", "result", "error",
)  # fmt: skip
JOB_EXAMPLE = {
    "job_id": "4f1c2b7e9a0d4c3e8b6f5a4d3c2b1a09", "status": "finished",
    "filename": "report.pdf", "file_type": "pdf",
    "source": {"bucket": "jobs", "key": "uploads/4f1c2b7e9a0d4c3e8b6f5a4d3c2b1a09/report.pdf",
               "size": 48213, "etag": "9b2cf535f27731c974343645a3985328"},
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:02Z", "attempts": 1,
    "result_key": "results/4f1c2b7e9a0d4c3e8b6f5a4d3c2b1a09.json",
    "result": {"words": 1234, "characters": 7311, "pages": 3, "page_words": [400, 420, 414]},
    "error": None,
}  # fmt: skip
SPEC = build_spec()
ERROR_REF = "#/components/schemas/Error"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
OPERATIONS = [
    (path, method, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]
OP_IDS = [f"{method.upper()} {path}" for path, method, _ in OPERATIONS]
UNUSED = {"REDIS_URL": "redis://127.0.0.1:1/0", "S3_ENDPOINT_URL": "http://127.0.0.1:1"}


def component(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` to a component names, else the schema itself."""
    name = schema.get("$ref", "").removeprefix("#/components/schemas/")
    return SPEC["components"]["schemas"][name] if "$ref" in schema else schema


def uses_error(schema: dict[str, Any]) -> bool:
    """The Error schema itself, or one that carries its `error` object (HealthFailure)."""
    if schema.get("$ref") == ERROR_REF:
        return True
    error = component(schema).get("properties", {}).get("error", {})
    return error.get("$ref") == "#/components/schemas/ErrorBody"


def problems(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = Draft202012Validator({**schema, "components": SPEC["components"]})
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def assert_valid(name: str, instance: Any) -> None:
    assert problems({"$ref": f"#/components/schemas/{name}"}, instance) == []


def assert_invalid(name: str, instance: Any) -> None:
    assert problems({"$ref": f"#/components/schemas/{name}"}, instance) != []


# The document itself


def test_the_spec_is_valid_openapi_3_1():
    validate(SPEC, cls=OpenAPIV31SpecValidator)
    assert SPEC["openapi"].startswith("3.1.")


def test_the_spec_is_built_once_and_is_plain_json():
    assert build_spec() is SPEC
    assert json.loads(json.dumps(SPEC)) == SPEC  # no tuples or other types JSON would change


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OP_IDS)
def test_every_operation_has_a_success_and_a_client_error(path, method, operation):
    statuses = [int(status) for status in operation["responses"]]
    assert any(200 <= status < 400 for status in statuses), statuses
    assert any(400 <= status < 500 for status in statuses), statuses


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OP_IDS)
def test_every_error_response_is_the_error_schema(path, method, operation):
    for status, response in operation["responses"].items():
        if int(status) >= 400:
            assert uses_error(response["content"]["application/json"]["schema"]), status


def test_operation_ids_are_unique_and_links_name_them():
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    for _, _, operation in OPERATIONS:
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in ids


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OP_IDS)
def test_path_parameters_are_declared(path, method, operation):
    declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert declared == set(re.findall(r"{(\w+)}", path))


def test_every_route_of_the_app_is_described():
    from functions.app import create_app

    app = create_app(Settings.from_env(UNUSED))
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in SPEC["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in SPEC["paths"][path], f"{method} {path}"


def test_api_keys_are_documented_where_the_app_asks_for_them():
    from functions.security import EVENTS_PATH, OPEN_PATHS

    keyless = {
        path for path, _, operation in OPERATIONS if {"apiKeyAuth": []} not in operation.get("security", [])
    }
    assert keyless == {*OPEN_PATHS, EVENTS_PATH, "/", "/web/{name}"}


def test_the_configuration_table_names_real_variables():
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", SPEC["info"]["description"]))
    assert {"MAX_UPLOAD_BYTES", "EVENTS_TOKEN", "PRESIGN_EXPIRES_SECONDS", "API_KEYS"} <= named
    assert named - {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(env_names())


# The contract's values, as the code spells them


def test_enumerations_match_the_code():
    schemas = SPEC["components"]["schemas"]
    assert JOB_STATUSES == tuple(JobStatus) == tuple(schemas["JobStatus"]["enum"])
    assert FILE_TYPES == ids.FILE_TYPES == tuple(schemas["FileType"]["enum"])
    assert JOB_ERROR_CODES == job_errors.JOB_ERROR_CODES == tuple(schemas["JobErrorCode"]["enum"])
    optional = ("batch_id", "callback_error")
    assert JOB_FIELDS == tuple(name for name in Job.model_fields if name not in optional)
    assert JOB_FIELDS == tuple(schemas["Job"]["required"])
    assert BATCH_STATUSES == tuple(BatchStatus) == tuple(schemas["BatchStatus"]["enum"])
    assert tuple(component(schemas["Batch"]["properties"]["counts"])["required"]) == bat.COUNTED


def test_every_code_the_functions_map_statuses_to_is_documented():
    from functions import errors

    codes = SPEC["components"]["schemas"]["ErrorCode"]["enum"]
    assert set(errors._HTTP_CODES.values()) <= set(codes)


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(st.from_regex(FILENAME_PATTERN))
def test_filenames_the_pattern_allows_are_accepted(name):
    assert ids.file_type_of(ids.safe_filename(name)) is not None


@pytest.mark.parametrize("name", ["report.pdf", "a/b.TXT", "x 中文.json", "n.Rtf"])
def test_filename_pattern_examples(name):
    assert re.search(FILENAME_PATTERN, name)


@pytest.mark.parametrize("name", ["", ".txt", "a.exe", "a.txt.zip", "a/.pdf", "....json"])
def test_filename_pattern_refuses(name):
    assert not re.search(FILENAME_PATTERN, name)


# Documents as the code builds them


def record(**fields: Any) -> dict[str, Any]:
    source = {"bucket": "jobs", "key": "incoming/a.txt", "size": 5, "etag": "abc"}
    base = {"job_id": "j1", "status": "queued", "filename": "a.txt", "file_type": "txt", "source": source,
            "created_at": now_iso(), "updated_at": now_iso(), "attempts": 0,
            "result_key": "results/j1.json", "result": None, "error": None}  # fmt: skip
    return {**base, **fields}


def public_view(fields: dict[str, Any]) -> dict[str, Any]:
    """The job as the API shows a record of these fields."""
    return JobRecord.model_validate({**fields, "attempts": fields.get("attempts") or 0}).dump()


def raw_view(fields: dict[str, Any]) -> dict[str, Any]:
    """The public fields as given, unchecked (for documents the schema must refuse)."""
    return {name: value for name, value in fields.items() if name in Job.model_fields}


def test_the_contracts_example_job_is_valid():
    assert_valid("Job", JOB_EXAMPLE)


def test_jobs_in_every_state_are_valid():
    unsupported = {"code": "unsupported_type", "message": "no"}
    assert_valid("Job", public_view(record(status="awaiting_upload", declared_size=5)))
    assert_valid("Job", public_view(record(batch_id="b1")))
    assert_valid("Job", public_view(record(status="failed", file_type=None, error=unsupported)))
    no_etag = {"bucket": "jobs", "key": "k", "size": None, "etag": None, "version_id": "v1"}
    assert_valid("Job", public_view(record(source=no_etag, attempts=None)))


def test_invalid_jobs_are_refused():
    assert_invalid("Job", raw_view(record(status="done")))
    assert_invalid("Job", raw_view(record(file_type="exe")))
    assert_invalid("Job", raw_view(record(error={"code": "not_finished", "message": "x"})))
    assert_invalid("Job", {k: v for k, v in public_view(record()).items() if k != "error"})


@pytest.mark.parametrize(
    "analysis",
    [
        {"words": 2, "characters": 9, "lines": 1, "encoding": "utf-8"},
        {"words": 5, "characters": 30, "lines": 3, "pages": 2, "page_words": [2, 3]},
        {"words": 0, "characters": 0, "lines": 0, "pages": None, "page_words": None, "encoding": None},
        {"words": 30, "characters": 150, "lines": 1, "encoding": "cp1252", "sha256": "0f" * 32,
         "reading_minutes": 0.1},
        {"words": 3, "characters": 11, "lines": 1, "pages": 2, "page_words": [3, 0],
         "pages_without_text": [2], "sha256": "0f" * 32, "reading_minutes": 0.0},
        {"words": 24, "characters": 160, "lines": 1, "encoding": "utf-8", "sha256": "0f" * 32,
         "reading_minutes": 0.1, "language": {"code": "de", "confidence": 0.987}},
    ],
)  # fmt: skip
def test_results_and_the_jobs_rebuilt_from_them_are_valid(analysis):
    doc = results.build_result(
        JobRecord.model_validate(record(status="started", attempts=1)), analysis, now_iso()
    )
    assert_valid("ResultDocument", doc)
    assert_valid("Job", results.job_from_result(doc).dump())
    assert_valid("Job", public_view(record(status="finished", result=results.analysis_of(doc))))


@pytest.mark.parametrize(
    "language",
    [{"code": "deu", "confidence": 0.9}, {"code": "DE", "confidence": 0.9}, {"code": "de", "confidence": 1.5},
     {"code": "de"}, "de"],
)  # fmt: skip
def test_a_language_is_an_iso_639_1_code_and_a_probability(language):
    assert_valid("Result", {"words": 20, "characters": 99, "language": {"code": "de", "confidence": 0.9}})
    assert_invalid("Result", {"words": 20, "characters": 99, "language": language})


def test_a_batch_summary_page_is_valid():
    job = JobRecord.model_validate(record(status="finished", result={"words": 3, "characters": 9}))
    summary = bat.single_summary("b-j1", job).model_dump(mode="json")
    assert_valid("Batch", {**summary, "offset": 0, "limit": 100, "jobs": [job.dump(), public_view(record())]})


def test_errors_may_carry_more_but_need_a_known_code():
    assert_valid("Error", {"error": {"code": "not_finished", "message": "m", "status": "queued"}})
    assert_invalid("Error", {"error": {"code": "oops", "message": "m"}})
    assert_invalid("Error", {"error": {"code": "internal"}})


def test_presigned_uploads_are_put_or_post():
    put = {"method": "PUT", "url": "http://s3/x", "headers": {"Content-Type": "text/plain"}}
    post = {"method": "POST", "url": "http://s3/", "fields": {"key": "uploads/j/a.txt"}}
    base = {"job_id": "j", "key": "k", "status_url": "http://h/jobs/j", "expires_at": "2026-01-01T00:00:00Z"}
    assert_valid("Presigned", {**base, "upload": put})
    assert_valid("Presigned", {**base, "upload": post})
    assert_invalid("Presigned", {**base, "upload": {**put, "method": "POST"}})


def test_events_accept_records_and_test_events_only():
    assert_valid("S3Event", {"Records": []})
    assert_valid("S3Event", {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "jobs"})
    assert_invalid("S3Event", {"Event": "s3:ObjectCreated:Put"})


# Replies of the app itself (no Redis or S3 reached)


def template(url: str) -> str:
    """The spec's path that `url` is an instance of."""
    path = url.split("?", 1)[0]
    return next(p for p in SPEC["paths"] if re.fullmatch(re.sub(r"{\w+}", "[^/]+", p), path))


def check_reply(method: str, url: str, reply) -> None:
    """The reply's status is documented for the operation, and its JSON body matches the schema."""
    responses = SPEC["paths"][template(url)][method.lower()]["responses"]
    assert str(reply.status_code) in responses, (reply.status_code, reply.data[:200])
    content = responses[str(reply.status_code)].get("content", {})
    assert reply.mimetype in content or "*/*" in content, reply.mimetype
    if reply.mimetype == "application/json":
        assert problems(content["application/json"]["schema"], reply.get_json()) == []


def fake_services(settings: Settings, up: bool) -> SimpleNamespace:
    def probe(**_: Any) -> None:
        if not up:
            raise ConnectionError("down")

    clients = SimpleNamespace(redis=SimpleNamespace(ping=probe), s3=SimpleNamespace(head_bucket=probe))
    return SimpleNamespace(settings=settings, clients=clients)


@pytest.fixture(scope="module")
def app():
    from functions.app import create_app

    return create_app(Settings.from_env({**UNUSED, "EVENTS_TOKEN": "t0k", "MAX_UPLOAD_BYTES": "1000"}))


@pytest.mark.parametrize("up", [True, False])
def test_health_replies_match(up):
    from functions.app import create_app

    settings = Settings.from_env(UNUSED)
    client = create_app(settings, services=fake_services(settings, up)).test_client()  # type: ignore[arg-type]
    check_reply("GET", "/healthz", client.get("/healthz"))
    check_reply("GET", "/config", client.get("/config"))


BEARER = {"Authorization": "Bearer t0k"}
REMOVED = {"Records": [{"eventName": "s3:ObjectRemoved:Delete"}]}
REQUESTS = [
    pytest.param("GET", "/openapi.json", {}, id="openapi"),
    pytest.param("POST", "/uploads", {"json": {}}, id="upload-not-multipart"),
    pytest.param("POST", "/uploads/presign", {"json": {"size": 1}}, id="presign-no-filename"),
    pytest.param("POST", "/uploads/presign", {"json": {"filename": "a.exe", "size": 1}}, id="presign-exe"),
    pytest.param(
        "POST", "/uploads/presign", {"json": {"filename": "a.txt", "size": 10**9}}, id="presign-big"
    ),
    pytest.param("POST", "/jobs/no:such/start", {}, id="start-unknown"),
    pytest.param("GET", "/jobs/no:such", {}, id="job-unknown"),
    pytest.param("GET", "/jobs/no:such/result", {}, id="result-unknown"),
    pytest.param("POST", "/events", {"json": {"Records": []}}, id="events-no-token"),
    pytest.param("POST", "/events", {"json": {"Event": "s3:TestEvent"}, "headers": BEARER}, id="test-event"),
    pytest.param("POST", "/events", {"json": REMOVED, "headers": BEARER}, id="events-ignored"),
    pytest.param("POST", "/events", {"json": [], "headers": BEARER}, id="events-not-an-object"),
    pytest.param("POST", "/batches", {"json": {"prefix": "results/"}}, id="batch-of-results"),
]


def test_the_route_serves_the_spec(app):
    assert app.test_client().get("/openapi.json").get_json() == build_spec(1000)


@pytest.mark.parametrize(("method", "url", "kwargs"), REQUESTS)
def test_replies_that_need_no_backend_match(app, method, url, kwargs):
    check_reply(method, url, app.test_client().open(url, method=method, **kwargs))
