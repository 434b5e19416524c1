"""Streaming word, character and line counts with exactly the semantics of `str.split()`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NamedTuple

# Every code point `str.split()` treats as a separator, taken from Python itself so the two can't drift.
SPACES = tuple(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())

# After multi-byte spaces are blanked, a byte is either a separator (0) or part of a word (1).
_CLASS = bytes(0 if chr(b) in SPACES and b < 0x80 else 1 for b in range(256))
_WIDE = tuple(s.encode() for s in SPACES if ord(s) >= 0x80)
_WIDE_BY_PREFIX = {p: tuple(w for w in _WIDE if w[:2] == p) for p in {w[:2] for w in _WIDE}}

SHORT_TEXT = 4096  # below this, str.split() itself is the cheapest exact count
PIECE = 32 * 1024  # bytes per pass: keeps temporaries small enough for the CPU cache and malloc's heap


class Counts(NamedTuple):
    """Words, characters (code points) and lines of one text, as the contract defines them."""

    words: int
    characters: int
    lines: int


def text_counts(text: str) -> Counts:
    """Count one whole text: words = len(text.split()), characters = len(text), lines by newlines."""
    if len(text) < SHORT_TEXT:
        return Counts(len(text.split()), len(text), _lines(text.count("\n"), text))
    counter = StreamCounter()
    counter.feed(text)
    return counter.counts()


def sum_counts(items: Iterable[Counts]) -> Counts:
    """Add counts of separate texts (words never join across two texts)."""
    words = characters = lines = 0
    for item in items:
        words, characters, lines = words + item.words, characters + item.characters, lines + item.lines
    return Counts(words, characters, lines)


def _lines(newlines: int, text: str) -> int:
    return newlines + (1 if text and not text.endswith("\n") else 0)


def _blank_wide_spaces(data: bytes) -> bytes:
    """Turn each multi-byte UTF-8 space into one ASCII space (word boundaries are all that matter)."""
    for prefix, spaces in _WIDE_BY_PREFIX.items():
        if prefix in data:
            for space in spaces:
                data = data.replace(space, b" ")
    return data


def _char_boundary(data: bytes, index: int) -> int:
    """The first index at or before `index` that starts a UTF-8 character (or the end of data)."""
    if index >= len(data):
        return len(data)
    while data[index] & 0xC0 == 0x80:
        index -= 1
    return index


class StreamCounter:
    """Counts text fed in pieces; a word cut between two pieces counts once."""

    def __init__(self) -> None:
        self.words = 0
        self.characters = 0
        self.newlines = 0
        self._in_word = False
        self._ends_with_newline = False

    def feed(self, text: str) -> None:
        """Add the next piece of text."""
        if not text:
            return
        self.characters += len(text)
        self._ends_with_newline = text[-1] == "\n"
        # In UTF-8 (lone surrogates passed through) every separator stays a separator and every other
        # code point becomes word bytes, so counting word starts on the bytes equals str.split().
        data = text.encode("utf-8", "surrogatepass")
        start = 0
        while start < len(data):
            end = _char_boundary(data, start + PIECE)
            self._count_utf8(data[start:end] if start or end < len(data) else data)
            start = end

    def feed_ascii(self, data: bytes) -> None:
        """Add a piece that is pure ASCII bytes (the caller checked), skipping the decoding."""
        if data:
            self.characters += len(data)
            self._ends_with_newline = data[-1] == 0x0A
            self._count_utf8(data)

    def _count_utf8(self, data: bytes) -> None:
        self.newlines += data.count(b"\n")
        if not data.isascii():
            data = _blank_wide_spaces(data)
        classes = data.translate(_CLASS)
        mask = int.from_bytes(classes, "little")
        # Each run of word bytes has two edges where a class differs from the one before it
        # (a virtual separator stands before the first byte and after the last).
        words = (mask ^ (mask << 8)).bit_count() // 2
        if self._in_word and classes[0]:
            words -= 1
        self.words += words
        self._in_word = classes[-1] == 1

    def counts(self) -> Counts:
        """The counts of everything fed so far."""
        lines = self.newlines + (1 if self.characters and not self._ends_with_newline else 0)
        return Counts(self.words, self.characters, lines)
