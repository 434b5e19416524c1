"""The optional PDF engine (PDF_ENGINE=pypdfium2): PDFium, about twice pypdf's speed on text PDFs.

PDFium opens a PDF whose user password is empty by itself, reads the file from disk as it needs it,
and stops at 64 levels of nesting; its failures carry an error code (password, security, format).
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.errors import CORRUPT_FILE, ENCRYPTED_PDF, TOO_LARGE, JobError
from worker.extract.pdf import FORM_DEPTH

_LOCKED = {
    pdfium_c.FPDF_ERR_PASSWORD: "The PDF is protected by a password.",
    pdfium_c.FPDF_ERR_SECURITY: "The PDF is encrypted in a way that cannot be opened.",
}
_IMAGE = (pdfium_c.FPDF_PAGEOBJ_IMAGE,)


class PdfiumDocument:
    """An open PDF read with PDFium: page count, each page's text, whether a page draws an image."""

    def __init__(self, path: pathlib.Path) -> None:
        self.pdf = pdfium.PdfDocument(path)
        self.page_count = len(self.pdf)

    def text(self, index: int) -> str:
        page = self.pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                return _as_written(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()

    def draws_image(self, index: int) -> bool:
        """An image object on the page or in its forms (as deep as the pypdf engine looks)."""
        page = self.pdf[index]
        try:
            images = page.get_objects(filter=_IMAGE, max_depth=FORM_DEPTH + 1)
            return next(images, None) is not None
        finally:
            page.close()

    def close(self) -> None:
        self.pdf.close()


def _as_written(text: str) -> str:
    """PDFium's text with the line breaks the page has: it ends lines with CRLF (pypdf: LF), and it
    joins a word that ends a line with a hyphen to the next line's first word, marking the place with
    U+FFFE. Undone, so a hyphen at the end of a line separates words for both engines."""
    return text.replace("\r\n", "\n").replace("\ufffe", "-\n")


def open_document(path: pathlib.Path) -> PdfiumDocument:
    return PdfiumDocument(path)


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turn PDFium's failures into contract errors: locked, or damaged (any other failure)."""
    try:
        yield
    except MemoryError:
        raise JobError(TOO_LARGE, "The PDF needs more memory than a worker has.") from None
    except pdfium.PdfiumError as error:
        if error.err_code in _LOCKED:
            raise JobError(ENCRYPTED_PDF, _LOCKED[error.err_code]) from None
        raise JobError(CORRUPT_FILE, "The PDF file is damaged and cannot be read.") from None
