"""Job and batch ids, file types and filenames: pure functions, no storage."""

from __future__ import annotations

import hashlib
import posixpath
import unicodedata
import uuid

FILE_TYPES = ("txt", "json", "rtf", "pdf")
_MAX_NAME_BYTES = 200
# A one-file upload's batch is only a handle on its job: its id names the job, and it has no keys.
SINGLE_BATCH_PREFIX = "b-"


def new_job_id() -> str:
    """An unguessable id (122 random bits) for a job created by a request."""
    return uuid.uuid4().hex


def new_batch_id() -> str:
    """An unguessable id for a batch of several files or a prefix listing."""
    return "b" + uuid.uuid4().hex


def single_batch_id(job_id: str) -> str:
    """The id of the batch a one-file upload answers with: it stands for that one job."""
    return SINGLE_BATCH_PREFIX + job_id


def job_of_single_batch(batch_id: str) -> str | None:
    """The job a one-file upload's batch id stands for, else None."""
    job_id = batch_id.removeprefix(SINGLE_BATCH_PREFIX)
    return job_id if batch_id.startswith(SINGLE_BATCH_PREFIX) and is_job_id(job_id) else None


def object_job_id(bucket: str, key: str, version: str) -> str:
    """A deterministic id for one version of an object, so redelivered events map to one job."""
    digest = hashlib.sha256(f"{bucket}\0{key}\0{version}".encode()).hexdigest()
    return f"obj-{digest[:40]}"


def is_job_id(value: str) -> bool:
    """Whether `value` has the shape of an id this system hands out (RQ allows [A-Za-z0-9_-])."""
    return 0 < len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def file_type_of(filename: str) -> str | None:
    """The supported type named by the extension (case-insensitive), else None."""
    _, ext = posixpath.splitext(filename.strip().lower())
    ext = ext.lstrip(".")
    return ext if ext in FILE_TYPES else None


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    # Control, format (RTL marks, zero-width), surrogate and unassigned characters never reach a key.
    return category[0] != "C" and char not in '/\\:*?"<>|'


def _shorten(stem: str, ext: str) -> str:
    """`stem` cut so that `stem + ext` fits in _MAX_NAME_BYTES of UTF-8: one cut, never a loop."""
    room = max(0, _MAX_NAME_BYTES - len(ext.encode()))
    # A cut inside a multi-byte character drops that character's bytes ("ignore").
    return stem.encode()[:room].decode("utf-8", "ignore")


def safe_filename(filename: str) -> str:
    """The last path component of `filename`, stripped of control and path characters, kept short.

    Unlike werkzeug's secure_filename it keeps non-ASCII letters, so `中文.pdf` stays `中文.pdf`.
    Linear in the length of `filename` (callers cap it at 1,024 bytes first: core/limits.py).
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", "".join(c for c in name if _keep(c))).strip(" .")
    stem, ext = posixpath.splitext(name)
    if not stem:
        stem, ext = "file", ext or (("." + name) if name else "")
    if len(ext.encode()) > _MAX_NAME_BYTES // 2:
        stem, ext = stem + ext, ""
    return (_shorten(stem, ext) + ext) or "file"
