"""RTF: read the plain text with the streaming reader (worker.extract.rtftext) and count it."""

from __future__ import annotations

import mmap
import pathlib

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from worker.count import StreamCounter
from worker.extract.rtftext import RtfError, rtf_text
from worker.language import TextSample

_BROKEN = "The RTF document is broken"


def analyze_rtf(path: pathlib.Path, limits: Limits, sample: TextSample | None = None) -> dict:
    """Count the plain text of an RTF file: {"words", "characters", "lines"}; `sample` gets its start."""
    if path.stat().st_size == 0:
        raise JobError(CORRUPT_FILE, f"{_BROKEN}: it is empty.")
    counter = StreamCounter()
    # Mapped, not read: memory stays flat whatever the size, and the reader never copies the file.
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            for piece in rtf_text(data):
                counter.feed(piece)
                if sample is not None and not sample.take(piece):
                    sample = None
                if counter.characters > limits.max_text_chars:
                    raise JobError(
                        TOO_LARGE, f"The text is longer than {limits.max_text_chars:,} characters."
                    )
        except RtfError as error:
            raise JobError(CORRUPT_FILE, f"{_BROKEN}: {error}.") from None
    return counter.counts()._asdict()
