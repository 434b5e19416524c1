"""The hostile corpus, generated (never downloaded): each file and what it must end as."""

from __future__ import annotations

import json

from tests import builders
from tests.builders import Sample, expected_counts


def _pdf_with_page_loop() -> bytes:
    """A page tree whose Pages node lists itself among its kids."""
    return builders.assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def _pdf_with_many_pages(count: int) -> bytes:
    return builders.make_pdf(["page"] * count)


def _rtf(body: str) -> bytes:
    return ("{\\rtf1\\ansi " + body + "}").encode()


def hostile_samples(max_pdf_pages: int) -> list[Sample]:
    """Every hostile or broken file the issue names, with its code or exact counts."""
    words = "alpha beta gamma\n"
    huge_string = json.dumps({"text": "word " * 8_000_000}).encode()  # a 40 MB string
    return [
        Sample("binary.txt", builders.PNG_HEADER + bytes(range(256)) * 8, error="content_mismatch"),
        Sample("noheader.pdf", builders.make_headerless_pdf(), error="content_mismatch"),
        Sample("truncated.pdf", builders.make_truncated_pdf(), error="corrupt_file"),
        Sample("encrypted.pdf", builders.make_encrypted_pdf(), error="encrypted_pdf"),
        Sample("bomb.pdf", builders.make_flate_bomb_pdf(), error="too_large"),
        Sample("many-pages.pdf", _pdf_with_many_pages(max_pdf_pages + 1), error="too_large"),
        Sample("loop.pdf", _pdf_with_page_loop(), error="corrupt_file"),
        Sample("nested.pdf", builders.make_nested_array_pdf(), error="corrupt_file"),
        Sample("deep.json", builders.make_deep_json(100_000), error="too_large"),
        Sample("huge-string.json", huge_string, {"words": 8_000_000}),
        Sample("dupes.json", b'{"a": "one two", "a": "three", "n": 1}', {"words": 3}),
        # NaN and Infinity are not JSON (RFC 8259), whatever Python's json module accepts.
        Sample("nan.json", b'{"a": "one two", "n": NaN}', error="corrupt_file"),
        Sample("bigint.json", builders.make_big_integer_json(), {"words": 2}),
        # An unmatched '}' ends nothing (Word leaves them; every reader reads on); a cut-off file is broken.
        Sample("unbalanced.rtf", b"{\\rtf1 early} more words}", {"words": 3}),
        Sample("cut.rtf", b"{\\rtf1 {\\b cut off", error="corrupt_file"),
        Sample("formfeed.json", b"[\x0c]", error="corrupt_file"),
        Sample("padded.pdf", builders.make_pdf(["one two three"]) + b"\x00" * 20_000, {"words": 3}),
        Sample("overflow.rtf", _rtf("\\u9999999999 x"), error="corrupt_file"),
        Sample("bin.rtf", _rtf("\\bin x"), error="corrupt_file"),
        Sample("codepage.rtf", b"{\\rtf1\\ansicpg99999 \\'e9t\\'e9}", error="corrupt_file"),
        Sample("large.rtf", _rtf("many words here " * 300_000), {"words": 900_000}),
        Sample("empty.txt", b"", {"words": 0, "characters": 0}),
        Sample("empty.json", b"", error="corrupt_file"),
        Sample("empty.rtf", b"", error="content_mismatch"),
        Sample("empty.pdf", b"", error="content_mismatch"),
        Sample("utf16le.txt", builders.make_txt(words, "utf-16-le", bom=True), expected_counts(words)),
        Sample("utf16be.txt", builders.make_txt(words, "utf-16-be", bom=True), expected_counts(words)),
        Sample("utf32.txt", builders.make_txt(words, "utf-32-le", bom=True), expected_counts(words)),
        Sample("utf16-nobom.txt", words.encode("utf-16-le"), expected_counts(words)),
        # NUL bytes outside UTF-16/32 mean binary data, as grep and file(1) judge it.
        Sample("nul.txt", b"one\x00two three\n", error="content_mismatch"),
    ]


HOSTILE_NAMES = [
    "../../etc/passwd.txt",
    "nul\x00byte.txt",
    "ctrl\x07\x1b[31m.txt",
    "x" * 300 + ".txt",
    "\u202egnp.txt",
    "中文 名前.txt",
]
