"""Do a file's first bytes agree with its extension? Catches a PNG named .txt before any parsing."""

from __future__ import annotations

import codecs
import re

from core.errors import CONTENT_MISMATCH, UNSUPPORTED_TYPE, JobError

HEAD_BYTES = 8192  # how much of the start of a file sniff() wants to see

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Formats whose magic is plain ASCII carry extra binary bytes in the pattern, so text can't match.
_SIGNATURES = re.compile(
    rb"\x89PNG\r\n\x1a\n|\xff\xd8\xff|GIF8[79]a|%PDF-|PK[\x03\x05\x07][\x04\x06\x08]|\x1f\x8b"
    rb"|BZh[1-9](?:\x31\x41\x59\x26\x53\x59|\x17\x72\x45\x38\x50\x90)|7z\xbc\xaf\x27\x1c|\xfd7zXZ\x00"
    rb"|\x28\xb5\x2f\xfd|Rar!\x1a\x07|\x7fELF|MZ[\x00-\xff]{0,62}\x00|RIFF[\x00-\xff]{4}(?:WAVE|AVI |WEBP)"
    rb"|OggS\x00|\x00asm|SQLite format 3\x00|[\x00-\xff]{4}ftyp|\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    rb"|\xca\xfe\xba\xbe|\xcf\xfa\xed\xfe|\xfe\xed\xfa[\xce\xcf]|II\*\x00|MM\x00\*|\x1aE\xdf\xa3"
    rb"|ID3[\x02-\x04]\x00|fLaC\x00|BM[\x00-\xff]{4}\x00\x00\x00\x00|\x00\x00\x01[\xb3\xba]|wOF[F2]"
)
# C0 controls that never appear in text (tab, newlines, form feed, ESC and \x1c-\x1f may).
_CONTROL = bytes(range(0x01, 0x09)) + bytes(range(0x0E, 0x1B)) + b"\x7f"
_JSON_START = frozenset(b'{["-0123456789tfn')
_NUL_CODECS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")


def sniff(head: bytes, file_type: str) -> None:
    """Raise JobError(content_mismatch) when `head`, the first bytes of a file, can't be a `file_type`."""
    checks = {"txt": _is_text, "json": _is_json, "rtf": _is_rtf, "pdf": _is_pdf}
    if file_type not in checks:
        raise JobError(UNSUPPORTED_TYPE, f"Files of type {file_type!r} are not supported.")
    if not checks[file_type](head):
        article = "an" if file_type == "rtf" else "a"
        raise JobError(CONTENT_MISMATCH, f"The file's content is not {article} {file_type.upper()} document.")


def bom_encoding(head: bytes) -> str | None:
    """The Python codec named by a byte order mark at the start of `head`, if any."""
    return next((name for bom, name in BOMS if head.startswith(bom)), None)


def nul_codec(head: bytes) -> str | None:
    """A BOM-less UTF-16/32 codec under which `head`, a fifth or more NULs, decodes to plausible text."""
    if head.count(b"\x00") * 5 < len(head):  # UTF-16/32 of mostly ASCII text is at least half NULs
        return None
    readings = {}
    for name in _NUL_CODECS:
        unit = 4 if "32" in name else 2
        try:
            text = codecs.getincrementaldecoder(name)().decode(head[: len(head) - len(head) % unit])
        except UnicodeDecodeError:
            continue
        if text and "\x00" not in text and _few_controls(text.encode("utf-8", "replace")):
            readings[name] = text
    # Read with the wrong byte order, ASCII letters become CJK ones: the right order has more ASCII.
    return max(readings, key=lambda name: len(readings[name].encode("ascii", "ignore")), default=None)


def signature(head: bytes) -> bool:
    """Does `head` start with the magic bytes of a known binary format?"""
    return _SIGNATURES.match(head) is not None


def _few_controls(data: bytes) -> bool:
    return (len(data) - len(data.translate(None, _CONTROL))) * 20 <= len(data)


def _is_text(head: bytes) -> bool:
    if bom_encoding(head):
        return True
    if signature(head):
        return False
    if b"\x00" in head:
        return nul_codec(head) is not None
    return _few_controls(head)


def _text_start(head: bytes) -> bytes:
    """The first bytes after a BOM and leading whitespace, as UTF-8 (decoded from UTF-16/32 if need be)."""
    codec = bom_encoding(head) or nul_codec(head)
    if codec and codec != "utf-8-sig":
        head = codecs.getincrementaldecoder(codec)(errors="replace").decode(head[:512]).encode()
    return head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")


def _is_json(head: bytes) -> bool:
    if signature(head):
        return False
    start = _text_start(head)
    # An empty document is not a mismatch but invalid JSON: the parser reports it as corrupt.
    return not start or start[0] in _JSON_START


def _is_rtf(head: bytes) -> bool:
    return _text_start(head).startswith(b"{\\rtf")


def _is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]
