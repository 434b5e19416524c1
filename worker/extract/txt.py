"""Plain text: find the encoding, then stream-decode and count with flat memory."""

from __future__ import annotations

import codecs
import pathlib
from collections.abc import Iterator
from typing import BinaryIO

from core.errors import CONTENT_MISMATCH, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import Counts, StreamCounter
from worker.sniff import HEAD_BYTES, bom_encoding, nul_codec

CHUNK_BYTES = 32 * 1024  # small reads beat big ones: see PIECE in worker.count
SAMPLE_BYTES = 32 * 1024  # per sample region handed to charset detection


def analyze_txt(path: pathlib.Path, limits: Limits, chunk_size: int = CHUNK_BYTES) -> dict:
    """Count a text file: {"words", "characters", "lines", "encoding"}."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        encoding = bom_encoding(head) or nul_codec(head)
        if encoding is None:
            try:
                counts = count_file(file, "utf-8", limits, chunk_size)
                return {**counts._asdict(), "encoding": "utf-8"}
            except UnicodeDecodeError as error:
                encoding = _detect(file, error.start)
        try:
            counts = count_file(file, encoding, limits, chunk_size)
        except UnicodeDecodeError:
            message = f"The file is not readable text (it is not valid {encoding})."
            raise JobError(CONTENT_MISMATCH, message) from None
    return {**counts._asdict(), "encoding": encoding}


def count_file(file: BinaryIO, encoding: str, limits: Limits, chunk_size: int = CHUNK_BYTES) -> Counts:
    """Decode `file` from the start in chunks and count; raises UnicodeDecodeError on a bad byte.

    The error's `start` is rewritten to the byte offset in the file where decoding failed.
    """
    counter = StreamCounter()
    if encoding in ("utf-8", "utf-8-sig"):
        file.seek(len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        for data, characters in utf8_pieces(file, chunk_size):
            counter.feed_utf8(data, characters)
            _check_size(counter, limits)
    else:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        while chunk := file.read(chunk_size):
            counter.feed(decoder.decode(chunk))
            _check_size(counter, limits)
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


def _detect(file: BinaryIO, bad_offset: int) -> str:
    """Guess a legacy encoding from the start of the file and the place where UTF-8 failed."""
    file.seek(0)
    sample = file.read(SAMPLE_BYTES)
    if bad_offset >= SAMPLE_BYTES // 2:
        file.seek(bad_offset - SAMPLE_BYTES // 2)
        sample += b"\n" + file.read(SAMPLE_BYTES)
    import charset_normalizer  # 13 ms to import, and only non-UTF-8 text needs it

    matches = [match for match in charset_normalizer.from_bytes(sample) if _keeps_ascii(match.encoding)]
    if not matches:
        raise JobError(CONTENT_MISMATCH, "The file is not readable text in any known encoding.")
    best = matches[0]
    ties = [match for match in matches if (match.chaos, match.coherence) == (best.chaos, best.coherence)]
    # Short Western texts fit a dozen code pages equally well; Windows-1252 is by far the likeliest.
    if any("cp1252" in match.could_be_from_charset for match in ties):
        return "cp1252"
    return best.encoding.replace("_", "-")


def _keeps_ascii(encoding: str) -> bool:
    """Rule out guesses (EBCDIC, UTF-7...) that would read ASCII letters and spaces differently."""
    probe = bytes(range(0x20, 0x7F)) + b"\t\n\r"
    try:
        return probe.decode(encoding) == probe.decode("ascii") and encoding.replace("_", "") != "utf7"
    except (UnicodeDecodeError, LookupError):
        return False
