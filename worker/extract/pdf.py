"""PDF: count page by page with the engine PDF_ENGINE names (pypdf, or pypdfium2), the same way for both.

The engines only open a file and give a page's text and whether it draws an image; the checks, the
limits, the counting and the result's shape live here, so the two cannot drift.
"""

from __future__ import annotations

import contextlib
import importlib
import pathlib
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import Counts, sum_counts, text_counts

ENGINES = {"pypdf": "worker.extract.pdf_pypdf", "pypdfium2": "worker.extract.pdf_pdfium"}
FORM_DEPTH = 3  # forms nested deeper than this are not searched for images
TAIL_BYTES = 2048  # a complete PDF ends with %%EOF within its last bytes (before any padding)
PADDING_READ_BYTES = 64 * 1024
_PADDING = b"\x00 \t\r\n\x0c"


class PdfDocument(Protocol):
    """An open PDF as an engine gives it."""

    page_count: int

    def text(self, index: int) -> str: ...

    def draws_image(self, index: int) -> bool: ...

    def close(self) -> None: ...


def load_engine(name: str) -> None:
    """Import an engine (and its library) now: a worker does so before it forks its parsing child."""
    importlib.import_module(ENGINES[name])


def analyze_pdf(path: pathlib.Path, limits: Limits) -> dict:
    """Count every page of a PDF: {"words", "characters", "lines", "pages", "page_words", ...}."""
    with _opened(path, limits) as document:
        pages = _count_pages(document, 0, None, limits)
        scans = _pages_without_text(document, 0, pages)
    total = sum_counts(pages)
    return {
        **total._asdict(),
        "pages": len(pages),
        "page_words": [page.words for page in pages],
        "pages_without_text": scans,
    }


def pdf_page_count(path: pathlib.Path, limits: Limits | None = None) -> int:
    """How many pages the PDF has (raises JobError like analyze_pdf for bad files)."""
    with _opened(path, limits or Limits()) as document:
        return document.page_count


def analyze_pdf_pages(path: pathlib.Path, start: int, stop: int | None, limits: Limits) -> list[Counts]:
    """Counts of pages[start:stop], one page at a time."""
    with _opened(path, limits) as document:
        return _count_pages(document, start, stop, limits)


def analyze_pdf_range(path: pathlib.Path, start: int, stop: int, limits: Limits) -> dict:
    """One part of a fan-out over pages: the page count and the counts of pages[start:stop]."""
    with _opened(path, limits) as document:
        counts = _count_pages(document, start, stop, limits)
        return {
            "page_count": document.page_count,
            "start": start,
            "counts": [list(c) for c in counts],
            "pages_without_text": _pages_without_text(document, start, counts),
        }


@contextlib.contextmanager
def _opened(path: pathlib.Path, limits: Limits) -> Iterator[PdfDocument]:
    """The open document; whatever the engine raises, here or in the caller's block, is a JobError."""
    _check_complete(path)
    engine = importlib.import_module(ENGINES[limits.pdf_engine])
    with engine.errors():
        document = engine.open_document(path)
        try:
            if document.page_count > limits.max_pdf_pages:
                raise JobError(TOO_LARGE, f"The PDF has more than {limits.max_pdf_pages:,} pages.")
            yield document
        finally:
            document.close()


def _count_pages(document: PdfDocument, start: int, stop: int | None, limits: Limits) -> list[Counts]:
    results: list[Counts] = []
    characters = 0
    for index in range(document.page_count)[start:stop]:
        counts = text_counts(document.text(index))
        characters += counts.characters
        if characters > limits.max_text_chars:
            raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
        results.append(counts)
    return results


def _pages_without_text(document: PdfDocument, start: int, counts: list[Counts]) -> list[int]:
    """Numbers (from 1) of the counted pages that have no words but draw an image: scans that need OCR."""
    return [start + i + 1 for i, c in enumerate(counts) if c.words == 0 and document.draws_image(start + i)]


def _check_complete(path: pathlib.Path) -> None:
    """A PDF cut short (a partial upload) has no %%EOF at its end: say so rather than guess.

    Padding after the marker (NULs, whitespace: some producers fill a block) is not the end.
    """
    with path.open("rb") as file:
        end = _content_end(file, path.stat().st_size)
        file.seek(max(end - TAIL_BYTES, 0))
        if b"%%EOF" not in file.read(min(end, TAIL_BYTES)):
            raise JobError(CORRUPT_FILE, "The PDF file is incomplete (it has no end marker).")


def _content_end(file: BinaryIO, size: int) -> int:
    """Where the file's content ends before trailing padding: one backward pass, linear in the padding."""
    end = size
    while end > 0:
        start = max(end - PADDING_READ_BYTES, 0)
        file.seek(start)
        content = file.read(end - start).rstrip(_PADDING)
        if content:
            return start + len(content)
        end = start
    return 0
