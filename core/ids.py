"""Job and batch ids, file types and filenames: pure functions, no storage."""

from __future__ import annotations

import hashlib
import hmac
import posixpath
import unicodedata
import uuid

FILE_TYPES = ("txt", "json", "rtf", "pdf")
_MAX_NAME_BYTES = 200
# Object ids carry 160 bits of their hash or HMAC: "obj-" and 40 hex digits, keyed or not.
_OBJECT_ID_HEX = 40
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


def object_job_id(
    secret: str | None,
    bucket: str,
    key: str,
    etag: str | None,
    size: int | None,
    version_id: str | None = None,
) -> str:
    """The job id of one version of an object, so redelivered events and rescans map to one job.

    The version is told by its ETag, which events (after their HEAD) and listings both carry; by the
    version id only without an ETag (listings carry no version id: using it would give two jobs).
    With `secret` (ID_SECRET) the id is an HMAC: nobody can compute it from what they know of an
    object. Without, it is the plain hash that ids were before ID_SECRET existed.
    """
    if secret is None:
        version = f"{etag}:{size}" if etag is not None else version_id or f"none:{size}"
        digest = hashlib.sha256(f"{bucket}\0{key}\0{version}".encode()).hexdigest()
    else:
        tag = f"e{etag}" if etag is not None else f"v{version_id}" if version_id else "-"
        parts = (bucket, key, tag, "" if size is None else str(size))
        digest = hmac.new(secret.encode(), b"".join(map(_framed, parts)), hashlib.sha256).hexdigest()
    return f"obj-{digest[:_OBJECT_ID_HEX]}"


def _framed(text: str) -> bytes:
    # Each field behind its length: no two tuples of fields give the same message.
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(8, "big") + data


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
