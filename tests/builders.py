"""Test files built in memory as bytes, each with the counts the contract says it must get."""

from __future__ import annotations

import codecs
import io
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def expected_counts(text: str) -> dict[str, int]:
    """The contract's counts for one text: words, characters, lines."""
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    return {"words": len(text.split()), "characters": len(text), "lines": lines}


# --- txt -------------------------------------------------------------------------------------


def make_txt(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """`text` encoded; bom=True prepends the BOM of `encoding` (utf-8, utf-16-le/-be, utf-32-le/-be)."""
    return (_BOMS[encoding] if bom else b"") + text.encode(encoding)


# --- json ------------------------------------------------------------------------------------


def make_json(value: Any, indent: int | None = None) -> bytes:
    """`value` as UTF-8 JSON; count it with json_counts(value)."""
    return json.dumps(value, ensure_ascii=False, indent=indent).encode()


def json_counts(value: Any) -> dict[str, int]:
    """Reference counts: every string value on its own, never keys, numbers, booleans or null."""
    totals = {"words": 0, "characters": 0, "lines": 0}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            for name, number in expected_counts(item).items():
                totals[name] += number
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return totals


def make_deep_json(depth: int = 100_000) -> bytes:
    """Arrays nested `depth` deep (valid JSON, no words)."""
    return b"[" * depth + b"]" * depth


def make_big_integer_json(digits: int = 4_301) -> bytes:
    """An integer longer than Python's int() accepts beside one two-word string: 2 words."""
    return b'["two words", ' + b"7" * digits + b"]"


# --- rtf -------------------------------------------------------------------------------------


def rtf_escape(text: str) -> str:
    """Plain text as an RTF body that striprtf turns back into the same words."""
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\par ")
        elif char == "\t":
            out.append("\\tab ")
        elif " " <= char <= "~":
            out.append(char)
        else:
            for unit in _utf16_units(char):
                out.append(f"\\u{unit - 0x10000 if unit >= 0x8000 else unit}?")
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def make_rtf(text: str) -> bytes:
    """A complete RTF document (font table, \\par paragraphs) whose plain text has len(text.split()) words."""
    header = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}\\f0\\fs24 "
    return (header + rtf_escape(text) + "}\n").encode("ascii")


# --- pdf -------------------------------------------------------------------------------------


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(text: str) -> bytes:
    shown = b" Tj T* ".join(_pdf_string(line) for line in text.split("\n"))
    return b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" Tj ET"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def assemble_pdf(objects: list[bytes], header: bytes = b"%PDF-1.4") -> bytes:
    """Objects 1..n (1 is the catalog) with a correct xref table, trailer and %%EOF."""
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_pdf(pages: list[str], page_extra: bytes = b"", compress: bool = False) -> bytes:
    """Text pages in Helvetica (lines shown with Tj); pypdf extracts len(page.split()) words per page.

    Text must be cp1252; `page_extra` is spliced into every page dictionary.
    """
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
    ]
    objects.append(_FONT)
    for i, text in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R %s>>" % (5 + 2 * i, page_extra)
        )
        content = _content(text)
        if compress:
            objects.append(_stream(zlib.compress(content), b"/Filter /FlateDecode "))
        else:
            objects.append(_stream(content))
    return assemble_pdf(objects)


def make_scanned_pdf(pages: list[str | None]) -> bytes:
    """A PDF whose None pages only draw an image (a scan: no text); the others are text pages."""
    image = _stream(
        b"\x00\xff\x00\xff",
        b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
    ]
    objects += [_FONT, image]
    for i, text in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >>"
            b" /XObject << /Im1 4 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)
        )
        objects.append(_stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q" if text is None else _content(text)))
    return assemble_pdf(objects)


def make_encrypted_pdf(
    pages: list[str] | None = None, user_password: str = "secret", algorithm: str = "RC4-128"
) -> bytes:
    """make_pdf(pages) encrypted by pypdf (RC4-128, AES-128, AES-256); user_password="" opens freely."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages or ["a secret page"]))))
    writer.encrypt(user_password=user_password, owner_password="owner-password", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_truncated_pdf(pages: list[str] | None = None) -> bytes:
    """The first half of a valid PDF: no xref, no %%EOF (an interrupted upload)."""
    data = make_pdf(pages or ["one two three"] * 3)
    return data[: len(data) // 2]


def make_headerless_pdf() -> bytes:
    """A PDF body whose first line is not %PDF- (content_mismatch)."""
    return make_pdf(["no header here"]).replace(b"%PDF-1.4", b"%XYZ-1.4", 1)


def make_flate_bomb_pdf(size: int = 200_000_000) -> bytes:
    """One page whose content stream inflates from about size/1000 bytes to `size` bytes."""
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    bomb = b"".join(parts) + compressor.flush()
    # With no /Resources pypdf's extract_text() returns "" without reading the content at all.
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"
    return assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page + b" /Contents 4 0 R >>",
            _stream(bomb, b"/Filter /FlateDecode "),
            _FONT,
        ]
    )


def make_nested_array_pdf(depth: int = 50_000) -> bytes:
    """One page whose dictionary holds arrays nested `depth` deep (pypdf recurses: RecursionError)."""
    return make_pdf(["deep"], page_extra=b"/Deep " + b"[" * depth + b"]" * depth + b" ")


# --- samples for integration tests -----------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A file to upload and what the job must end with: a result subset or an error code."""

    filename: str
    data: bytes
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def good_samples() -> list[Sample]:
    """One valid file per type (and txt encoding) with its exact expected counts."""
    text = "Hello wide\u00a0world,\u3000 two\tlines\nand more words here\n"
    pages = ["First page has five words", "second page\nhas four"]
    value = {"title": "A small title", "tags": ["x y", "z"], "n": 42, "ok": True, "none": None}
    return [
        Sample("plain.txt", make_txt(text), {**expected_counts(text), "encoding": "utf-8"}),
        Sample("bom.txt", make_txt(text, bom=True), {**expected_counts(text), "encoding": "utf-8-sig"}),
        Sample(
            "wide.txt", make_txt(text, "utf-16-le", bom=True), {**expected_counts(text), "encoding": "utf-16"}
        ),
        Sample(
            "latin.TXT",
            make_txt("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e0 la carte", "latin-1"),
            {"words": 6},
        ),
        Sample("data.json", make_json(value), json_counts(value)),
        Sample("doc.rtf", make_rtf("An RTF {document}\nwith six words"), {"words": 6}),
        Sample("doc.pdf", make_pdf(pages), {"words": 9, "pages": 2, "page_words": [5, 4]}),
    ]


def bad_samples() -> list[Sample]:
    """Files that must fail, with the contract error code each must get."""
    return [
        Sample("image.txt", PNG_HEADER + bytes(64), error="content_mismatch"),
        Sample("fake.pdf", make_headerless_pdf(), error="content_mismatch"),
        Sample("cut.pdf", make_truncated_pdf(), error="corrupt_file"),
        Sample("locked.pdf", make_encrypted_pdf(), error="encrypted_pdf"),
        Sample("broken.json", b'{"a": [1, 2', error="corrupt_file"),
        Sample("empty.json", b"", error="corrupt_file"),
        Sample("empty.pdf", b"", error="content_mismatch"),
        Sample("cut.rtf", b"{\\rtf1 {\\b a document cut off", error="corrupt_file"),
        Sample("deep.json", make_deep_json(), error="too_large"),
    ]
