"""The result document written to `results/<job_id>.json`, and the job it stands for."""

from __future__ import annotations

from typing import Any

from core.keys import result_key

SCHEMA_VERSION = 1
_JOB_FIELDS = ("job_id", "filename", "file_type", "source", "created_at", "batch_id")


def build_result(record: dict[str, Any], analysis: dict[str, Any], finished_at: str) -> dict[str, Any]:
    """The document stored in the bucket: the analysis at top level, plus enough to rebuild the job."""
    doc = {name: record.get(name) for name in _JOB_FIELDS}
    doc.update(analysis)
    doc.update({"finished_at": finished_at, "attempts": int(record.get("attempts") or 1)})
    doc["schema_version"] = SCHEMA_VERSION
    return doc


def analysis_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The analysis fields of a result document (what a job shows as `result`)."""
    skip = {*_JOB_FIELDS, "finished_at", "attempts", "schema_version"}
    return {name: value for name, value in doc.items() if name not in skip}


def job_from_result(doc: dict[str, Any]) -> dict[str, Any]:
    """The job as `GET /jobs/<id>` shows it, rebuilt from its result document alone."""
    return {
        "job_id": doc["job_id"],
        "status": "finished",
        "filename": doc.get("filename"),
        "file_type": doc.get("file_type"),
        "source": doc.get("source"),
        "created_at": doc.get("created_at"),
        "updated_at": doc.get("finished_at"),
        "attempts": int(doc.get("attempts") or 1),
        "result_key": result_key(doc["job_id"]),
        "result": analysis_of(doc),
        "error": None,
    }
