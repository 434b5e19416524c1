"""The default PDF engine: pypdf, decrypting with the empty password if need be."""

from __future__ import annotations

import contextlib
import pathlib
import re
import struct
import zlib
from collections.abc import Iterator

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    DeprecationError,
    FileNotDecryptedError,
    LimitReachedError,
    PyPdfError,
)

from core.errors import CORRUPT_FILE, ENCRYPTED_PDF, TOO_LARGE, JobError
from worker.extract.pdf import FORM_DEPTH

_CORRUPT = "The PDF file is damaged and cannot be read."
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")
_PAINT = re.compile(rb"\sDo(?:\s|$)")


class PypdfDocument:
    """An open PDF read with pypdf: page count, each page's text, whether a page draws an image."""

    def __init__(self, reader: PdfReader) -> None:
        self.reader = reader
        self.page_count = len(reader.pages)

    def text(self, index: int) -> str:
        return self.reader.pages[index].extract_text()

    def draws_image(self, index: int) -> bool:
        return draws_image(self.reader.pages[index])

    def close(self) -> None:
        self.reader.close()


def open_document(path: pathlib.Path) -> PypdfDocument:
    """The PDF, decrypted with the empty user password if it is encrypted; JobError if it is locked."""
    reader = PdfReader(path)
    if reader.is_encrypted and _decrypt(reader) == PasswordType.NOT_DECRYPTED:
        raise JobError(ENCRYPTED_PDF, "The PDF is protected by a password.")
    return PypdfDocument(reader)


def _decrypt(reader: PdfReader) -> PasswordType:
    """Try the empty user password, which opens PDFs that are only restricted, not locked."""
    try:
        return reader.decrypt("")
    except (NotImplementedError, DependencyError):  # an algorithm pypdf (or its crypto library) lacks
        raise JobError(ENCRYPTED_PDF, "The PDF is encrypted in a way that cannot be opened.") from None


def draws_image(page: PageObject) -> bool:
    """Does the page paint an image XObject (directly or in a form) or hold an inline image?"""
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    if _INLINE_IMAGE.search(data):
        return True
    return _PAINT.search(data) is not None and _has_image(page.get("/Resources"), depth=0)


def _has_image(resources: object, depth: int) -> bool:
    resources = getattr(resources, "get_object", lambda: resources)()
    if not isinstance(resources, dict) or depth > FORM_DEPTH:
        return False
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for reference in xobjects.values() if isinstance(xobjects, dict) else ():
        xobject = reference.get_object()
        subtype = xobject.get("/Subtype") if isinstance(xobject, dict) else None
        if subtype == "/Image" or (subtype == "/Form" and _has_image(xobject.get("/Resources"), depth + 1)):
            return True
    return False


# pypdf documents that broken files "might cause other Exceptions" than its own: these are the ones
# its parsing code can raise (DeprecationError: abbreviated filter names pypdf 7 dropped). Not a bare
# `Exception`: an RQ job timeout is one and must pass through.
_BROKEN = (
    PyPdfError, DeprecationError, RecursionError, ArithmeticError, AssertionError, AttributeError,
    EOFError, LookupError, NotImplementedError, TypeError, ValueError, struct.error, zlib.error,
)  # fmt: skip


@contextlib.contextmanager
def errors() -> Iterator[None]:
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
