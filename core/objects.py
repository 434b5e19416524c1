"""A reference to one version of one object in the bucket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ObjectRef:
    """One version of one object: what an upload, an event or a listing tells us about."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None

    def source(self) -> dict[str, Any]:
        source: dict[str, Any] = {
            "bucket": self.bucket,
            "key": self.key,
            "size": self.size,
            "etag": self.etag,
        }
        if self.version_id:
            source["version_id"] = self.version_id
        return source

    @property
    def version(self) -> str:
        """What tells this version from others: ETag and size, which events and listings both carry.

        (Listings have no version id, so using it would give one object two jobs.)
        """
        if self.etag is None:
            return self.version_id or f"none:{self.size}"
        return f"{self.etag}:{self.size}"
