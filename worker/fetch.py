"""Download an object to a temporary file, streamed and capped, so memory stays flat."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from core.bucket import is_missing
from core.errors import TOO_LARGE, UPLOAD_MISSING, JobError

CHUNK_BYTES = 1 << 20


def _get(s3: Any, source: dict[str, Any]) -> Any:
    params = {"Bucket": source["bucket"], "Key": source["key"]}
    if source.get("version_id"):
        params["VersionId"] = source["version_id"]
    if source.get("etag"):
        params["IfMatch"] = f'"{source["etag"]}"'  # the bytes started (or announced), not a later PUT
    try:
        return s3.get_object(**params)
    except ClientError as exc:
        if is_missing(exc):
            raise JobError(UPLOAD_MISSING, "The uploaded file is no longer in the bucket.") from None
        if _replaced(exc):
            raise JobError(UPLOAD_MISSING, "The file was replaced after the job started.") from None
        raise


def _replaced(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error.get("Code") == "PreconditionFailed" or status == 412


def _too_large(limit: int) -> JobError:
    return JobError(TOO_LARGE, f"The file is larger than the limit of {limit} bytes.")


class Download(NamedTuple):
    """A fetched object: the local file and the SHA-256 of its bytes (hex), hashed while streaming."""

    path: Path
    sha256: str


@contextlib.contextmanager
def fetched(s3: Any, source: dict[str, Any], limit: int) -> Iterator[Download]:
    """The object as a local file, deleted afterwards; too_large past `limit`, upload_missing if gone."""
    reply = _get(s3, source)
    if reply.get("ContentLength", 0) > limit:
        reply["Body"].close()
        raise _too_large(limit)
    with tempfile.NamedTemporaryFile(prefix="job-", suffix=".bin") as tmp:
        written, digest = 0, hashlib.sha256()
        for chunk in reply["Body"].iter_chunks(CHUNK_BYTES):
            written += len(chunk)
            if written > limit:
                reply["Body"].close()
                raise _too_large(limit)
            tmp.write(chunk)
            digest.update(chunk)
        tmp.flush()
        yield Download(Path(tmp.name), digest.hexdigest())


@contextlib.contextmanager
def held(content: bytes, limit: int) -> Iterator[Download]:
    """Bytes the job carries (a small upload's, as stored) as a local file, like `fetched` gives one."""
    if len(content) > limit:
        raise _too_large(limit)
    with tempfile.NamedTemporaryFile(prefix="job-", suffix=".bin") as tmp:
        tmp.write(content)
        tmp.flush()
        yield Download(Path(tmp.name), hashlib.sha256(content).hexdigest())
