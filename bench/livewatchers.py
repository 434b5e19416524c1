"""What one watcher of a job or batch sees: the changes a document shows, and when they were seen."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field

RANK = {"awaiting_upload": 0, "queued": 1, "started": 2, "finished": 3, "failed": 3}
HEAD_BYTES = 600  # a document's head holds what is measured (a job's status, a batch's counts)
COUNTED = ("total", "queued", "finished", "failed")
NUMBER = {name: re.compile(rf'"{name}":\s*(\d+)'.encode()) for name in COUNTED}
STATUS = re.compile(rb'"status":\s*"(\w+)"')
ETAG = re.compile(rb"\r\netag: *([^\r]*)", re.I)
LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.I)
# The page's poller before live status (web/poller.js): 300 ms, then 1.5x longer, at most 5 s.
POLL_FIRST, POLL_GROWTH, POLL_MAX = 0.3, 1.5, 5.0


def progress(kind: str, head: bytes) -> dict[str, int]:
    """What a document says has happened, as counters that only grow."""
    if kind == "job":
        found = STATUS.search(head)
        return {"status": RANK.get(found.group(1).decode(), 0) if found else 0}
    n = {name: int(m.group(1)) if (m := rx.search(head)) else 0 for name, rx in NUMBER.items()}
    return {"started": n["total"] - n["queued"], "ended": n["finished"] + n["failed"]}


def ended(kind: str, head: bytes) -> bool:
    found = STATUS.search(head)
    status = found.group(1).decode() if found else ""
    return status in (("finished", "failed") if kind == "job" else ("done",))


@dataclass
class Target:
    """A job or batch being watched: its path, and its changes' zero times by (series, count)."""

    kind: str
    path: str
    zero: dict[tuple[str, int], float] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def announced(self, status: str, at: float) -> None:
        """A job of this target changed to `status` (heard from the lifecycle's PUBLISH)."""
        if self.kind == "job":
            self.zero.setdefault(("status", RANK[status]), at)
            return
        series = "started" if status == "started" else "ended" if RANK[status] == 3 else None
        if series:
            self.counters[series] = self.counters.get(series, 0) + 1
            self.zero[(series, self.counters[series])] = at


@dataclass
class Watcher:
    """One client of one target: `way` is "sse", "wait" or "poll"."""

    way: str
    target: Target
    seen: dict[str, int] = field(default_factory=dict)
    sightings: list[tuple[str, int, float]] = field(default_factory=list)
    first_doc: bool = False
    done: bool = False
    etag: bytes | None = None
    delay: float = POLL_FIRST
    sock: socket.socket | None = None
    buffer: bytes = b""
    asked: bytes = b""

    def saw(self, head: bytes, at: float) -> None:
        """A document arrived at `at`: note the changes it shows first (the first one sets the start)."""
        now = progress(self.target.kind, head)
        if self.first_doc:
            for series, count in now.items():
                self.sightings += [(series, k, at) for k in range(self.seen[series] + 1, count + 1)]
        self.seen = {series: max(count, self.seen.get(series, 0)) for series, count in now.items()}
        self.first_doc = True
        self.done = self.done or ended(self.target.kind, head)

    def request(self, host: str) -> bytes:
        """The next request: the stream (HTTP/1.0, read to its end), else a GET on a kept-alive line."""
        if self.way == "sse":
            lines = [f"GET {self.target.path}/events HTTP/1.0", "Accept: text/event-stream"]
        elif self.way == "wait" and self.etag:
            lines = [f"GET {self.target.path}?wait=30 HTTP/1.1", f"If-None-Match: {self.etag.decode()}"]
        else:
            lines = [f"GET {self.target.path} HTTP/1.1"]
        return ("\r\n".join([*lines, f"Host: {host}", "", ""])).encode()


def complete(response: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(head, body, rest) once `response` holds a whole HTTP/1.1 answer, else None."""
    head, found, body = response.partition(b"\r\n\r\n")
    if not found:
        return None
    sized = LENGTH.search(head)
    length = int(sized.group(1)) if sized and not head.startswith((b"HTTP/1.1 304", b"HTTP/1.0 304")) else 0
    return (head, body[:length], body[length:]) if len(body) >= length else None
