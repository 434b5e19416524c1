"""JSON: stream the document with ijson and count its string values, each one on its own."""

from __future__ import annotations

import codecs
import io
import pathlib
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import ijson

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import SHORT_TEXT, Counts, text_counts
from worker.language import TextSample
from worker.sniff import HEAD_BYTES, bom_encoding, nul_codec

# ijson's C backend crashes the process (SIGSEGV) when int() refuses an integer token longer than
# its 64 KiB buffer, so no integer over Python's digit limit may reach it: see _Utf8Source.
_DEFAULT_MAX_DIGITS = 4300
# yajl re-copies a token that spans reads on every read: 4 MiB reads keep a 40 MB string at 0.1 s
# (3.6 s with ijson's default 64 KiB).
READ_BYTES = 4 << 20
_OPEN = frozenset(("start_map", "start_array"))
_CLOSE = frozenset(("end_map", "end_array"))
_DIGITS = b"0123456789"
# yajl skips form feeds and vertical tabs as whitespace; JSON's whitespace is space, tab, CR and LF
# only, and inside strings raw control characters are invalid: either way such a byte breaks the file.
_NOT_WHITESPACE = re.compile(rb"[\x0b\x0c]")
_DIGIT_CLASS = bytes(0x31 if b in _DIGITS else 0x30 for b in range(256))


def analyze_json(path: pathlib.Path, limits: Limits, sample: TextSample | None = None) -> dict:
    """Count the string values of a JSON file: {"words", "characters", "lines"}; `sample` gets the first."""
    max_digits = min(sys.get_int_max_str_digits() or _DEFAULT_MAX_DIGITS, _DEFAULT_MAX_DIGITS)
    with path.open("rb") as raw:
        encoding = _encoding(raw)
        try:
            return _parse(lambda: _Utf8Source(raw, encoding, max_digits), limits, sample)
        except _LongDigits:
            # Rare: a long run of digits somewhere. Read it all and shorten the integers among them.
            def shortened() -> BinaryIO:  # read inside _parse, which maps what reading raises
                return io.BytesIO(_shorten_integers(_read_all(raw, encoding), max_digits))

            return _parse(shortened, limits, sample)


def _parse(
    open_source: Callable[[], BinaryIO | _Utf8Source], limits: Limits, sample: TextSample | None
) -> dict:
    if sample is not None:
        sample.clear()  # the second reading of a file with long digits starts over
    try:
        events = ijson.basic_parse(open_source(), buf_size=READ_BYTES)
        return count_strings(events, limits, sample)._asdict()
    except ijson.JSONError:
        raise JobError(CORRUPT_FILE, "The file is not valid JSON.") from None
    except UnicodeDecodeError:
        raise JobError(CORRUPT_FILE, "The file is not valid JSON: its text encoding is broken.") from None
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation for exponents beyond 10**18
        raise JobError(CORRUPT_FILE, "The file has a number that cannot be read.") from None


def count_strings(
    events: Iterable[tuple[str, Any]], limits: Limits, sample: TextSample | None = None
) -> Counts:
    """Sum the counts of every 'string' event (not keys) while enforcing depth and size limits.

    `sample` gets the first strings, a line each (they are separate texts).
    """
    words = characters = lines = depth = 0
    for event, value in events:
        if event == "string":
            if sample is not None and not (sample.take(value) and sample.take("\n")):
                sample = None
            if len(value) < SHORT_TEXT:  # inlined text_counts(): most JSON strings are short
                words += len(value.split())
                lines += value.count("\n") + (value[-1:] not in ("\n", ""))
            else:
                counts = text_counts(value)
                words, lines = words + counts.words, lines + counts.lines
            characters += len(value)
            if characters > limits.max_text_chars:
                raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
        elif event in _OPEN:
            depth += 1
            if depth > limits.max_json_depth:
                raise JobError(TOO_LARGE, f"The JSON is nested deeper than {limits.max_json_depth} levels.")
        elif event in _CLOSE:
            depth -= 1
    return Counts(words, characters, lines)


class _LongDigits(Exception):
    """The document holds a run of digits longer than int() accepts."""


class _Utf8Source:
    """The file as yajl wants it (UTF-8, no BOM), stopping at any run of more than `max_digits` digits."""

    def __init__(self, raw: BinaryIO, encoding: str | None, max_digits: int | None) -> None:
        raw.seek(len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        self._raw = raw
        self._decoder = None
        if encoding and encoding != "utf-8-sig":
            self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._max_digits = max_digits
        self._run = 0  # digits at the end of what was read so far

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for zero bytes to learn whether we return bytes or str
            return b""
        data = self._read(size)
        if _NOT_WHITESPACE.search(data):
            raise JobError(CORRUPT_FILE, "The file is not valid JSON: it has a form feed or vertical tab.")
        if self._max_digits is not None and data:
            self._check_digits(data)
        return data

    def _read(self, size: int) -> bytes:
        while self._decoder:
            chunk = self._raw.read(size)
            text = self._decoder.decode(chunk, final=not chunk)
            if text or not chunk:
                return text.encode("utf-8")
        return self._raw.read(size)

    def _check_digits(self, data: bytes) -> None:
        lead = len(data) - len(data.lstrip(_DIGITS))
        run = self._run + lead
        self._run = run if lead == len(data) else len(data) - len(data.rstrip(_DIGITS))
        if run > self._max_digits or data.translate(_DIGIT_CLASS).find(b"1" * (self._max_digits + 1)) >= 0:
            raise _LongDigits


def _encoding(raw: BinaryIO) -> str | None:
    head = raw.read(HEAD_BYTES)
    return bom_encoding(head) or nul_codec(head)


def _read_all(raw: BinaryIO, encoding: str | None) -> bytes:
    source = _Utf8Source(raw, encoding, max_digits=None)
    return b"".join(iter(lambda: source.read(READ_BYTES), b""))


def _shorten_integers(text: bytes, max_digits: int) -> bytes:
    """Replace every integer of more than `max_digits` digits outside strings by 0 (it isn't counted)."""
    token = re.compile(
        rb'("[^"\\]*(?:\\.[^"\\]*)*")|(?<![0-9.eE+-])-?[0-9]{%d,}(?![0-9.eE])' % (max_digits + 1), re.DOTALL
    )
    return token.sub(lambda match: match.group(1) or b"0", text)
