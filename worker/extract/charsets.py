"""Which legacy encoding a text file is in: the encodings the web uses, detected on whole characters."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import BinaryIO

from core.errors import CONTENT_MISMATCH, JobError

SAMPLE_BYTES = 32 * 1024  # per sample region handed to charset detection
_EDGE_BYTES = 1024  # how far a sample's edges may move to fall between two characters

# The legacy encodings of the WHATWG Encoding Standard (what browsers read) that the web still uses,
# as Python codecs, most used first: a tie between equally good readings goes to the earlier one.
# Left out: ISO-8859-3/4/10/14/16 and the Mac pages, so rare that they are wrong far more often than
# right (Spanish read as mac_roman, Polish as ISO-8859-10); cp1252 or cp1250 read such text instead.
WEB_ENCODINGS = (
    "cp1252", "cp1251", "cp932", "shift_jis", "gb18030", "gbk", "gb2312", "cp949", "euc_kr", "big5",
    "cp950", "cp1250", "cp1256", "cp1254", "cp1253", "cp1255", "cp1257", "cp1258", "cp874",
    "iso8859_2", "iso8859_15", "koi8_r", "koi8_u", "iso8859_5", "iso8859_7", "iso8859_8", "iso8859_9",
    "euc_jp", "cp866", "iso8859_13", "iso8859_6",
)  # fmt: skip
_RANK = {name: index for index, name in enumerate(WEB_ENCODINGS)}
# When the whole file holds a character the detected encoding lacks, its superset reads it.
WIDER = {
    "shift_jis": "cp932", "euc_kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950",
    "cp950": "big5hkscs", "iso8859_8": "cp1255", "iso8859_9": "cp1254", "iso8859_15": "cp1252",
}  # fmt: skip
# Bytes that are never the second byte of a CJK character: a cut just after one falls between two.
_NARROWER = {"cp932": "shift_jis", "cp949": "euc_kr", "gb18030": "gbk", "gbk": "gb2312", "cp950": "big5"}
_ODD = frozenset(("Cc", "So", "Sc", "Sk", "Co", "Cn"))
_SLACK = 0.01
_MULTIBYTE = frozenset(
    ("cp932", "shift_jis", "gb18030", "gbk", "gb2312", "cp949", "euc_kr", "big5", "cp950", "euc_jp")
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NEXT_TO_ASCII_LETTER = re.compile(r"[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]")
_BOUNDARY = re.compile(rb"[\x00-\x2f]")
_EBCDIC_SPACE, _ASCII_SPACE = 0x40, 0x20
_CHUNKS = 20


def detect(file: BinaryIO, bad_offset: int) -> str:
    """The encoding of a non-UTF-8 text: its Python codec name, with '-' for '_' ("cp1252", "euc-kr").

    Samples the start of the file and the place where UTF-8 failed; raises content_mismatch for text
    the contract does not promise (EBCDIC, UTF-7, no web encoding reads it).
    """
    sample = read_sample(file, bad_offset)
    if looks_ebcdic(sample):
        raise JobError(CONTENT_MISMATCH, "The file is EBCDIC text, which is not supported.")
    import charset_normalizer  # 13 ms to import, and only non-UTF-8 text needs it

    # Twenty chunks, not the default five: the chaos of a few chunks swings with where they fall, so
    # short repeated lines rich in symbols could read as chaos at one length and as text at another.
    options = {"cp_isolation": list(WEB_ENCODINGS), "steps": _CHUNKS}
    matches = list(charset_normalizer.from_bytes(sample, **options))
    if not matches:  # text rich in symbols (€, „“, –) can pass the default chaos threshold of 0.2
        matches = list(charset_normalizer.from_bytes(sample, threshold=0.4, **options))
    if not matches:
        raise JobError(CONTENT_MISMATCH, "The file is not readable text in any known encoding.")
    return _choose(matches).replace("_", "-")


def read_sample(file: BinaryIO, bad_offset: int) -> bytes:
    """The first SAMPLE_BYTES and, if UTF-8 failed later, the region around the failure: whole characters."""
    file.seek(0)
    head = file.read(SAMPLE_BYTES + _EDGE_BYTES)
    sample = _whole(head, SAMPLE_BYTES, at_start=True)
    if bad_offset >= SAMPLE_BYTES // 2:
        start = max(bad_offset - SAMPLE_BYTES // 2 - _EDGE_BYTES, 0)
        file.seek(start)
        region = file.read(SAMPLE_BYTES + 2 * _EDGE_BYTES)
        sample += b"\n" + _whole(region, SAMPLE_BYTES + _EDGE_BYTES, at_start=start == 0)
    return sample


def _whole(data: bytes, end: int, at_start: bool) -> bytes:
    """data[:end] with both edges moved (by at most _EDGE_BYTES) to just after a byte below '0'."""
    begin = 0
    if not at_start and (first := _BOUNDARY.search(data, 0, _EDGE_BYTES)):
        begin = first.end()
    if end < len(data):
        window = max(end - _EDGE_BYTES, begin)
        cuts = [match.end() for match in _BOUNDARY.finditer(data, window, end)]
        end = cuts[-1] if cuts else end
    return data[begin:end]


def looks_ebcdic(sample: bytes) -> bool:
    """EBCDIC text spaces its words with 0x40 ('@' in ASCII), which ASCII-based text rarely holds."""
    ebcdic, ascii_ = sample.count(_EBCDIC_SPACE), sample.count(_ASCII_SPACE)
    return ebcdic * 20 >= len(sample) > 0 and ascii_ * 4 < ebcdic


def _choose(matches: list) -> str:
    """The best reading: least chaos plus oddities (within 1 % or a half), multi-byte, most coherent,
    most used encoding."""
    scores = {id(match): match.chaos + _oddities(str(match), match.encoding) for match in matches}
    least = min(scores.values())
    calm = [match for match in matches if scores[id(match)] <= least + max(_SLACK, least / 2)]
    # A multi-byte encoding that reads the sample calmly is strong evidence: single-byte pages read
    # anything (EUC-KR as Thai cp874), while random high bytes rarely pair up as valid CJK.
    calm = [match for match in calm if match.encoding in _MULTIBYTE] or calm
    top = max(round(match.coherence, 2) for match in calm)
    ties = [match for match in calm if round(match.coherence, 2) == top]
    by_name = {name: match for match in ties for name in (match.encoding, *match.could_be_from_charset)}
    names = sorted(by_name.keys() & _RANK.keys(), key=_RANK.__getitem__)
    if not names:
        return ties[0].encoding
    return _narrowest(names[0], by_name[names[0]].raw)


def _oddities(text: str, encoding: str) -> float:
    """The share of non-ASCII characters that only a wrong code page gives: C1 controls and symbols
    (¶, ¤), letters of another script in a Latin word ("Bдr" for "Bär" read as cp1251), characters
    only a vendor extension has (Shift_JIS read as cp949 gives Hangul that EUC-KR lacks)."""
    chars = Counter(_NON_ASCII.findall(text))
    odd = sum(
        n for char, n in chars.items() if unicodedata.category(char) in _ODD or _extended(char, encoding)
    )
    mixed = sum(1 for pair in _NEXT_TO_ASCII_LETTER.findall(text) if not _latin(pair.strip(_ASCII_LETTERS)))
    return (odd + mixed) / max(chars.total(), 1)


def _extended(char: str, encoding: str) -> bool:
    """Is `char` written differently (or not at all) in the standard that `encoding` extends?"""
    narrow = _NARROWER.get(encoding)
    return narrow is not None and char.encode(encoding) != char.encode(narrow, "replace")


def _latin(char: str) -> bool:
    return not char.isalpha() or unicodedata.name(char, "").startswith("LATIN")


def _narrowest(name: str, sample: bytes) -> str:
    """The standard encoding (Shift_JIS) rather than its vendor superset (CP932) when both read the same."""
    while name in _NARROWER:
        try:
            if sample.decode(_NARROWER[name]) != sample.decode(name):
                break
        except UnicodeDecodeError:
            break
        name = _NARROWER[name]
    return name
