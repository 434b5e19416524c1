"""Plain text: find the encoding, then stream-decode and count with flat memory."""

from __future__ import annotations

import codecs
import pathlib
from typing import BinaryIO

import charset_normalizer

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
    file.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    counter = StreamCounter()
    offset = 0
    # ASCII bytes are ASCII text in UTF-8 once no partial character is pending: no decoding needed.
    skip_ascii = encoding in ("utf-8", "utf-8-sig")
    while True:
        chunk = file.read(chunk_size)
        try:
            if skip_ascii and chunk.isascii() and not decoder.getstate()[0]:
                counter.feed_ascii(chunk)
            else:
                counter.feed(decoder.decode(chunk, final=not chunk))
        except UnicodeDecodeError as error:
            error.start += offset
            raise
        if counter.characters > limits.max_text_chars:
            raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
        if not chunk:
            return counter.counts()
        offset += len(chunk)


def _detect(file: BinaryIO, bad_offset: int) -> str:
    """Guess a legacy encoding from the start of the file and the place where UTF-8 failed."""
    file.seek(0)
    sample = file.read(SAMPLE_BYTES)
    if bad_offset >= SAMPLE_BYTES // 2:
        file.seek(bad_offset - SAMPLE_BYTES // 2)
        sample += b"\n" + file.read(SAMPLE_BYTES)
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
