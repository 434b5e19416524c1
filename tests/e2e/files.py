"""The files the page tests upload, built with tests/builders.py, with the word counts the page must show."""

from __future__ import annotations

from dataclasses import dataclass

from tests.builders import json_counts, make_encrypted_pdf, make_json, make_pdf, make_rtf, make_txt


@dataclass(frozen=True)
class Sample:
    name: str
    mime: str
    data: bytes
    words: int

    def payload(self) -> dict:
        """The file as Playwright's `set_input_files` takes it."""
        return {"name": self.name, "mimeType": self.mime, "buffer": self.data}


TXT_TEXT = "The quick brown fox jumps over the lazy dog.\nA second line, with\u00a0a no-break space.\n"
JSON_DOC = {"title": "Quarterly report", "tags": ["alpha beta", "gamma"], "count": 42, "ok": True, "n": None}
RTF_TEXT = "Rich text format is still around in some offices"
PDF_PAGES = ["First page has five words", "The second page holds six words", "Third"]


def samples() -> list[Sample]:
    """One file of each supported type."""
    return [
        Sample("notes.txt", "text/plain", make_txt(TXT_TEXT), len(TXT_TEXT.split())),
        Sample("data.json", "application/json", make_json(JSON_DOC), json_counts(JSON_DOC)["words"]),
        Sample("letter.rtf", "application/rtf", make_rtf(RTF_TEXT), len(RTF_TEXT.split())),
        Sample("report.pdf", "application/pdf", make_pdf(PDF_PAGES), sum(pdf_page_words())),
    ]


def pdf_page_words() -> list[int]:
    return [len(page.split()) for page in PDF_PAGES]


def encrypted_pdf() -> Sample:
    return Sample("locked.pdf", "application/pdf", make_encrypted_pdf(["Top secret words"]), 0)
