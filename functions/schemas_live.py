"""The models of multipart uploads' requests and replies (functions/spec.py derives their schemas)."""

from __future__ import annotations

from pydantic import Field

from core.models import Batch
from core.multipart import MAX_PARTS, MIN_PART_BYTES, SIGN_BATCH
from functions.schemas import FILENAME_PATTERN, TIME, URI, Callback, Open

PartNumber = Field(ge=1, le=MAX_PARTS)


class MultipartRequest(Open):
    filename: str = Field(pattern=FILENAME_PATTERN, examples=["big.pdf"])
    size: int = Field(ge=0, description="Bytes; at most MAX_MULTIPART_BYTES (5 GiB by default).")
    content_type: str | None = Field(default=None, description="Must fit the extension, as for presign.")
    callback_url: Callback


class MultipartCreated(Open):
    job_id: str
    key: str
    upload_id: str
    part_size: int = Field(ge=MIN_PART_BYTES, description="Every part but the last is exactly this long.")
    part_count: int = Field(ge=1, le=MAX_PARTS)
    expires_at: str = Field(json_schema_extra=TIME, description="Complete the upload before this.")
    status_url: str = Field(json_schema_extra=URI)


class PartToSign(Open):
    part_number: int = PartNumber
    checksum_sha256: str | None = Field(
        default=None, pattern="^[A-Za-z0-9+/]{43}=$", description="base64 of the part's SHA-256"
    )


class PartsToSign(Open):
    parts: list[PartToSign] = Field(min_length=1, max_length=SIGN_BATCH)


class SignedPart(Open):
    part_number: int = PartNumber
    url: str = Field(json_schema_extra=URI, description="PUT the part's bytes here.")
    headers: dict[str, str] = Field(
        description="Send these with the PUT: a signed `x-amz-checksum-sha256` when a checksum was given."
    )


class SignedParts(Open):
    parts: list[SignedPart]


class HeldPart(Open):
    part_number: int = PartNumber
    etag: str
    size: int = Field(ge=0)


class HeldParts(Open):
    """The parts the bucket holds for the upload, to resume it."""

    parts: list[HeldPart]


class PartToComplete(Open):
    part_number: int = PartNumber
    etag: str


class PartsToComplete(Open):
    parts: list[PartToComplete] = Field(min_length=1, max_length=MAX_PARTS)


class BatchCancelled(Batch):
    """The batch after `POST /batches/{batch_id}/cancel`."""

    cancelled: int = Field(ge=0, description="How many of its jobs this call cancelled.")


LIVE_MODELS = (
    MultipartRequest, MultipartCreated, PartsToSign, SignedParts, HeldParts, PartsToComplete, BatchCancelled,
)  # fmt: skip
