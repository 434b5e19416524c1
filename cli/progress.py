"""A dependency-free progress bar on stderr, and a file wrapper that drives it while requests streams."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, TextIO

CHUNK_BYTES = 256 * 1024
REDRAW_SECONDS = 0.1


def human_bytes(count: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def render_bar(label: str, done: int, total: int, width: int = 24) -> str:
    """One line: label, bar, percentage, bytes so far of the total."""
    fraction = min(1.0, done / total) if total else 1.0
    filled = round(fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    return f"{label[:30]:<30} [{bar}] {fraction:4.0%} {human_bytes(done)}/{human_bytes(total)}"


class Progress:
    """A bar redrawn in place at most every REDRAW_SECONDS; silent when disabled (not a terminal)."""

    def __init__(
        self, label: str, total: int, stream: TextIO | None = None, enabled: bool | None = None
    ) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._lock = threading.Lock()  # boto3's transfer manager reports from several threads
        self._drawn = 0.0

    def update(self, count: int) -> None:
        """Count `count` more bytes sent (boto3's Callback signature)."""
        with self._lock:
            self.done += count
            now = time.monotonic()
            due = now - self._drawn >= REDRAW_SECONDS or (count and self.done >= self.total)
            if self.enabled and due:
                self._drawn = now
                self.stream.write("\r" + render_bar(self.label, self.done, self.total))
                self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.stream.write("\r" + render_bar(self.label, self.done, self.total) + "\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProgressReader:
    """A file seen through its size: requests sends Content-Length and streams it chunk by chunk."""

    def __init__(self, file: IO[bytes], size: int, progress: Progress) -> None:
        self.file, self.size, self.progress = file, size, progress

    def __len__(self) -> int:
        return self.size

    def read(self, size: int = -1) -> bytes:
        """Read like the file, counting what was read."""
        data = self.file.read(-1 if size is None else size)
        self.progress.update(len(data))
        return data

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK_BYTES):
            yield chunk
