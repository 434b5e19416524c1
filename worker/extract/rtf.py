"""RTF: check the group structure, then take the plain text with striprtf and count it."""

from __future__ import annotations

import codecs
import pathlib
import re

from striprtf.striprtf import font_table_group, rtf_to_text

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import text_counts

# Braces, the escapes that make a brace or backslash literal, and \binN (N raw bytes follow).
_TOKEN = re.compile(r"\\[\\{}]|\\bin(?![a-zA-Z])(-?\d*) ?|[{}]")
_BROKEN = "The RTF document is broken"
_FONT_ID = re.compile(r"\\f(\d+)")
_CHARSET = re.compile(r"\\fcharset(\d+)")


def analyze_rtf(path: pathlib.Path, limits: Limits) -> dict:
    """Count the plain text of an RTF file: {"words", "characters", "lines"}."""
    # striprtf needs the whole document; analyze() has already capped the file at limits.max_bytes.
    document = _decode(path.read_bytes())
    check_groups(document)
    try:
        text = rtf_to_text(defuse(document))
    except (OverflowError, ValueError, LookupError, TypeError, IndexError, RecursionError) as error:
        # \u9999999999, \bin or \uc without a number, unknown code pages (UnicodeDecodeError is a ValueError).
        raise JobError(CORRUPT_FILE, f"{_BROKEN}: {_reason(error)}.") from None
    if len(text) > limits.max_text_chars:
        raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
    return text_counts(text)._asdict()


def check_groups(document: str) -> None:
    """Raise corrupt_file unless the braces close the outer group exactly once, at the end.

    striprtf silently drops all text after an early unmatched '}' or inside a too-long \\bin.
    """
    start = len(document) - len(document.lstrip())
    depth, position = 0, start
    while match := _TOKEN.search(document, position):
        position = match.end()
        token = match.group()
        if token.startswith("\\bin"):
            position += _binary_length(match.group(1), len(document) - position)
        elif token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                break
    if match is None:
        raise JobError(CORRUPT_FILE, f"{_BROKEN}: its groups are not closed.")
    if document[position:].strip(" \t\r\n\x00"):
        raise JobError(CORRUPT_FILE, f"{_BROKEN}: text follows the end of the document.")


def defuse(document: str) -> str:
    """Rewrite the two constructs on which striprtf's regexes backtrack for minutes (a 7 KB file can).

    `{\\field {` means what `{\\field{` does but stays clear of its hyperlink regex: the link's visible
    text is counted, its URL is not (as word processors count). The font table is rebuilt as one
    `{\\fN\\fcharsetM f;}` per entry, all striprtf reads from it.
    """
    document = document.replace("{\\field{", "{\\field {")
    table = font_table_group(document)
    if not table:
        return document
    entries = []
    for entry in table.split(";"):
        font, charset = _FONT_ID.search(entry), _CHARSET.search(entry)
        if font and charset:
            entries.append(f"{{\\f{font[1]}\\fcharset{charset[1]} f;}}")
    return document.replace(table, "{\\fonttbl" + "".join(entries) + "}", 1)


def _binary_length(digits: str, remaining: int) -> int:
    if not digits.isdigit() or len(digits) > 10 or int(digits) > remaining:
        raise JobError(CORRUPT_FILE, f"{_BROKEN}: a \\bin control word has a bad length.")
    return int(digits)


def _decode(data: bytes) -> str:
    """RTF is 7-bit by the spec; some writers put raw UTF-8 in, else bytes are Latin-1 (1:1 for \\bin)."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _reason(error: BaseException) -> str:
    if isinstance(error, UnicodeError | LookupError):
        return "it uses a code page or characters that cannot be decoded"
    if isinstance(error, OverflowError | ValueError):
        return "it has a control word with an impossible number"
    return "it cannot be read"
