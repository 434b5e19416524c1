"""`python -m bench.children KIND PATH`: one measured piece of work in its own process; prints JSON.

Imports happen inside each kind, so a baseline never pays for our modules (and the reverse).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def linesplit(path: Path) -> dict:
    """The line.split() baseline: the original project's way of counting words."""
    with open(path, encoding="utf-8") as f:
        return {"words": sum(len(line.split()) for line in f)}


def ours_txt(path: Path) -> dict:
    """Our text path: worker.analyze when it exists, else the txt extractor and worker.count directly."""
    return ours("txt", path)


def ours(file_type: str, path: Path, pdf_engine: str | None = None) -> dict:
    import dataclasses

    from core.settings import Settings

    limits = Settings.from_env().limits
    if pdf_engine:
        limits = dataclasses.replace(limits, pdf_engine=pdf_engine)
    try:
        from worker.analyze import analyze
    except ImportError:
        if file_type != "txt":
            raise
        from worker.extract.txt import analyze_txt

        return {**analyze_txt(path, limits), "via": "worker.extract.txt"}
    return {**analyze(path, file_type, limits), "via": "worker.analyze"}


def pypdf_raw(path: Path) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(path)
    words = sum(len(page.extract_text().split()) for page in reader.pages)
    return {"pages": len(reader.pages), "words": words}


def pdfium_raw(path: Path) -> dict:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    words = 0
    for index in range(len(pdf)):
        textpage = pdf[index].get_textpage()
        words += len(textpage.get_text_range().split())
    return {"pages": len(pdf), "words": words}


def language_model() -> None:
    """What a worker loads once at start, before any job (worker.analyze.preload): not per file."""
    try:
        from worker.language import preload
    except ImportError:  # a version without language detection
        return
    preload()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def striprtf_raw(path: Path) -> dict:
    from striprtf.striprtf import rtf_to_text

    return {"words": len(rtf_to_text(path.read_bytes().decode("latin-1")).split())}


KINDS = {
    "linesplit": linesplit,
    "ours-rtf": lambda path: ours("rtf", path),
    "striprtf": striprtf_raw,
    "ours-txt": ours_txt,
    "ours-pdf": lambda path: ours("pdf", path),
    "ours-pdf-pdfium": lambda path: ours("pdf", path, "pypdfium2"),
    "pypdf": pypdf_raw,
    "pdfium": pdfium_raw,
}


# Done before the clock starts, and reported as `setup` (seconds) and `setup_rss_mb`.
SETUPS = {"ours-txt": language_model, "ours-rtf": language_model}


def main(argv: list[str]) -> int:
    kind, path = argv[0], Path(argv[1])
    began = time.perf_counter()
    SETUPS.get(kind, lambda: None)()
    setup_rss = rss_mb()
    start = time.perf_counter()
    result = KINDS[kind](path)
    inner = time.perf_counter() - start
    report = {**result, "inner": inner, "setup": start - began, "setup_rss_mb": setup_rss}
    print(json.dumps(report, default=str), flush=True)
    if kind in SETUPS:
        # A worker keeps the model for good: freeing it at exit (~0.1 s here) is no file's cost.
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
