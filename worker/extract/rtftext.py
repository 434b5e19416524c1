"""The plain text of an RTF document, read token by token in one pass (no backtracking, no copy).

Control words, groups, skipped destinations, \\bin data, \\uN with its \\ucN fallback, and \\'xx bytes
decoded in the code page of the current font (\\fcharset, \\cpg) or of the document (\\ansicpg):
Word writes \\ansicpg1252 with Cyrillic fonts (\\fcharset204). Unmatched closing braces are ignored,
as every reader does; a document whose groups never close is broken (a cut-off upload).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from worker.extract.rtf_words import CHARSETS, DESTINATIONS, DOCUMENT_PAGES, ESCAPES, SYMBOLS

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|[\r\n]+|([^\\{}\r\n]+)", re.DOTALL
)
_WORD, _PARAM, _HEX, _SYMBOL, _BRACE, _TEXT = 1, 2, 3, 4, 5, 6
_FONT_WORDS = frozenset((b"f", b"fcharset", b"cpg"))
_ACTIVE = frozenset(
    (
        b"u",
        b"bin",
        b"uc",
        b"f",
        b"fcharset",
        b"cpg",
        b"ansicpg",
        b"deff",
        *SYMBOLS,
        *DESTINATIONS,
        *DOCUMENT_PAGES,
    )
)
_BATCH = 1024  # text pieces joined per yield
_MAX_CODE_POINT = 0x10FFFF


class RtfError(ValueError):
    """The document cannot be read; the message says why in a plain sentence."""


@dataclass
class _Fonts:
    """The font table: each font's code page, and the document's."""

    document: str = "cp1252"
    default: int | None = None
    pages: dict[int, str] = field(default_factory=dict)
    defining: int | None = None

    def page(self, font: int | None) -> str:
        font = self.default if font is None else font
        return self.pages.get(font, self.document) if font is not None else self.document

    def define(self, word: bytes, number: int | None) -> None:
        """A control word inside {\\fonttbl}: \\fN starts an entry, \\fcharsetN or \\cpgN gives its page."""
        if word == b"f":
            self.defining = number
        elif self.defining is not None and number is not None:
            page = CHARSETS.get(number) if word == b"fcharset" else _code_page(number)
            if page and not (word == b"fcharset" and number in (0, 1)):
                self.pages[self.defining] = page


def _code_page(number: int) -> str:
    name = f"cp{number}"
    try:
        codecs.lookup(name)
    except LookupError:
        raise RtfError("it uses a code page that does not exist") from None
    return name


def rtf_text(data: bytes) -> Iterator[str]:
    """The document's text in pieces (words never span two pieces' joins: a piece ends anywhere)."""
    fonts = _Fonts()
    stack: list[tuple[bool, int, int | None, bool]] = []
    skip, uc, font, in_table = False, 1, None, False
    fallback = 0  # characters of a \uN's fallback still to drop
    high = 0  # a UTF-16 high surrogate waiting for its low half
    hexes = bytearray()
    out: list[str] = []
    pos, end = max(data.find(b"{"), 0), len(data)  # a BOM or blank lines may come first
    match_at = _TOKEN.match
    while pos < end:
        match = match_at(data, pos)
        if match is None:  # a lone backslash at the very end
            break
        pos = match.end()
        kind = match.lastindex
        if kind is None:  # line breaks in the source are not text (Word breaks lines within \'xx pairs)
            continue
        if hexes and kind != _HEX:
            out.append(hexes.decode(fonts.page(font), "replace"))
            hexes.clear()
        if kind == _TEXT:
            run = match.group(_TEXT)
            if fallback:
                dropped = min(fallback, len(run))
                run, fallback = run[dropped:], fallback - dropped
            if not stack:  # after the document's end (or an unmatched '}'): NUL padding is not text
                run = run.strip(b"\x00")
            if not skip and run:
                out.append(run.decode("latin-1") if run.isascii() else _decode(run, fonts.page(font)))
                if len(out) >= _BATCH:
                    yield "".join(out)
                    out.clear()
        elif kind <= _PARAM:
            word = match.group(_WORD)
            if fallback and word != b"u":
                fallback -= 1
            elif word in _ACTIVE:  # most control words only format: nothing to do
                number = int(match.group(_PARAM)) if kind == _PARAM else None
                if word == b"u":
                    code = _unicode(number)
                    if 0xD800 <= code < 0xDC00:
                        high = code
                    elif not skip:
                        if 0xDC00 <= code < 0xE000:
                            code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00) if high else 0xFFFD
                        out.append(chr(code))
                        high = 0
                    fallback = uc
                elif word in SYMBOLS:
                    if not skip:
                        out.append(SYMBOLS[word])
                elif word == b"bin":
                    if number is None or number < 0 or number > end - pos:
                        raise RtfError("a \\bin control word has a bad length")
                    pos += number
                elif word == b"uc":
                    if number is None:
                        raise RtfError("it has a control word with an impossible number")
                    uc = max(number, 0)
                elif in_table and word in _FONT_WORDS:
                    fonts.define(word, number)
                elif word == b"f":
                    font = number
                elif word in DESTINATIONS:
                    skip, in_table = True, in_table or word == b"fonttbl"
                elif word == b"ansicpg" and number is not None:
                    fonts.document = _code_page(number)
                elif word in DOCUMENT_PAGES:
                    fonts.document = DOCUMENT_PAGES[word]
                elif word == b"deff":
                    fonts.default = number
        elif kind == _HEX:
            if fallback:
                fallback -= 1
            elif not skip:
                hexes.append(int(match.group(_HEX), 16))
        elif kind == _BRACE:
            fallback = 0
            if match.group(_BRACE) == b"{":
                stack.append((skip, uc, font, in_table))
            elif stack:
                skip, uc, font, in_table = stack.pop()
        elif kind == _SYMBOL:
            symbol = match.group(_SYMBOL)
            if fallback:
                fallback -= 1
            elif symbol == b"*":
                skip = True
            elif not skip and symbol in ESCAPES:
                out.append(ESCAPES[symbol])
    if hexes:
        out.append(hexes.decode(fonts.page(font), "replace"))
    if stack:
        raise RtfError("its groups are not closed")
    yield "".join(out)


def _unicode(number: int | None) -> int:
    """\\uN as a code point: N is a signed 16-bit number (negative above U+7FFF)."""
    if number is None or not -0x8000 <= number <= _MAX_CODE_POINT:
        raise RtfError("it has a control word with an impossible number")
    return number + 0x10000 if number < 0 else number


def _decode(run: bytes, page: str) -> str:
    """8-bit text outside \\'xx: raw UTF-8 from some writers, else the current code page (the spec)."""
    try:
        return run.decode("utf-8")
    except UnicodeDecodeError:
        return run.decode(page, "replace")
