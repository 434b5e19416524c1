"""The language of a text: py3langid's bundled model over a bounded sample of the extracted text.

The model is loaded once per process (preload() in a worker, before the parsing child is forked, so
every child shares its pages) and detection reads at most SAMPLE_CHARS characters of any file.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# The contract: only texts of at least this many words get a language.
MIN_WORDS = 20
# 16 K characters take 3-15 ms to classify here (bench/language.py); accuracy on prose stops
# moving within a paragraph, and a text's first 16 K characters are rarely all boilerplate.
SAMPLE_CHARS = 16 * 1024
# Real paragraphs of 20+ words score >= 0.9 (tests/unit/test_language.py); on dates, emoji or code
# the best class scores <= 0.2. Below this the model is guessing, so the result names no language.
MIN_CONFIDENCE = 0.5
# Labels of the model that are individual languages of an ISO 639-1 macrolanguage. The model's other
# three-letter labels (Ligurian, Nigerian Pidgin, Ancient Greek...) have no ISO 639-1 code, and
# `zxx` means "no linguistic content": those texts get no language.
MACROLANGUAGES = {
    "ary": "ar", "arz": "ar", "fuv": "ff", "gug": "gn", "kik": "ki", "ltg": "lv", "sdh": "ku",
    "uzs": "uz", "wuu": "zh", "yue": "zh",
}  # fmt: skip


class Language(TypedDict):
    """`language` in a result: an ISO 639-1 code and the model's probability for it."""

    code: str
    confidence: float


class TextSample:
    """The first `limit` characters of a text that arrives in pieces: memory stays flat."""

    def __init__(self, limit: int = SAMPLE_CHARS) -> None:
        self.limit = limit
        self._pieces: list[str] = []
        self.room = limit

    def take(self, text: str) -> bool:
        """Keep what fits of `text`; False once the sample is full (the caller may stop offering)."""
        if self.room > 0 and text:
            piece = text[: self.room]
            self._pieces.append(piece)
            self.room -= len(piece)
        return self.room > 0

    def take_utf8(self, data: bytes) -> bool:
        """take() for valid UTF-8 that holds whole characters; only what fits is decoded."""
        if self.room > 0 and data:
            # A character is at most 4 bytes; a cut one at the end is dropped by "ignore".
            self.take(data[: self.room * 4].decode("utf-8", "ignore"))
        return self.room > 0

    def clear(self) -> None:
        """Start over (a text file read again in another encoding)."""
        self._pieces.clear()
        self.room = self.limit

    def text(self) -> str:
        return "".join(self._pieces)


@functools.cache
def identifier() -> LanguageIdentifier:
    """The model with probabilities normalised to 0..1, loaded on first use (~1 s, ~80 MB)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def preload() -> None:
    """Load the model now, in the process that forks the parsing children."""
    identifier()


def iso_639_1(label: str) -> str | None:
    """The ISO 639-1 code of one of the model's labels, or None when the label has none."""
    if len(label) == 2 and label.isascii() and label.isalpha() and label.islower():
        return label
    return MACROLANGUAGES.get(label)


def detect(text: str) -> Language | None:
    """The language of `text`, or None when it has none the contract can name or the model is unsure."""
    label, probability = identifier().classify(text[:SAMPLE_CHARS])
    code = iso_639_1(label)
    if code is None or not probability >= MIN_CONFIDENCE:
        return None
    return {"code": code, "confidence": round(min(float(probability), 1.0), 3)}


def with_language(analysis: dict, sample: TextSample) -> dict:
    """`analysis` with `language` added when the text has MIN_WORDS words and a language is found."""
    if analysis["words"] >= MIN_WORDS and (language := detect(sample.text())) is not None:
        analysis["language"] = language
    return analysis
