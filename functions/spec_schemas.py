"""The component schemas of the OpenAPI description: jobs, results, batches, uploads, events, errors."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# The contract's values, spelled out here; the tests check that the code uses the same ones.
JOB_STATUSES = ("awaiting_upload", "queued", "started", "finished", "failed")
FILE_TYPES = ("txt", "json", "rtf", "pdf")
JOB_ERROR_CODES = (
    "unsupported_type", "content_mismatch", "corrupt_file", "encrypted_pdf",
    "too_large", "timeout", "upload_missing", "internal",
)  # fmt: skip
REQUEST_ERROR_CODES = (
    "bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed",
    "conflict", "not_finished", "unavailable", "rate_limited", "not_acceptable",
)  # fmt: skip
BATCH_STATUSES = ("listing", "running", "done")
JOB_FIELDS = (
    "job_id", "status", "filename", "file_type", "source", "created_at", "updated_at",
    "attempts", "result_key", "result", "error",
)  # fmt: skip
# An ASCII letter or digit in the last path component, then a supported extension: a subset of the
# names the functions accept (they keep any name that is not only dots, spaces and control characters).
FILENAME_PATTERN = r"[A-Za-z0-9][^/\\]*\.([Tt][Xx][Tt]|[Jj][Ss][Oo][Nn]|[Rr][Tt][Ff]|[Pp][Dd][Ff])$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

STR: Schema = {"type": "string"}
COUNT: Schema = {"type": "integer", "minimum": 0}
TIME: Schema = {"type": "string", "format": "date-time"}
URL: Schema = {"type": "string", "format": "uri"}
CALLBACK: Schema = {
    "type": "string", "format": "uri", "maxLength": 2048, "pattern": "^https?://[^/]+",
    "description": "Optional: POSTed the job's (or batch's) status JSON when it ends, signed with "
                   "HMAC-SHA256 of the body in `X-Signature: sha256=<hex>` (needs CALLBACK_SECRET).",
}  # fmt: skip
STRINGS: Schema = {"type": "object", "additionalProperties": STR}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """`schema` or JSON null, in OpenAPI 3.1 (JSON Schema 2020-12) terms."""
    if "type" in schema and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: tuple[str, ...] | list[str], description: str = "", **props: Schema) -> Schema:
    """An object with `props`; later versions may add properties, so none are refused."""
    schema: Schema = {"type": "object", "required": list(required), "properties": props}
    return {"description": description, **schema} if description else schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def described(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description}


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

S3_RECORD = {"eventName": "s3:ObjectCreated:Put", "s3": {
    "bucket": {"name": "jobs"}, "object": {"key": "incoming/a+b.txt", "size": 5, "eTag": "abc"}}}  # fmt: skip
RECORD = (
    "One record as S3 sends it: `eventName` (`s3:ObjectCreated:*`), `s3.bucket.name`, `s3.object.key` "
    "(URL-encoded, `+` for a space), `s3.object.size`, `s3.object.eTag`, `s3.object.versionId`. Records "
    "of other events or buckets, or without a key, are ignored and counted in the reply, never refused."
)

ANALYSIS = {
    "words": described(COUNT, "`len(text.split())` over the extracted text"),
    "characters": COUNT,
    "lines": COUNT,
    "pages": nullable(described(COUNT, "PDF only")),
    "page_words": nullable(described(array(COUNT), "PDF only: the words of each page")),
    "encoding": nullable(described(STR, "txt only: the encoding the text was decoded with")),
}


def job_schemas() -> dict[str, Schema]:
    """The job, its source, result and error, and the error every request may get."""
    # fmt: off
    job = obj(
        JOB_FIELDS, "A job as `GET /jobs/{job_id}` returns it.",
        job_id=STR, status=ref("JobStatus"), filename=STR, file_type=nullable(ref("FileType")),
        source=ref("Source"), created_at=TIME, updated_at=TIME, attempts=COUNT,
        result_key=nullable(STR), result=nullable(ref("Analysis")), error=nullable(ref("JobError")),
        batch_id=STR,
    )
    stored = obj(
        ["job_id"],
        job_id=STR, filename=STR, file_type=nullable(ref("FileType")), source=ref("Source"),
        created_at=TIME, finished_at=TIME, attempts=COUNT, batch_id=nullable(STR),
        schema_version={"type": "integer"},
    )
    return {
        "JobStatus": enum(*JOB_STATUSES),
        "FileType": enum(*FILE_TYPES),
        "JobErrorCode": enum(*JOB_ERROR_CODES),
        "ErrorCode": enum(*JOB_ERROR_CODES, *REQUEST_ERROR_CODES),
        "Error": obj(["error"], "Every error: a code and a message; `error` may carry more fields.",
                     error=obj(["code", "message"], code=ref("ErrorCode"), message=STR)),
        "JobError": obj(["code", "message"], code=ref("JobErrorCode"), message=STR),
        "Source": obj(["bucket", "key", "size", "etag"], "The object (version) the job reads.",
                      bucket=STR, key=STR, size=nullable(COUNT), etag=nullable(STR), version_id=STR),
        "Analysis": obj(["words", "characters"], "What was counted.", **ANALYSIS),
        "Job": {**job, "examples": [JOB_EXAMPLE]},
        "ResultDocument": {
            "description": "The stored `results/<job_id>.json`: the analysis, and enough to rebuild the job.",
            "allOf": [ref("Analysis"), stored],
        },
    }
    # fmt: on


def _upload(method: str, extra: str) -> Schema:
    return obj(["method", "url", extra], method={"const": method}, url=URL, **{extra: STRINGS})


def intake_schemas(max_upload_bytes: int) -> dict[str, Schema]:
    """Requests and replies of the ways in: uploads, presigned uploads, events and batch drops."""
    # fmt: off
    size = {**COUNT, "maximum": max_upload_bytes, "description": "Bytes; at most MAX_UPLOAD_BYTES."}
    mapping = {"PUT": ref("PutUpload")["$ref"], "POST": ref("PostUpload")["$ref"]}
    prefix = {**STR, "pattern": "[^/]", "not": {"pattern": "^/*(results|uploads)/"},
              "description": "A folder of dropped files (not results/ or uploads/).",
              "examples": ["incoming/2026-11-29/"]}
    return {
        "UploadedJob": obj(["job_id", "filename", "key", "status", "status_url"], job_id=STR, filename=STR,
                           key=STR, status=ref("JobStatus"), status_url=URL),
        "UploadAccepted": obj(["batch_id", "status_url", "jobs"], batch_id=STR, status_url=URL,
                              jobs=array(ref("UploadedJob"))),
        "PresignRequest": obj(
            ["filename", "size"],
            filename={**STR, "pattern": FILENAME_PATTERN, "examples": ["report.pdf"]}, size=size,
            content_type=STR, method={**enum("PUT", "POST"), "default": "PUT"}, callback_url=CALLBACK,
        ),
        "PutUpload": _upload("PUT", "headers"),
        "PostUpload": _upload("POST", "fields"),
        "Presigned": obj(
            ["job_id", "key", "status_url", "expires_at", "upload"],
            job_id=STR, key=STR, status_url=URL, expires_at=TIME,
            upload={"oneOf": [ref("PutUpload"), ref("PostUpload")],
                    "discriminator": {"propertyName": "method", "mapping": mapping}},
        ),
        "S3Event": {
            "description": "An S3 event notification as AWS and MinIO send it, or the `s3:TestEvent` "
                           "sent when a destination is configured (acknowledged, never a job).",
            "anyOf": [obj(["Records"], Records=array(ref("S3EventRecord"))), ref("S3TestEvent"),
                      ref("SeaweedEvent")],
        },
        "SeaweedEvent": obj(
            ["event_type", "key"],
            "A SeaweedFS filer webhook event: a `create` (or `update`) of a file under "
            "`/buckets/<S3_BUCKET>/` becomes a job; directories, `.uploads/` multipart bookkeeping, deletes "
            "and other buckets are ignored. The key is a plain path, not URL-encoded.",
            event_type=STR, key=STR, message={"type": "object"},
        ),
        "S3TestEvent": obj(["Event"], Event={**STR, "pattern": "TestEvent$"}),
        # Any record is accepted: the ones that announce no object creation in the bucket are ignored.
        "S3EventRecord": {"description": RECORD, "examples": [S3_RECORD]},
        "EventJob": obj(["job_id", "key", "status"], job_id=STR, key=STR, status=ref("JobStatus"),
                        new=described({"type": "boolean"}, "false when the event was a redelivery")),
        "EventsReply": obj(["jobs", "ignored"], jobs=array(ref("EventJob")), ignored=COUNT,
                           reasons=described(array(STR), "Why each ignored record was ignored.")),
        "BatchRequest": obj(["prefix"], prefix=prefix, callback_url=CALLBACK),
        "BatchAccepted": obj(["batch_id", "status_url"], batch_id=STR, status_url=URL),
    }
    # fmt: on


def service_schemas() -> dict[str, Schema]:
    """Batch status, health and configuration."""
    # fmt: off
    counts = obj(JOB_STATUSES[1:], **dict.fromkeys(JOB_STATUSES[1:], COUNT))
    checks = obj(["redis", "s3"], redis=enum("ok", "failing"), s3=enum("ok", "failing"))
    return {
        "Batch": obj(
            ["batch_id", "status", "total", "counts", "jobs"],
            batch_id=STR, status=enum(*BATCH_STATUSES), total=COUNT, counts=counts, words=COUNT,
            created_at=nullable(TIME), offset=COUNT, limit=COUNT, jobs=array(ref("Job")),
        ),
        "Limits": obj(["max_upload_bytes", "file_types"], max_upload_bytes=COUNT,
                      file_types=array(ref("FileType"))),
        "Health": obj(["status", "checks", "limits"], status={"const": "ok"}, checks=checks,
                      limits=ref("Limits")),
        "HealthFailure": {"allOf": [ref("Error"), obj(["status", "checks"], status={"const": "unavailable"},
                                                      checks=checks)]},
        "Config": obj(["limits", "presign_expires_seconds"], limits=ref("Limits"),
                      presign_expires_seconds=COUNT),
    }
    # fmt: on


def schemas(max_upload_bytes: int) -> dict[str, Schema]:
    """Every component schema; `max_upload_bytes` bounds a presigned upload's declared size."""
    return {**job_schemas(), **intake_schemas(max_upload_bytes), **service_schemas()}
