"""The OpenAPI paths of multipart uploads and live status, and the headers of status replies."""

from __future__ import annotations

from typing import Any

from functions.schemas import ID_PATTERN

Schema = dict[str, Any]
STR: Schema = {"type": "string"}
URL: Schema = {"type": "string", "format": "uri"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def header(description: str, schema: Schema = STR) -> dict[str, Any]:
    return {"description": description, "schema": schema}


ETAG = header("The document's strong ETag; send it back in `If-None-Match`.")
LOCATION = header("Where the status is (a job's or batch's URL).", URL)
RETRY_AFTER = header("Seconds to wait before looking again.", {"type": "integer", "minimum": 0})
ACCEPTED_HEADERS = {
    "Location": {**LOCATION, "required": True},
    "Retry-After": {**RETRY_AFTER, "required": True},
}
BAD_WAIT = {"description": "`bad_request`: `wait` not a whole number from 1 to 30.",
            "content": {"application/json": {"schema": ref("Error")}}}  # fmt: skip
STATUS_HEADERS = {"ETag": {**ETAG, "required": True}, "Location": LOCATION, "Retry-After": RETRY_AFTER}


def status_parameters() -> list[dict[str, Any]]:
    """`wait` and `If-None-Match` of `GET /jobs/{id}` and `GET /batches/{id}`."""
    wait = {"type": "integer", "minimum": 1, "maximum": 30}
    # fmt: off
    return [
        {"name": "wait", "in": "query", "required": False, "schema": wait,
         "description": "Hold the answer up to this many seconds: until the document differs from the one "
                        "`If-None-Match` names (without it: until the job or batch ends). After a wait "
                        "without a change the answer is `200` with the unchanged document."},
        {"name": "If-None-Match", "in": "header", "required": False, "schema": STR,
         "description": "An ETag from an earlier answer: `304` while the document is still that one."},
    ]
    # fmt: on


def not_modified() -> dict[str, Any]:
    return {"description": "The document is still the one `If-None-Match` names.", "headers": {"ETag": ETAG}}


def with_status_headers(reply: dict[str, Any]) -> dict[str, Any]:
    return {**reply, "headers": STATUS_HEADERS}


def event_stream(what: str) -> dict[str, Any]:
    text = (
        f"`text/event-stream`: an event `status` whose `data` is the {what} as `GET` returns it, with an "
        "increasing `id`, at once and on each change; a comment line every 15 s; the stream ends after "
        "the event that ends it. Send `Last-Event-ID` to resume."
    )
    return {"description": text, "content": {"text/event-stream": {"schema": STR}}}


def last_event_id() -> dict[str, Any]:
    return {"name": "Last-Event-ID", "in": "header", "required": False, "schema": STR,
            "description": "The `id` of the last event received: only later changes are sent."}  # fmt: skip


def live_paths(op: Any, ok: Any, json_body: Any, api_key: list) -> dict[str, Any]:
    """Multipart uploads and event streams (`op`, `ok`, `json_body` are the builders of functions.spec)."""
    job_id = {"name": "job_id", "in": "path", "required": True, "schema": {**STR, "pattern": ID_PATTERN},
              "description": "The job's id."}  # fmt: skip
    batch_id = {**job_id, "name": "batch_id", "description": "The batch's id."}
    no_job = "`not_found`: no such job, or it has no multipart upload."
    over = "`conflict`: the upload is over (completed, aborted or expired)."
    gone = "`upload_missing`: the bucket no longer holds the upload."
    # fmt: off
    created = ok("The job, awaiting its parts, and how the file is cut.", ref("MultipartCreated"))
    queued = {**ok("The job, queued.", ref("Job")), "headers": ACCEPTED_HEADERS}
    return {
        "/uploads/multipart": {"post": op(
            "createMultipartUpload", "uploads", "Open a multipart upload of a large file.", {"201": created},
            {400: "`bad_request`: not a JSON object, or a field missing or of a wrong type.",
             413: "`too_large`: over MAX_MULTIPART_BYTES.",
             415: "`unsupported_type`: not a supported type, or a `content_type` that does not fit it."},
            security=api_key, requestBody=json_body("MultipartRequest", filename="big.pdf", size=9),
        )},
        "/uploads/multipart/{job_id}/parts": {
            "post": op("signParts", "uploads", "Presigned PUT URLs for up to 100 parts.",
                       {"200": ok("One URL per part.", ref("SignedParts"))},
                       {400: "`bad_request`: no parts, more than 100, or a bad number or checksum.",
                        404: no_job, 409: over}, security=api_key, parameters=[job_id],
                       requestBody=json_body("PartsToSign", parts=[{"part_number": 1}])),
            "get": op("listParts", "uploads", "The parts the bucket holds, to resume an upload.",
                      {"200": ok("The parts.", ref("HeldParts"))}, {404: no_job, 409: f"{over} Or {gone}"},
                      security=api_key, parameters=[job_id]),
        },
        "/uploads/multipart/{job_id}/complete": {"post": op(
            "completeMultipartUpload", "uploads", "Join the parts; the job is queued.", {"202": queued},
            {400: "`bad_request`: the parts do not match the bucket's (missing, ETag or size).", 404: no_job,
             409: f"{over} Or {gone}", 413: "`too_large`: the object is over the limit; the job failed."},
            security=api_key, parameters=[job_id],
            requestBody=json_body("PartsToComplete", parts=[{"part_number": 1, "etag": "abc"}]),
        )},
        "/uploads/multipart/{job_id}": {"delete": op(
            "abortMultipartUpload", "uploads", "Abort the upload; the job ends failed `cancelled`.",
            {"204": {"description": "Aborted."}}, {404: no_job, 409: over},
            security=api_key, parameters=[job_id],
        )},
        "/jobs/{job_id}/cancel": {"post": op(
            "cancelJob", "jobs", "End a job that has not ended: failed `cancelled`.",
            {"200": ok("The job, failed with `cancelled`; a started job's parsing stops within 2 s.",
                       ref("Job"))},
            {404: "`not_found`: no such job.", 409: "`conflict`: the job has ended already."},
            security=api_key, parameters=[job_id],
        )},
        "/batches/{batch_id}/cancel": {"post": op(
            "cancelBatch", "batches", "Cancel every job of the batch that has not ended.",
            {"200": ok("The batch after the cancel.", ref("BatchCancelled"))},
            {400: "`bad_request`: offset or limit not an integer.", 404: "`not_found`: no such batch."},
            security=api_key, parameters=[batch_id],
        )},
        "/jobs/{job_id}/events": {"get": op(
            "jobEvents", "jobs", "Server-sent events of a job's status.", {"200": event_stream("job")},
            {404: "`not_found`: no such job."}, security=api_key, parameters=[job_id, last_event_id()],
        )},
        "/batches/{batch_id}/events": {"get": op(
            "batchEvents", "batches", "Server-sent events of a batch.", {"200": event_stream("batch")},
            {400: "`bad_request`: offset or limit not an integer.", 404: "`not_found`: no such batch."},
            security=api_key, parameters=[batch_id, last_event_id()],
        )},
    }
    # fmt: on


def add_status_semantics(paths: dict[str, Any]) -> dict[str, Any]:
    """Every 202 gets Location and Retry-After; job and batch GETs get ETag, 304 and `wait`."""
    for operations in paths.values():
        for operation in operations.values():
            if "202" in operation["responses"]:
                operation["responses"]["202"] = {**operation["responses"]["202"], "headers": ACCEPTED_HEADERS}
    for path in ("/jobs/{job_id}", "/batches/{batch_id}"):
        get = paths[path]["get"]
        get["parameters"] = [*get.get("parameters", []), *status_parameters()]
        responses = get["responses"]
        responses["200"] = with_status_headers(responses["200"])
        responses["304"] = not_modified()
        responses.setdefault("400", BAD_WAIT)
    return paths
