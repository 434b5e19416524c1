"""The typed data every side shares: a job, its source, error and result, a batch: each field declared once.

The API's schemas are derived from these models (functions/spec.py), so the served description and
the code cannot drift. Internal fields a job record also keeps (owner, callback URL...) live in
`core.lifecycle.record`, never here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.errors import JOB_ERROR_CODES


class JobStatus(StrEnum):
    """Where a job is: waiting for its upload, queued, started, then finished or failed."""

    AWAITING_UPLOAD = "awaiting_upload"
    QUEUED = "queued"
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"


ENDED = (JobStatus.FINISHED, JobStatus.FAILED)
FileType = StrEnum("FileType", {name.upper(): name for name in ("txt", "json", "rtf", "pdf")})
JobErrorCode = StrEnum("JobErrorCode", {code.upper(): code for code in JOB_ERROR_CODES})


class Frozen(BaseModel):
    """An immutable model that tolerates fields added by later versions."""

    model_config = ConfigDict(frozen=True, extra="allow", use_enum_values=True)


class Source(Frozen):
    """The object (version) the job reads."""

    bucket: str
    key: str
    size: int | None = Field(ge=0)
    etag: str | None
    version_id: str | None = Field(default=None, description="Only when the bucket versions objects.")

    def dump(self) -> dict[str, Any]:
        """As JSON: `version_id` only when there is one."""
        return self.model_dump(exclude_none=True) | {"size": self.size, "etag": self.etag}


class JobErrorInfo(Frozen):
    """Why a job failed: one of the contract's codes and a message for the user."""

    code: JobErrorCode
    message: str


class Language(Frozen):
    """The language of a text (txt, rtf, json of 20 words or more), as the detector saw it."""

    code: str = Field(pattern="^[a-z]{2}$", description="ISO 639-1")
    confidence: float = Field(ge=0, le=1, description="the detector's probability for this language")


class Result(Frozen):
    """What was counted (the analysis); file types add their own fields."""

    words: int = Field(ge=0, description="`len(text.split())` over the extracted text")
    characters: int = Field(ge=0)
    lines: int | None = Field(default=None, ge=0)
    pages: int | None = Field(default=None, ge=0, description="PDF only")
    page_words: list[int] | None = Field(default=None, description="PDF only: the words of each page")
    encoding: str | None = Field(default=None, description="txt only: the encoding the text was decoded with")
    sha256: str | None = Field(
        default=None, pattern="^[0-9a-f]{64}$", description="hex SHA-256 of the file's bytes"
    )
    reading_minutes: float | None = Field(default=None, ge=0, description="words / 238, one decimal")
    pages_without_text: list[int] | None = Field(
        default=None,
        description="PDF only: pages (from 1) that draw an image but have no text: scans needing OCR",
    )
    language: Language | None = Field(
        default=None,
        description="txt, rtf and json of 20 words or more, when the language is recognised",
    )


class Job(Frozen):
    """A job as `GET /jobs/{job_id}` returns it."""

    job_id: str
    status: JobStatus
    filename: str
    file_type: FileType | None
    source: Source
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})
    attempts: int = Field(ge=0)
    result_key: str | None
    result: Result | None
    error: JobErrorInfo | None
    batch_id: str | None = Field(default=None, description="The batch the job was created in, if any.")
    callback_error: str | None = Field(
        default=None, description="Why no callback was sent (`callback: refused: ...`), if one was refused."
    )

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def dump(self) -> dict[str, Any]:
        """As the contract shows it: every field, `batch_id` only when there is one."""
        doc = self.model_dump(mode="json", exclude={"batch_id", "source", "result", "callback_error"})
        doc["source"] = self.source.dump()
        doc["result"] = self.result.model_dump(mode="json", exclude_none=True) if self.result else None
        doc = _ordered(doc, self.batch_id)
        return doc | ({"callback_error": self.callback_error} if self.callback_error else {})


def _ordered(doc: dict[str, Any], batch_id: str | None) -> dict[str, Any]:
    names = ("job_id", "status", "filename", "file_type", "source", "created_at", "updated_at", "attempts")
    names += ("result_key", "result", "error")
    ordered = {name: doc.pop(name) for name in names} | doc
    return ordered | ({"batch_id": batch_id} if batch_id else {})


class BatchStatus(StrEnum):
    """A batch is `listing` its prefix, `running` its jobs, or `done` once every job ended."""

    LISTING = "listing"
    RUNNING = "running"
    DONE = "done"


class BatchCounts(Frozen):
    """How many of a batch's jobs are in each state."""

    queued: int = Field(ge=0)
    started: int = Field(ge=0)
    finished: int = Field(ge=0)
    failed: int = Field(ge=0)


class BatchSummary(Frozen):
    """A batch's totals (also the body of its callback and the head of its manifest)."""

    batch_id: str
    status: BatchStatus
    total: int = Field(ge=0)
    counts: BatchCounts
    words: int = Field(default=0, ge=0)
    created_at: str | None = Field(default=None, json_schema_extra={"format": "date-time"})
    callback_error: str | None = Field(
        default=None, description="Why no callback was sent (`callback: refused: ...`), if one was refused."
    )


class Batch(BatchSummary):
    """A batch as `GET /batches/{batch_id}` returns it: its totals and a page of its jobs."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1)
    jobs: list[Job]
    warning: str | None = Field(
        default=None, description="Present on a batch over a prefix that held nothing: why `total` is 0."
    )
