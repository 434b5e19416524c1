"""Where everything lives: every key in the bucket and every key and channel in Redis, built here only."""

from __future__ import annotations

from core.ids import is_job_id, safe_filename

UPLOADS_PREFIX = "uploads/"
RESULTS_PREFIX = "results/"

# The bucket


def upload_key(job_id: str, filename: str) -> str:
    return f"{UPLOADS_PREFIX}{job_id}/{safe_filename(filename)}"


def result_key(job_id: str) -> str:
    return f"{RESULTS_PREFIX}{job_id}.json"


def batch_manifest_key(batch_id: str) -> str:
    return f"{RESULTS_PREFIX}batches/{batch_id}.json"


def job_id_from_upload_key(key: str) -> str | None:
    """The job id inside `uploads/<job_id>/<name>`, else None."""
    if not key.startswith(UPLOADS_PREFIX):
        return None
    parts = key[len(UPLOADS_PREFIX) :].split("/", 1)
    return parts[0] if len(parts) == 2 and is_job_id(parts[0]) else None


# Redis: records

JOB_PREFIX = "job:"
BATCH_PREFIX = "batch:"


def job_key(job_id: str) -> str:
    """The job's record (a hash)."""
    return f"{JOB_PREFIX}{job_id}"


def parts_key(job_id: str) -> str:
    """The counts of a long PDF's page ranges, while its parts run (a hash)."""
    return f"{JOB_PREFIX}{job_id}:parts"


def group_key(group_id: str) -> str:
    """The job ids one RQ job processes in turn (a list; see core.tasks.PROCESS_GROUP), while it runs."""
    return f"group:{group_id}"


def batch_key(batch_id: str) -> str:
    """The batch's record and counters (a hash)."""
    return f"{BATCH_PREFIX}{batch_id}"


def batch_jobs_key(batch_id: str) -> str:
    """The batch's job ids, in order (a list)."""
    return f"{BATCH_PREFIX}{batch_id}:jobs"


# Redis: statistics (what /metrics exports from every worker)

STATS_ENDED = "stats:ended"
STATS_FAILURES = "stats:failures"
STATS_DURATION_PREFIX = "stats:duration:"


def duration_key(file_type: str) -> str:
    return f"{STATS_DURATION_PREFIX}{file_type}"


# Redis: pub/sub channels announcing each change (the lifecycle publishes, status streams listen)


def job_channel(job_id: str) -> str:
    return f"changes:job:{job_id}"


def batch_channel(batch_id: str) -> str:
    return f"changes:batch:{batch_id}"
