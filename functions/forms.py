"""`POST /uploads`'s form: werkzeug's multipart decoder, without the two regexes it compiles per request.

werkzeug builds its boundary expressions from each request's boundary, which clients make random, so
Python's pattern cache never hits: about 0.25 of the 0.3 CPU-ms that parsing a small upload costs.
Here the boundary is found with `bytes.find` and one expression compiled once; the decoder's states,
events and limits (parts, field memory) are werkzeug's own.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

# What follows `--boundary` in werkzeug's expressions: `--` and the end, or the end of the line.
_AFTER = re.compile(rb"(--[^\S\n\r]*(?:\r\n|\n|\r)?|[^\S\n\r]*(?:\r\n|\n|\r))")
CHUNK_BYTES = 64 << 10
SPOOL_BYTES = 500 << 10  # parts larger than this go to a temporary file, as werkzeug's do
_CHARSETS = MultiPartParser()  # its get_part_charset: the charsets werkzeug accepts for a field


class _Found:
    """What the decoder reads of a match: start(), end() and group(1)."""

    __slots__ = ("_start", "_end", "_tail")

    def __init__(self, start: int, end: int, tail: bytes) -> None:
        self._start, self._end, self._tail = start, end, tail

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _: int) -> bytes:
        return self._tail


class BoundarySearch:
    """`search()` of werkzeug's `LINE_BREAK{?}--<boundary>(...)` expression, without compiling it."""

    def __init__(self, boundary: bytes, break_optional: bool) -> None:
        self.marker, self.optional = b"--" + boundary, break_optional

    def search(self, data: bytes | bytearray, pos: int = 0) -> _Found | None:
        at = data.find(self.marker, pos)
        while at != -1:
            tail = _AFTER.match(data, at + len(self.marker))
            before = _break_before(data, at, pos) if tail is not None else 0
            if tail is not None and (before or self.optional):
                return _Found(at - before, tail.end(), tail.group(1))
            at = data.find(self.marker, at + 1)
        return None


def _break_before(data: bytes | bytearray, at: int, floor: int) -> int:
    """The length of the line break that ends right at `at` (0, 1 or 2 bytes), not below `floor`."""
    if at - 2 >= floor and data[at - 2 : at] == b"\r\n":
        return 2
    if at - 1 >= floor and data[at - 1 : at] in (b"\n", b"\r"):
        return 1
    return 0


class Decoder(MultipartDecoder):
    """werkzeug's decoder with its two boundary expressions replaced by BoundarySearch."""

    def __init__(self, boundary: bytes, max_form_memory_size: int | None = None, *, max_parts=None) -> None:
        if b"\r" in boundary or b"\n" in boundary:  # no client sends one; werkzeug's own rules apply
            super().__init__(boundary, max_form_memory_size, max_parts=max_parts)
            return
        # A fixed boundary: the expressions compiled for it come from Python's cache after the first.
        super().__init__(b"filejobs", max_form_memory_size, max_parts=max_parts)
        self.boundary = boundary
        self.preamble_re = BoundarySearch(boundary, break_optional=True)  # type: ignore[assignment]
        self.boundary_re = BoundarySearch(boundary, break_optional=False)  # type: ignore[assignment]


def parse(
    stream: IO[bytes], boundary: bytes, max_parts: int | None, max_field_bytes: int | None
) -> tuple[MultiDict, MultiDict]:
    """The form's fields and files, as werkzeug's MultiPartParser returns them (ValueError if malformed)."""
    decoder = Decoder(boundary, max_field_bytes, max_parts=max_parts)
    fields, files = [], []
    part: Field | File | None = None
    chunks: list[bytes] = []
    spool: IO[bytes] | None = None
    while True:
        data = stream.read(CHUNK_BYTES)
        decoder.receive_data(data or None)
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field | File):
                part, chunks = event, []
                spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES) if isinstance(event, File) else None
            elif isinstance(event, Data) and spool is not None:
                spool.write(event.data)
                if not event.more_data:
                    spool.seek(0)
                    stored = FileStorage(spool, part.filename, part.name, headers=part.headers)
                    files.append((part.name, stored))
            elif isinstance(event, Data):
                chunks.append(event.data)
                if max_field_bytes is not None and sum(map(len, chunks)) > max_field_bytes:
                    raise RequestEntityTooLarge()
                if not event.more_data:
                    charset = _CHARSETS.get_part_charset(part.headers)
                    fields.append((part.name, b"".join(chunks).decode(charset, "replace")))
            event = decoder.next_event()
        if not data:
            return MultiDict(fields), MultiDict(files)
