"""The pure side of a multipart upload: how a file is cut, which parts are missing, the resume record."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

THRESHOLD_BYTES = 16 * 1024 * 1024  # bigger files go in parts (as on the page)


@dataclass(frozen=True)
class Part:
    """Part `number` (1-based): `length` bytes from `start`."""

    number: int
    start: int
    length: int


def cut(size: int, part_size: int) -> list[Part]:
    """Every part of a file of `size` bytes in parts of `part_size` (the last one shorter; one if empty)."""
    count = max(1, -(-size // part_size))
    return [
        Part(n, (n - 1) * part_size, min(part_size, size - (n - 1) * part_size)) for n in range(1, count + 1)
    ]


def whole_held(parts: list[Part], held: list[dict[str, Any]]) -> dict[int, str]:
    """`{number: etag}` of the held parts that have exactly their part's size."""
    sizes = {part.number: part.length for part in parts}
    return {p["part_number"]: p["etag"] for p in held if sizes.get(p["part_number"]) == p.get("size")}


def checksum(data: bytes) -> str:
    """The base64 SHA-256 that `x-amz-checksum-sha256` carries."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass(frozen=True)
class Resume:
    """What a re-run needs to carry on an interrupted upload of the same file to the same API."""

    api: str
    path: str
    size: int
    mtime_ns: int
    job_id: str
    upload_id: str
    part_size: int


def resume_file(folder: Path, api: str, path: Path, size: int, mtime_ns: int) -> Path:
    """Where the resume record of this file (by absolute path, size, mtime) for this API lives."""
    ident = f"{api}\n{path.resolve()}\n{size}\n{mtime_ns}".encode()
    return folder / f"{hashlib.sha256(ident).hexdigest()[:32]}.json"


def load_resume(file: Path) -> Resume | None:
    """The record in `file`, or None when there is none or it cannot be read."""
    try:
        return Resume(**json.loads(file.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def save_resume(file: Path, record: Resume) -> None:
    """Write the record (atomically: an interruption mid-write leaves the old one or none)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(record)))
    partial.replace(file)
