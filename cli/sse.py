"""Server-sent events (text/event-stream) as the HTML standard parses them: lines in, events out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One dispatched event; `id` is the last event id seen so far (what a reconnect resumes from)."""

    event: str
    data: str
    id: str | None


def split_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Lines (without endings, UTF-8 decoded) of a byte stream arriving in arbitrary chunks."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            yield line.removesuffix(b"\r").decode("utf-8", "replace")
    if buffer:
        yield buffer.removesuffix(b"\r").decode("utf-8", "replace")


def parse(lines: Iterable[str], last_id: str | None = None) -> Iterator[Event]:
    """The events in `lines` (without line endings); comments and `retry:` are skipped."""
    name, data = "", []
    for line in lines:
        if not line:
            if data:
                yield Event(name or "message", "\n".join(data), last_id)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue  # a comment: the server's heartbeat
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            last_id = value
