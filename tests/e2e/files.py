"""Small test files of every supported type, with the word counts the page must show."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Sample:
    name: str
    mime: str
    data: bytes
    words: int

    def payload(self) -> dict:
        """The file as Playwright's `set_input_files` takes it."""
        return {"name": self.name, "mimeType": self.mime, "buffer": self.data}


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page (xref offsets computed, no library)."""
    count = len(pages)
    font_id = 3 + 2 * count
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [{}] /Count {} >>".format(
            " ".join(f"{3 + 2 * i} 0 R" for i in range(count)), count
        ),
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({_pdf_string(text)}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_encrypted_pdf(pages: list[str], password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_rtf(text: str) -> bytes:
    body = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    header = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}\\f0\\pard "
    return (header + body + "\\par}").encode("ascii")


TXT_TEXT = "The quick brown fox jumps over the lazy dog.\nA second line, with\u00a0a no-break space.\n"
JSON_DOC = {"title": "Quarterly report", "tags": ["alpha beta", "gamma"], "count": 42, "ok": True, "n": None}
RTF_TEXT = "Rich text format is still around in some offices"
PDF_PAGES = ["First page has five words", "The second page holds six words", "Third"]


def samples() -> list[Sample]:
    """One file of each supported type."""
    return [
        Sample("notes.txt", "text/plain", TXT_TEXT.encode(), len(TXT_TEXT.split())),
        Sample("data.json", "application/json", json.dumps(JSON_DOC).encode(), 5),
        Sample("letter.rtf", "application/rtf", make_rtf(RTF_TEXT), len(RTF_TEXT.split())),
        Sample("report.pdf", "application/pdf", make_pdf(PDF_PAGES), sum(len(p.split()) for p in PDF_PAGES)),
    ]


def pdf_page_words() -> list[int]:
    return [len(page.split()) for page in PDF_PAGES]


def encrypted_pdf() -> Sample:
    return Sample("locked.pdf", "application/pdf", make_encrypted_pdf(["Top secret words"]), 0)
