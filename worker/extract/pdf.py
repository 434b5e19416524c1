"""PDF: open with pypdf, decrypt with the empty password if need be, count page by page."""

from __future__ import annotations

import contextlib
import pathlib
import re
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    DeprecationError,
    FileNotDecryptedError,
    LimitReachedError,
    PyPdfError,
)

from core.errors import CORRUPT_FILE, ENCRYPTED_PDF, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import Counts, sum_counts, text_counts

TAIL_BYTES = 2048  # a complete PDF ends with %%EOF within its last bytes (before any padding)
PADDING_READ_BYTES = 64 * 1024
_PADDING = b"\x00 \t\r\n\x0c"
_CORRUPT = "The PDF file is damaged and cannot be read."
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")
_PAINT = re.compile(rb"\sDo(?:\s|$)")
_FORM_DEPTH = 3  # forms nested deeper than this are not searched for images


def analyze_pdf(path: pathlib.Path, limits: Limits) -> dict:
    """Count every page of a PDF: {"words", "characters", "lines", "pages", "page_words"}."""
    with _pdf_errors():
        reader = _open(path, limits)
        pages = _count_pages(reader, 0, None, limits)
        scans = pages_without_text(reader, 0, pages)
    total = sum_counts(pages)
    return {
        **total._asdict(),
        "pages": len(pages),
        "page_words": [page.words for page in pages],
        "pages_without_text": scans,
    }


def pdf_page_count(path: pathlib.Path, limits: Limits | None = None) -> int:
    """How many pages the PDF has (raises JobError like analyze_pdf for bad files)."""
    with _pdf_errors():
        return len(_open(path, limits or Limits()).pages)


def analyze_pdf_pages(path: pathlib.Path, start: int, stop: int | None, limits: Limits) -> list[Counts]:
    """Counts of pages[start:stop], one page at a time."""
    with _pdf_errors():
        return _count_pages(_open(path, limits), start, stop, limits)


def analyze_pdf_range(path: pathlib.Path, start: int, stop: int, limits: Limits) -> dict:
    """One part of a fan-out over pages: the page count and the counts of pages[start:stop]."""
    with _pdf_errors():
        reader = _open(path, limits)
        counts = _count_pages(reader, start, stop, limits)
        return {
            "page_count": len(reader.pages),
            "start": start,
            "counts": [list(c) for c in counts],
            "pages_without_text": pages_without_text(reader, start, counts),
        }


def _count_pages(reader: PdfReader, start: int, stop: int | None, limits: Limits) -> list[Counts]:
    results: list[Counts] = []
    characters = 0
    for page in reader.pages[start:stop]:
        counts = text_counts(page.extract_text())
        characters += counts.characters
        if characters > limits.max_text_chars:
            raise JobError(TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters.")
        results.append(counts)
    return results


def pages_without_text(reader: PdfReader, start: int, counts: list[Counts]) -> list[int]:
    """Numbers (from 1) of the counted pages that have no words but draw an image: scans that need OCR."""
    return [
        start + i + 1 for i, c in enumerate(counts) if c.words == 0 and draws_image(reader.pages[start + i])
    ]


def draws_image(page: PageObject) -> bool:
    """Does the page paint an image XObject (directly or in a form) or hold an inline image?"""
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    if _INLINE_IMAGE.search(data):
        return True
    return _PAINT.search(data) is not None and _has_image(page.get("/Resources"), depth=0)


def _has_image(resources: object, depth: int) -> bool:
    resources = getattr(resources, "get_object", lambda: resources)()
    if not isinstance(resources, dict) or depth > _FORM_DEPTH:
        return False
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for reference in xobjects.values() if isinstance(xobjects, dict) else ():
        xobject = reference.get_object()
        subtype = xobject.get("/Subtype") if isinstance(xobject, dict) else None
        if subtype == "/Image" or (subtype == "/Form" and _has_image(xobject.get("/Resources"), depth + 1)):
            return True
    return False


def _open(path: pathlib.Path, limits: Limits) -> PdfReader:
    _check_complete(path)
    reader = PdfReader(path)
    if reader.is_encrypted and _decrypt(reader) == PasswordType.NOT_DECRYPTED:
        raise JobError(ENCRYPTED_PDF, "The PDF is protected by a password.")
    if len(reader.pages) > limits.max_pdf_pages:
        raise JobError(TOO_LARGE, f"The PDF has more than {limits.max_pdf_pages:,} pages.")
    return reader


def _decrypt(reader: PdfReader) -> PasswordType:
    """Try the empty user password, which opens PDFs that are only restricted, not locked."""
    try:
        return reader.decrypt("")
    except (NotImplementedError, DependencyError):  # an algorithm pypdf (or its crypto library) lacks
        raise JobError(ENCRYPTED_PDF, "The PDF is encrypted in a way that cannot be opened.") from None


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


# pypdf documents that broken files "might cause other Exceptions" than its own: these are the ones
# its parsing code can raise (DeprecationError: abbreviated filter names pypdf 7 dropped). Not a bare
# `Exception`: an RQ job timeout is one and must pass through.
_BROKEN = (
    PyPdfError, DeprecationError, RecursionError, ArithmeticError, AssertionError, AttributeError,
    EOFError, LookupError, NotImplementedError, TypeError, ValueError, struct.error, zlib.error,
)  # fmt: skip


@contextlib.contextmanager
def _pdf_errors() -> Iterator[None]:
    """Turn what pypdf raises on hostile or broken files into contract errors."""
    try:
        yield
    except MemoryError:
        raise JobError(TOO_LARGE, "The PDF needs more memory than a worker has.") from None
    except (FileNotDecryptedError, DependencyError):
        raise JobError(ENCRYPTED_PDF, "The PDF is encrypted in a way that cannot be opened.") from None
    except LimitReachedError as error:
        if "cycl" in str(error) or "loop" in str(error):  # pypdf also reports reference loops this way
            raise JobError(CORRUPT_FILE, _CORRUPT) from None
        raise JobError(TOO_LARGE, "The PDF has content that expands beyond the processing limits.") from None
    except _BROKEN:
        raise JobError(CORRUPT_FILE, _CORRUPT) from None
