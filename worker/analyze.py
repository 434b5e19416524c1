"""The processing core: one local file and its type in, the contract's counts or a JobError out."""

from __future__ import annotations

import importlib
import pathlib
from collections.abc import Callable

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from worker import language
from worker.sniff import HEAD_BYTES, sniff

WORDS_PER_MINUTE = 238  # average silent reading speed of adults (Brysbaert 2019)
# Imported on first use: a process that only counts text never pays ~70 ms for pypdf and friends.
# A forking worker calls preload() once instead, so no job pays it either.
EXTRACTORS = {
    "txt": "worker.extract.txt:analyze_txt",
    "json": "worker.extract.jsonfile:analyze_json",
    "rtf": "worker.extract.rtf:analyze_rtf",
    "pdf": "worker.extract.pdf:analyze_pdf",
}
# The contract names a language for these only (a PDF result has none).
LANGUAGE_TYPES = frozenset(("txt", "json", "rtf"))


def extractor(file_type: str) -> Callable[..., dict]:
    """The function that counts files of `file_type` (one of EXTRACTORS): (path, limits[, sample=])."""
    module, name = EXTRACTORS[file_type].split(":")
    return getattr(importlib.import_module(module), name)


def preload(pdf_engine: str = "pypdf") -> None:
    """Import every extractor and its parser (the PDF engine, the RTF reader, ijson, charset-normalizer)
    and load the language model now."""
    for file_type in EXTRACTORS:
        extractor(file_type)
    importlib.import_module("charset_normalizer")
    from worker.extract.pdf import load_engine

    load_engine(pdf_engine)
    language.preload()


def analyze(path: pathlib.Path, file_type: str, limits: Limits, pages: tuple[int, int] | None = None) -> dict:
    """Count the words, characters and lines of `path` read as `file_type` (txt, json, rtf, pdf).

    With `pages` (PDF only), count pages[start:stop] instead: {"page_count", "start", "counts"}.
    Raises JobError (content_mismatch, corrupt_file, encrypted_pdf, too_large) for bad files;
    OSError only if the file itself can't be read.
    """
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise JobError(TOO_LARGE, f"The file is larger than {limits.max_bytes:,} bytes.")
    with path.open("rb") as file:
        sniff(file.read(HEAD_BYTES), file_type)
    sample = language.TextSample() if file_type in LANGUAGE_TYPES else None
    try:
        if pages is not None:
            from worker.extract.pdf import analyze_pdf_range

            return analyze_pdf_range(path, pages[0], pages[1], limits)
        run = extractor(file_type)
        analysis = run(path, limits) if sample is None else run(path, limits, sample=sample)
    except (JobError, OSError):
        raise
    except MemoryError:
        raise JobError(TOO_LARGE, "The file needs more memory to process than a worker has.") from None
    except (RecursionError, ValueError, ArithmeticError, LookupError, TypeError) as exc:
        # Each extractor maps its parser's failures; this is the net for anything a parser let slip.
        # Raised in our own code, it is our bug: it propagates (internal, logged), never corrupt_file.
        if not _raised_by_parser(exc):
            raise
        raise JobError(CORRUPT_FILE, "The file is damaged and cannot be read.") from None
    # Outside the parsers' net: the detector failing would be our bug (internal), not a damaged file.
    return analysis if sample is None else language.with_language(analysis, sample)


def completed(analysis: dict, sha256: str | None) -> dict:
    """The whole file's analysis with what every result adds: `sha256` and `reading_minutes`."""
    if sha256:
        analysis["sha256"] = sha256
    analysis["reading_minutes"] = round(analysis["words"] / WORDS_PER_MINUTE, 1)
    return analysis


_ROOT = pathlib.Path(__file__).resolve().parent.parent
_OURS = tuple(f"{_ROOT / package}/" for package in ("core", "worker", "functions"))


def _raised_by_parser(exc: BaseException) -> bool:
    """Whether the innermost frame of `exc` lies outside this project (in a parser or the stdlib)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is None or not tb.tb_frame.f_code.co_filename.startswith(_OURS)
