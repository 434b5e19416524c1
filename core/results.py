"""The result document written to `results/<job_id>.json`, and the job it stands for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.layout import result_key
from core.models import Job

if TYPE_CHECKING:
    from core.lifecycle.record import JobRecord

SCHEMA_VERSION = 1
_JOB_FIELDS = ("job_id", "filename", "file_type", "source", "created_at", "batch_id", "owner")


def build_result(record: JobRecord, analysis: dict[str, Any], finished_at: str) -> dict[str, Any]:
    """The document stored in the bucket: the analysis at top level, plus enough to rebuild the job."""
    doc: dict[str, Any] = {
        "job_id": record.job_id,
        "filename": record.filename,
        "file_type": record.file_type,
        "source": record.source.dump(),
        "created_at": record.created_at,
        "batch_id": record.batch_id,
    }
    if record.owner != "default":
        doc["owner"] = record.owner
    doc.update(analysis)
    doc.update({"finished_at": finished_at, "attempts": record.attempts or 1})
    doc["schema_version"] = SCHEMA_VERSION
    return doc


def analysis_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The analysis fields of a result document (what a job shows as `result`)."""
    skip = {*_JOB_FIELDS, "finished_at", "attempts", "schema_version"}
    return {name: value for name, value in doc.items() if name not in skip}


def record_from_result(doc: dict[str, Any]) -> JobRecord:
    """The finished job's record, rebuilt from its result document alone."""
    from core.lifecycle.record import DEFAULT_OWNER, JobRecord

    return JobRecord(
        job_id=doc["job_id"],
        status="finished",
        filename=doc.get("filename") or "",
        file_type=doc.get("file_type"),
        source=doc.get("source"),
        created_at=doc.get("created_at") or doc.get("finished_at"),
        updated_at=doc.get("finished_at"),
        attempts=int(doc.get("attempts") or 1),
        result_key=result_key(doc["job_id"]),
        result=analysis_of(doc),
        error=None,
        batch_id=doc.get("batch_id"),
        owner=doc.get("owner") or DEFAULT_OWNER,
        finished_at=doc.get("finished_at"),
    )


def job_from_result(doc: dict[str, Any]) -> Job:
    """The job as `GET /jobs/<id>` shows it, rebuilt from its result document alone."""
    return record_from_result(doc).public()
