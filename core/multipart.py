"""Multipart uploads: the part plan (pure) and the few S3 calls around it (clients passed in)."""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

MIN_PART_BYTES = 8 * 1024 * 1024
MAX_PARTS = 10_000
PART_STEP_BYTES = 1024 * 1024
SIGN_BATCH = 100
LIST_PAGE = 1000
NO_UPLOAD_CODES = ("NoSuchUpload", "404", "NotFound")


@dataclass(frozen=True)
class PartPlan:
    """How a file of `size` bytes is cut: parts of `part_size`, the last one shorter."""

    size: int
    part_size: int
    part_count: int

    def part_bytes(self, number: int) -> int:
        """The exact size of part `number` (1-based)."""
        if number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)


def plan_parts(size: int, min_part: int = MIN_PART_BYTES, max_parts: int = MAX_PARTS) -> PartPlan:
    """The smallest part size (a whole number of MiB, at least `min_part`) that needs at most `max_parts`."""
    needed = math.ceil(size / max_parts) if size else 0
    part_size = max(min_part, math.ceil(needed / PART_STEP_BYTES) * PART_STEP_BYTES)
    return PartPlan(size=size, part_size=part_size, part_count=max(1, math.ceil(size / part_size)))


def is_sha256_b64(value: object) -> bool:
    """Whether `value` is the base64 of a 32-byte digest (what `x-amz-checksum-sha256` carries)."""
    if not isinstance(value, str) or len(value) != 44:
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def bare_etag(etag: str) -> str:
    """An ETag without its quotes (clients send either form)."""
    return etag.strip().strip('"')


def mismatched_part(plan: PartPlan, held: dict[int, dict[str, Any]], sent: dict[int, str]) -> str | None:
    """Why the parts the client names cannot complete the upload, or None when they all fit."""
    if sorted(sent) != list(range(1, plan.part_count + 1)):
        return f"Send every part from 1 to {plan.part_count} exactly once."
    for number, etag in sorted(sent.items()):
        part = held.get(number)
        if part is None:
            return f"Part {number} is not in the bucket."
        if bare_etag(part["etag"]) != bare_etag(etag):
            return f"Part {number} has ETag {part['etag']} in the bucket, not {etag}."
        if part["size"] != plan.part_bytes(number):
            return f"Part {number} is {part['size']} bytes; {plan.part_bytes(number)} were expected."
    return None


def no_such_upload(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NO_UPLOAD_CODES


def list_parts(s3: Any, bucket: str, key: str, upload_id: str) -> list[dict[str, Any]]:
    """Every part the bucket holds for the upload, following ListParts' pages."""
    parts: list[dict[str, Any]] = []
    marker = 0
    while True:
        reply = s3.list_parts(
            Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=LIST_PAGE, PartNumberMarker=marker
        )
        parts += [
            {"part_number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]}
            for p in reply.get("Parts", [])
        ]
        if not reply.get("IsTruncated"):
            return parts
        marker = int(reply["NextPartNumberMarker"])


def sign_part(
    public_s3: Any, bucket: str, key: str, upload_id: str, number: int, size: int, checksum: str | None,
    expires: int,
) -> dict[str, Any]:  # fmt: skip
    """A presigned PUT of one part: its length is signed, and its SHA-256 when the client gave one."""
    params: dict[str, Any] = {
        "Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number, "ContentLength": size,
    }  # fmt: skip
    headers: dict[str, str] = {}
    if checksum:
        params["ChecksumSHA256"] = checksum
        headers["x-amz-checksum-sha256"] = checksum
    url = public_s3.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires)
    return {"part_number": number, "url": url, "headers": headers}


def abort(s3: Any, bucket: str, key: str, upload_id: str) -> bool:
    """Abort the upload in the bucket; False if the bucket had no such upload (already gone)."""
    try:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except ClientError as exc:
        if no_such_upload(exc):
            return False
        raise
    return True


def open_uploads(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every multipart upload open under `prefix`: key, upload id and when it was initiated."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        reply = s3.list_multipart_uploads(**params)
        found += [
            {"key": u["Key"], "upload_id": u["UploadId"], "initiated": u.get("Initiated")}
            for u in reply.get("Uploads", [])
        ]
        if not reply.get("IsTruncated"):
            return found
        params.update(KeyMarker=reply["NextKeyMarker"], UploadIdMarker=reply["NextUploadIdMarker"])
