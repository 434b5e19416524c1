"""The API's requests and replies as models: with core.models, the source of every schema in the
OpenAPI description (functions/spec.py derives them; nothing is written out by hand twice)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from core.errors import JOB_ERROR_CODES
from core.ids import FILE_TYPES
from core.models import Batch, FileType, Job, JobStatus, Result, Source

REQUEST_ERROR_CODES = (
    "bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed",
    "conflict", "not_finished", "unavailable", "rate_limited", "not_acceptable",
)  # fmt: skip
# An ASCII letter or digit in the last path component, then a supported extension: a subset of the
# names the functions accept (they keep any name that is not only dots, spaces and control characters).
FILENAME_PATTERN = r"[A-Za-z0-9][^/\\]*\.([Tt][Xx][Tt]|[Jj][Ss][Oo][Nn]|[Rr][Tt][Ff]|[Pp][Dd][Ff])$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
URI = {"format": "uri"}
TIME = {"format": "date-time"}
ErrorCode = StrEnum("ErrorCode", {code.upper(): code for code in (*JOB_ERROR_CODES, *REQUEST_ERROR_CODES)})
CALLBACK_DESCRIPTION = (
    "Optional: POSTed the job's (or batch's) status JSON when it ends, signed with HMAC-SHA256 of the "
    "body in `X-Signature: sha256=<hex>` (needs CALLBACK_SECRET)."
)
Callback = Annotated[
    str | None,
    Field(default=None, max_length=2048, pattern="^https?://[^/]+", description=CALLBACK_DESCRIPTION,
          json_schema_extra=URI),
]  # fmt: skip


class Open(BaseModel):
    """Later versions may add fields: none are refused."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(Open):
    code: ErrorCode
    message: str


class Error(Open):
    """Every error: a code and a message; `error` may carry more fields."""

    error: ErrorBody


class UploadedJob(Open):
    job_id: str
    filename: str
    key: str
    status: JobStatus
    status_url: str = Field(json_schema_extra=URI)


class UploadAccepted(Open):
    batch_id: str
    status_url: str = Field(json_schema_extra=URI)
    jobs: list[UploadedJob]


class PresignRequest(Open):
    filename: str = Field(pattern=FILENAME_PATTERN, examples=["report.pdf"])
    size: int = Field(ge=0, description="Bytes; at most MAX_UPLOAD_BYTES.")
    content_type: str | None = None
    method: Literal["PUT", "POST"] = "PUT"
    callback_url: Callback


class PutUpload(Open):
    method: Literal["PUT"]
    url: str = Field(json_schema_extra=URI)
    headers: dict[str, str]


class PostUpload(Open):
    method: Literal["POST"]
    url: str = Field(json_schema_extra=URI)
    fields: dict[str, str]


class Presigned(Open):
    job_id: str
    key: str
    status_url: str = Field(json_schema_extra=URI)
    expires_at: str = Field(json_schema_extra=TIME)
    upload: Annotated[PutUpload | PostUpload, Field(discriminator="method")]


S3_RECORD = {"eventName": "s3:ObjectCreated:Put", "s3": {
    "bucket": {"name": "jobs"}, "object": {"key": "incoming/a+b.txt", "size": 5, "eTag": "abc"}}}  # fmt: skip
RECORD_DESCRIPTION = (
    "One record as S3 sends it: `eventName` (`s3:ObjectCreated:*`), `s3.bucket.name`, `s3.object.key` "
    "(URL-encoded, `+` for a space), `s3.object.size`, `s3.object.eTag`, `s3.object.versionId`. Records "
    "of other events or buckets, or without a key, are ignored and counted in the reply, never refused."
)


class S3EventRecord(RootModel[Any]):
    """Any record is accepted: those that announce no object creation in the bucket are ignored."""

    model_config = ConfigDict(json_schema_extra={"description": RECORD_DESCRIPTION, "examples": [S3_RECORD]})


class S3Records(Open):
    Records: list[S3EventRecord]


class S3TestEvent(Open):
    Event: str = Field(pattern="TestEvent$")


class SeaweedEvent(Open):
    """A SeaweedFS filer webhook event: a `create` (or `update`) of a file under `/buckets/<S3_BUCKET>/`
    becomes a job; directories, `.uploads/` multipart bookkeeping, deletes and other buckets are ignored.
    The key is a plain path, not URL-encoded."""

    event_type: str
    key: str
    message: dict[str, Any] | None = None


class S3Event(RootModel[S3Records | S3TestEvent | SeaweedEvent]):
    """An S3 event notification as AWS and MinIO send it, the `s3:TestEvent` sent when a destination
    is configured (acknowledged, never a job), or a SeaweedFS filer webhook event."""


class EventJob(Open):
    job_id: str
    key: str
    status: JobStatus
    new: bool | None = Field(default=None, description="false when the event was a redelivery")


class EventsReply(Open):
    jobs: list[EventJob]
    ignored: int = Field(ge=0)
    reasons: list[str] | None = Field(default=None, description="Why each ignored record was ignored.")


class BatchRequest(Open):
    prefix: str = Field(
        pattern="[^/]", description="A folder of dropped files (not results/ or uploads/).",
        examples=["incoming/2026-11-29/"], json_schema_extra={"not": {"pattern": "^/*(results|uploads)/"}},
    )  # fmt: skip
    callback_url: Callback


class BatchAccepted(Open):
    batch_id: str
    status_url: str = Field(json_schema_extra=URI)
    warning: str | None = Field(
        default=None, description="Present when nothing is stored under the prefix: the batch will be empty."
    )


class ResultDocument(Result):
    """The stored `results/<job_id>.json`: the analysis, and enough to rebuild the job."""

    job_id: str
    filename: str | None = None
    file_type: FileType | None = None
    source: Source | None = None
    created_at: str | None = Field(default=None, json_schema_extra=TIME)
    finished_at: str | None = Field(default=None, json_schema_extra=TIME)
    attempts: int | None = Field(default=None, ge=0)
    batch_id: str | None = None
    schema_version: int | None = None


Check = Literal["ok", "failing"]


class Checks(Open):
    redis: Check
    s3: Check


class Limits(Open):
    max_upload_bytes: int = Field(ge=0)
    max_multipart_bytes: int | None = Field(default=None, ge=0)  # files sent in parts may be this large
    file_types: list[FileType]


class Health(Open):
    status: Literal["ok"]
    checks: Checks
    limits: Limits


class HealthFailure(Error):
    """Not healthy: `checks` says what failed."""

    status: Literal["unavailable"]
    checks: Checks


class Config(Open):
    limits: Limits
    presign_expires_seconds: int = Field(ge=0)


MODELS = (
    Job, Batch, ResultDocument, Error, UploadAccepted, PresignRequest, Presigned, S3Event, EventsReply,
    BatchRequest, BatchAccepted, Health, HealthFailure, Config,
)  # fmt: skip
__all__ = ["FILE_TYPES", "MODELS"]
