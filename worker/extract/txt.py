"""Plain text: find the encoding, then stream-decode and count with flat memory."""

from __future__ import annotations

import codecs
import pathlib
from collections.abc import Iterator
from typing import BinaryIO

from core.errors import CONTENT_MISMATCH, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import Counts, StreamCounter
from worker.extract.charsets import WIDER, detect
from worker.language import TextSample
from worker.sniff import HEAD_BYTES, bom_encoding, nul_codec

CHUNK_BYTES = 32 * 1024  # small reads beat big ones: see PIECE in worker.count


def analyze_txt(
    path: pathlib.Path, limits: Limits, chunk_size: int = CHUNK_BYTES, sample: TextSample | None = None
) -> dict:
    """Count a text file: {"words", "characters", "lines", "encoding"}; `sample` gets the text's start."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        encoding = bom_encoding(head) or nul_codec(head)
        if encoding is None:
            try:
                counts = count_file(file, "utf-8", limits, chunk_size, sample)
                return {**counts._asdict(), "encoding": "utf-8"}
            except UnicodeDecodeError as error:
                encoding = detect(file, error.start)
        counts, encoding = _count_widening(file, encoding, limits, chunk_size, sample)
    return {**counts._asdict(), "encoding": encoding}


def _count_widening(
    file: BinaryIO, encoding: str, limits: Limits, chunk_size: int, sample: TextSample | None
) -> tuple[Counts, str]:
    """Count in `encoding`, or in its superset (Shift_JIS -> CP932...) if the file needs one."""
    while True:
        try:
            return count_file(file, encoding, limits, chunk_size, sample), encoding
        except UnicodeDecodeError:
            wider = WIDER.get(encoding.replace("-", "_"))
            if wider is None:
                message = f"The file is not readable text (it is not valid {encoding})."
                raise JobError(CONTENT_MISMATCH, message) from None
            encoding = wider.replace("_", "-")


def count_file(
    file: BinaryIO,
    encoding: str,
    limits: Limits,
    chunk_size: int = CHUNK_BYTES,
    sample: TextSample | None = None,
) -> Counts:
    """Decode `file` from the start in chunks and count; raises UnicodeDecodeError on a bad byte.

    The error's `start` is rewritten to the byte offset in the file where decoding failed.
    `sample` (emptied first: a file may be read again in another encoding) gets the text's start.
    """
    counter = StreamCounter()
    if sample is not None:
        sample.clear()
    if encoding in ("utf-8", "utf-8-sig"):
        file.seek(len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        for data, characters in utf8_pieces(file, chunk_size):
            counter.feed_utf8(data, characters)
            _check_size(counter, limits)
            if sample is not None and not sample.take_utf8(data):
                sample = None
    else:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        while chunk := file.read(chunk_size):
            text = decoder.decode(chunk)
            counter.feed(text)
            _check_size(counter, limits)
            if sample is not None and not sample.take(text):
                sample = None
        counter.feed(decoder.decode(b"", final=True))
    return counter.counts()


def utf8_pieces(file: BinaryIO, chunk_size: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int]]:
    """Valid UTF-8 from `file` in whole characters, with how many: (bytes, characters).

    Faster than an incremental decoder: the bytes are counted as they are, and decoding only
    checks them (not at all when they are ASCII).
    """
    carry, offset = b"", file.tell()
    while True:
        chunk = file.read(chunk_size)
        data = carry + chunk if carry else chunk
        end = _complete(data) if chunk else len(data)
        data, carry = (data, b"") if end == len(data) else (data[:end], data[end:])
        if data:
            yield data, _characters(data, offset)
        if not chunk:
            return
        offset += len(data)


def _characters(data: bytes, offset: int) -> int:
    if data.isascii():
        return len(data)
    try:
        return len(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        error.start += offset
        raise


def _complete(data: bytes) -> int:
    """Where a character cut off at the end of `data` starts (len(data) if none is)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:  # a lead byte: does its sequence fit?
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if needed > back else len(data)
    return len(data)  # only continuation bytes: the decoder rejects them


def _check_size(counter: StreamCounter, limits: Limits) -> None:
    if counter.characters > limits.max_text_chars:
        raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
