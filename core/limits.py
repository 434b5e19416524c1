"""Limits on what a request may carry, checked in time linear in its size before any other work.

Pure functions: the views (functions/limits.py) turn a `LimitError` into the contract's answer.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

MAX_FILENAME_BYTES = 1024
MAX_JSON_BYTES = 1 << 20
MAX_JSON_DEPTH = 64
MAX_EVENT_RECORDS = 1000
MAX_UPLOAD_PARTS = 100

# One token per string, closed or not: possessive, so every quote is scanned once (no backtracking).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
# Brackets become +1/-1 as signed bytes; every other byte is dropped.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))


class LimitError(ValueError):
    """A request over one of the limits; `status` and `code` are the contract's answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def fits_name(name: str) -> bool:
    """Whether `name` fits in MAX_FILENAME_BYTES of UTF-8 (a longer string is never encoded)."""
    # Every character is at least one byte: a longer string cannot fit.
    return (
        len(name) <= MAX_FILENAME_BYTES and len(name.encode("utf-8", "surrogatepass")) <= MAX_FILENAME_BYTES
    )


def check_name_length(name: str, what: str = "filename") -> str:
    """`name` if it fits in MAX_FILENAME_BYTES of UTF-8, else a 400."""
    if not fits_name(name):
        raise LimitError(
            400, "bad_request", f"The {what} is longer than {MAX_FILENAME_BYTES} bytes of UTF-8."
        )
    return name


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text `data`, ignoring brackets inside strings."""
    brackets = _STRING.sub(b"", data).translate(_BRACKETS, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets)), default=0)


def parse_json(data: bytes) -> Any:
    """The JSON value of a request body, refused before parsing when too large or too deep."""
    if len(data) > MAX_JSON_BYTES:
        raise LimitError(413, "too_large", f"A JSON body may be at most {MAX_JSON_BYTES} bytes.")
    if json_depth(data) > MAX_JSON_DEPTH:
        raise LimitError(400, "bad_request", f"A JSON body may nest at most {MAX_JSON_DEPTH} levels deep.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # invalid JSON, bad UTF-8, integers over 4,300 digits
        raise LimitError(400, "bad_request", "The body is not valid JSON.") from None


def check_event_records(body: Any) -> None:
    """Refuse an S3 notification with more than MAX_EVENT_RECORDS records, before any is looked at."""
    records = body.get("Records") if isinstance(body, dict) else None
    if isinstance(records, list) and len(records) > MAX_EVENT_RECORDS:
        raise LimitError(413, "too_large", f"An event body may hold at most {MAX_EVENT_RECORDS} records.")


def check_part_count(count: int) -> None:
    """Refuse an upload of more than MAX_UPLOAD_PARTS files, before any is stored."""
    if count > MAX_UPLOAD_PARTS:
        raise LimitError(413, "too_large", f"One upload may hold at most {MAX_UPLOAD_PARTS} files.")


_CONTENT_TYPES = {
    "txt": ("text/plain",),
    "json": ("application/json",),
    "rtf": ("application/rtf", "text/rtf"),
    "pdf": ("application/pdf",),
}
_MEDIA_TYPE = re.compile(r"([a-z]+/[a-z.+-]+)(?:\s*;\s*charset=([a-z0-9._-]{1,40}))?", re.ASCII)


def content_type_for(file_type: str, given: str | None) -> str:
    """The Content-Type to sign for a file of `file_type`: `given` if it fits the type, else a 415."""
    allowed = _CONTENT_TYPES[file_type]
    if not given:
        return allowed[0]
    match = _MEDIA_TYPE.fullmatch(given.strip().lower()) if len(given) <= 100 else None
    if match is None or match.group(1) not in allowed:
        raise LimitError(
            415,
            "unsupported_type",
            f"`content_type` must be one of {', '.join(allowed)} for a .{file_type} file.",
        )
    return match.group(0)
