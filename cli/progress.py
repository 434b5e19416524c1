"""A dependency-free progress bar on stderr (one for a whole run), and a file wrapper that drives it."""

from __future__ import annotations

import shutil
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


def render_total(files_done: int, files: int, done: int, total: int, label: str, width: int = 80) -> str:
    """One line for a whole run: bar, percentage, files and bytes so far, the file being sent."""
    fraction = min(1.0, done / total) if total else files_done / files if files else 1.0
    filled = round(fraction * 20)
    head = f"[{'#' * filled}{'-' * (20 - filled)}] {fraction:4.0%} {files_done}/{files} files"
    line = f"{head} {human_bytes(done)}/{human_bytes(total)}"
    room = width - len(line) - 2
    if label and room > 8:
        line += "  " + (label if len(label) <= room else "…" + label[-(room - 1) :])
    return line


class Progress:
    """One bar for many files, redrawn in place; `note` prints a line above it (a failure, say)."""

    def __init__(self, files: int, total: int, stream: TextIO | None = None, enabled: bool | None = None):
        self.files, self.total = files, total
        self.files_done, self.done, self.label = 0, 0, ""
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._lock = threading.Lock()  # boto3's transfer manager reports from several threads
        self._file_start, self._file_size, self._drawn = 0, 0, 0.0

    def start_file(self, label: str, size: int) -> None:
        """The next file, `size` bytes, shown as `label`."""
        with self._lock:
            self.label, self._file_start, self._file_size = label, self.done, size
        self._draw(force=True)

    def update(self, count: int) -> None:
        """Count `count` more bytes of the current file (boto3's Callback signature)."""
        with self._lock:
            self.done = min(self.done + count, self._file_start + self._file_size)
        self._draw()

    def end_file(self) -> None:
        """The current file is done with, sent or not: its bytes all count."""
        with self._lock:
            self.done = self._file_start + self._file_size
            self.files_done += 1
        self._draw(force=True)

    def note(self, line: str, stream: TextIO | None = None) -> None:
        """Print `line` on a line of its own (on `stream`, default the bar's), the bar redrawn below it."""
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        target = stream or self.stream
        target.write(line + "\n")
        target.flush()
        self._draw(force=True)

    def close(self) -> None:
        """Leave the final state on its line."""
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._drawn < REDRAW_SECONDS):
            return
        self._drawn = now
        line = render_total(self.files_done, self.files, self.done, self.total, self.label, width())
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def width() -> int:
    """The terminal's width, less one column so a full line never wraps."""
    return shutil.get_terminal_size((80, 24)).columns - 1


class ProgressReader:
    """A file seen through its size: requests sends Content-Length and streams it chunk by chunk."""

    def __init__(self, file: IO[bytes], size: int, progress: Progress | Progress) -> None:
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
