"""The OpenAPI 3.1 description of every HTTP function, built as a plain dict for `/openapi.json`.

The paths are written here; every schema they name is derived from the models (core.models for the
job, its source, error, result and batch; functions.schemas for requests and replies) with pydantic's
JSON Schema, so a field is declared once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from functions.schemas import ID_PATTERN, MODELS, S3_RECORD, PresignRequest
from functions.schemas_live import LIVE_MODELS
from functions.spec_live import add_status_semantics, live_paths

Schema = dict[str, Any]
STR: Schema = {"type": "string"}
OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"


def ref(name: str) -> Schema:
    return {"$ref": REF.format(model=name)}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def schemas(max_upload_bytes: int) -> dict[str, Schema]:
    """Every component schema, from the models; `max_upload_bytes` bounds a presigned upload's size."""
    _, top = models_json_schema(
        [(model, "validation") for model in (*MODELS, *LIVE_MODELS)], ref_template=REF
    )
    components = top["$defs"]
    components["PresignRequest"]["properties"]["size"]["maximum"] = max_upload_bytes
    return components


def callback_schema() -> Schema:
    """The `callback_url` field as the models declare it (for the multipart form, which has no model)."""
    field = PresignRequest.model_json_schema()["properties"]["callback_url"]
    return {key: value for key, value in field.items() if key not in ("title", "default")}


DEFAULT_MAX_UPLOAD_BYTES = 52_428_800
JSON = "application/json"
# Both schemes are off unless configured; `{}` is the alternative of sending no credentials.
API_KEY = [{"apiKeyAuth": []}, {}]
EVENTS_TOKEN = [{"bearerAuth": []}, {}]

DESCRIPTION = """Counts words (and characters, lines, PDF pages) in `.txt`, `.json`, `.rtf` and `.pdf` files.

Files come in by `POST /uploads`, by a presigned upload straight to the bucket (`POST /uploads/presign`,
then `POST /jobs/{job_id}/start`), or dropped into the bucket and announced by S3 event notifications
(`POST /events`) or listed (`POST /batches`). Each file becomes a job: `awaiting_upload`, `queued`,
`started`, then `finished` or `failed`. The bucket is the system of record: a finished job's result
stays in `results/<job_id>.json`. Every error is JSON `{"error": {"code": "...", "message": "..."}}`.

## Configuration

Read from the environment only (a `.env` file may feed it):

| variable | meaning | default |
| --- | --- | --- |
| `REDIS_URL` | Redis for the queue and job records | `redis://127.0.0.1:6379/0` |
| `S3_ENDPOINT_URL` | S3 API endpoint (MinIO, AWS, any S3-compatible) | unset = AWS |
| `S3_PUBLIC_ENDPOINT_URL` | endpoint written into presigned URLs handed to browsers | `S3_ENDPOINT_URL` |
| `S3_BUCKET` | the bucket for uploads and results | `jobs` |
| `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` | standard credentials | boto3's chain |
| `DROP_PREFIX` | where batch drops land | `incoming/` |
| `MAX_UPLOAD_BYTES` | largest accepted file | `52428800` (50 MiB) |
| `EVENTS_TOKEN` | if set, `POST /events` needs `Authorization: Bearer <token>` | unset |
| `CORS_ORIGINS` | allowed browser origins, comma-separated | same origin only |
| `PRESIGN_EXPIRES_SECONDS` | how long presigned upload URLs work | `900` |
| `API_KEYS` | if set, the job endpoints need `X-API-Key` with one of these (comma-separated) | unset |
"""


def ok(description: str, schema: Schema | None = None, media: str = JSON, **extra: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {"description": description, **extra}
    return {**reply, "content": {media: {"schema": schema}}} if schema is not None else reply


def error(description: str) -> dict[str, Any]:
    return ok(description, ref("Error"))


def link(operation_id: str, **params: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": params}


def param(name: str, where: str, schema: Schema, description: str) -> dict[str, Any]:
    required = where == "path"
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


def json_body(name: str, **example: Any) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": ref(name), "example": example}}}


def op(
    op_id: str, tag: str, summary: str, replies: dict[str, Any], errors: dict[int, str], *,
    security: list | None = None, stores: bool = True, **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    """One operation; adds the errors many share: 401 with credentials, 503 with storage, 429 and 500."""
    errors = dict(errors)
    if security:
        errors.setdefault(401, "`unauthorized`: credentials are required, and missing or wrong.")
    if stores:
        errors.setdefault(503, "`unavailable`: Redis or the bucket is not answering.")
    errors.setdefault(429, "`rate_limited`: too many requests; try again later.")
    errors.setdefault(500, "`internal`: an unexpected failure, logged on the server.")
    responses = {**replies, **{str(status): error(text) for status, text in sorted(errors.items())}}
    operation = {"operationId": op_id, "tags": [tag], "summary": summary, **extra, "responses": responses}
    return {**operation, "security": security} if security else operation


# fmt: off
JOB_ID = param("job_id", "path", {**STR, "pattern": ID_PATTERN}, "The job's id.")
BATCH_ID = param("batch_id", "path", {**STR, "pattern": ID_PATTERN}, "The batch's id.")
GET_JOB = {"GetJob": link("getJob", job_id="$response.body#/job_id")}
GET_BATCH = {"GetBatch": link("getBatch", batch_id="$response.body#/batch_id")}
NO_JOB = "`not_found`: no such job."
FILE_ERRORS = {413: "`too_large`: over MAX_UPLOAD_BYTES.", 415: "`unsupported_type`: not a supported type."}
PART = {"type": "string", "contentMediaType": "application/octet-stream"}
FORM = {"type": "object", "required": ["file"],
        "properties": {"file": {**array(PART), "minItems": 1}, "callback_url": callback_schema()}}
# fmt: on


def intake_paths() -> dict[str, Any]:
    """The ways files come in: uploads through the functions, presigned uploads, S3 events, batch drops."""
    # fmt: off
    uploaded = ok("Stored and queued, a job per file.", ref("UploadAccepted"), links=GET_BATCH)
    presigned = ok("A job awaiting its upload, and how to upload.", ref("Presigned"), links=GET_JOB)
    started = ok("Queued, or the job as it is if it was past waiting.", ref("Job"), links=GET_JOB)
    events = ok("A job per object version, however often the event is delivered.", ref("EventsReply"))
    listing = ok("Listing the prefix in the background.", ref("BatchAccepted"), links=GET_BATCH)
    return {
        "/uploads": {"post": op(
            "createUploads", "uploads", "Upload files; each becomes a queued job.", {"202": uploaded},
            {400: "`bad_request`: not multipart/form-data, a `file` part without a name, or a filename over "
                  "1,024 bytes of UTF-8.",
             **FILE_ERRORS, 413: "`too_large`: a file over MAX_UPLOAD_BYTES, or more than 100 `file` parts."},
            security=API_KEY, requestBody={"required": True, "content": {"multipart/form-data": {
                "schema": FORM, "encoding": {"file": {"contentType": "application/octet-stream"}}}}},
        )},
        "/uploads/presign": {"post": op(
            "presignUpload", "uploads", "Get a URL to upload one file to the bucket.", {"201": presigned},
            {400: "`bad_request`: not a JSON object (at most 64 levels deep), a field missing or of a wrong "
                  "type, or a filename over 1,024 bytes of UTF-8.",
             **FILE_ERRORS, 413: "`too_large`: over MAX_UPLOAD_BYTES, or a body over 1 MiB.",
             415: "`unsupported_type`: not a supported type, or a `content_type` that does not fit it."},
            security=API_KEY, requestBody=json_body("PresignRequest", filename="a.pdf", size=9),
        )},
        "/jobs/{job_id}/start": {"post": op(
            "startJob", "jobs", "Queue a job once its presigned upload is done.", {"202": started},
            {404: NO_JOB, 409: "`upload_missing`: nothing uploaded yet.",
             413: "`too_large`: the object is over the declared size or MAX_UPLOAD_BYTES; the job failed."},
            security=API_KEY, parameters=[JOB_ID],
        )},
        "/jobs/{job_id}/retry": {"post": op(
            "retryJob", "jobs", "Queue a failed job again (after a fix, or a transient failure).",
            {"202": ok("Queued again.", ref("Job"), links=GET_JOB)},
            {404: NO_JOB, 409: "`conflict`: only failed jobs can be retried."},
            security=API_KEY, parameters=[JOB_ID],
        )},
        "/events": {"post": op(
            "receiveEvents", "events", "Receive bucket events (AWS, MinIO, SeaweedFS).", {"200": events},
            {400: "`bad_request`: not an S3 event notification, or nested over 64 levels.",
             413: "`too_large`: a body over 1 MiB or with more than 1,000 records; nothing is queued."},
            security=EVENTS_TOKEN, requestBody=json_body("S3Event", Records=[S3_RECORD]),
        )},
        "/batches": {"post": op(
            "createBatch", "batches", "Make a job of every object under a prefix.", {"202": listing},
            {400: "`bad_request`: not a JSON object with a `prefix` under DROP_PREFIX (with API_KEYS: inside "
                  "the caller's folder `<DROP_PREFIX><tenant>/`)."},
            security=API_KEY, requestBody=json_body("BatchRequest", prefix="incoming/x/"),
        )},
    }
    # fmt: on


def status_paths() -> dict[str, Any]:
    """Jobs, results and batches as they progress."""
    # fmt: off
    redirect = param("redirect", "query", enum("1", "true", "0", "false"),
                     "`1` or `true`: answer with a redirect to a presigned GET of the result.")
    offset = param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, "The first to list.")
    limit = param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                  "How many jobs to list.")
    moved = ok("A redirect to a presigned GET of the result.",
               headers={"Location": {"required": True, "schema": {"type": "string", "format": "uri"}}})
    return {
        "/jobs/{job_id}": {"get": op(
            "getJob", "jobs", "A job's status, and its result once finished.",
            {"200": ok("The job.", ref("Job"))}, {404: NO_JOB}, security=API_KEY, parameters=[JOB_ID],
        )},
        "/jobs/{job_id}/result": {"get": op(
            "getResult", "jobs", "A finished job's result document.",
            {"200": ok("The result document.", ref("ResultDocument")), "302": moved},
            {404: NO_JOB, 409: "`not_finished` while not finished, or a failed job's own error code "
                               "(`error.status` is the job's status)."},
            security=API_KEY, parameters=[JOB_ID, redirect],
        )},
        "/batches/{batch_id}": {"get": op(
            "getBatch", "batches", "A batch's totals and a page of its jobs.",
            {"200": ok("The batch.", ref("Batch"))},
            {400: "`bad_request`: offset or limit not an integer.", 404: "`not_found`: no such batch."},
            security=API_KEY, parameters=[BATCH_ID, offset, limit],
        )},
    }
    # fmt: on


def service_paths() -> dict[str, Any]:
    """Health, configuration, metrics, this description and the web page."""
    # fmt: off
    text, binary = {"type": "string"}, {"type": "string", "contentMediaType": "application/octet-stream"}
    healthy = {"200": ok("Healthy.", ref("Health")),
               "503": ok("Not healthy; `checks` says what failed.", ref("HealthFailure"))}
    missing = {404: "`not_found`: no such file."}
    asset = param("name", "path", STR, "The file's path under `web/`.")
    return {
        "/healthz": {"get": op("health", "service", "Whether Redis and the bucket answer.", healthy, {},
                               stores=False)},
        "/config": {"get": op("config", "service", "The limits clients apply.",
                              {"200": ok("The limits.", ref("Config"))}, {}, stores=False)},
        "/metrics": {"get": op("metrics", "service", "Prometheus metrics.",
                               {"200": ok("Prometheus text format.", text, "text/plain")}, {})},
        "/openapi.json": {"get": op("openapi", "service", "This description.",
                                    {"200": ok("OpenAPI 3.1.", {"type": "object"})}, {}, stores=False)},
        "/": {"get": op("page", "web", "The web page.", {"200": ok("The page.", text, "text/html")}, missing,
                        stores=False)},
        "/web/{name}": {"get": op("asset", "web", "A static file of the page.",
                                  {"200": ok("The file.", binary, "*/*")}, missing, stores=False,
                                  parameters=[asset])},
    }
    # fmt: on


@cache
def build_spec(max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> dict[str, Any]:
    """The whole description (cached: callers must not change it)."""
    bearer = "EVENTS_TOKEN, when set (the bare token is accepted too, as MinIO may send it)."
    api_key = "One of API_KEYS, when set; `Authorization: Bearer <key>` is accepted too."
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "File jobs", "version": "1.0.0", "description": DESCRIPTION},
        "paths": add_status_semantics(
            {**intake_paths(), **live_paths(op, ok, json_body, API_KEY), **status_paths(), **service_paths()}
        ),
        "components": {
            "schemas": schemas(max_upload_bytes),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": bearer},
                "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": api_key},
            },
        },
    }
