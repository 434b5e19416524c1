"""The language of a text: py3langid's bundled model over a bounded sample of the extracted text.

The model is loaded once per process (preload() in a worker, before the parsing child is forked, so
every child shares its pages) and detection reads at most SAMPLE_CHARS characters of any file, taken
from a few WINDOWS of it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# The contract: only texts of at least this many words get a language.
MIN_WORDS = 20
# Where the sample is taken, as (first character, length): the start, then four short windows
# further in, so a long text that opens with boilerplate in another language (a licence, a
# Project Gutenberg header) is still named for its body. The detector walks every byte in Python
# (~0.55 CPU-ms per 1 K characters, bench/language.py), and 16 K from the start had cost more than
# all the rest of a small file's work; accuracy on prose stops moving within a paragraph
# (tests/unit/test_language.py: 50 of 50 at ten words).
WINDOWS = ((0, 400), (2 * 1024, 400), (4 * 1024, 400), (16 * 1024, 400), (64 * 1024, 400))
SAMPLE_CHARS = sum(length for _, length in WINDOWS)
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
    """The characters of a text that arrives in pieces that fall in `windows`: memory stays flat."""

    def __init__(self, windows: tuple[tuple[int, int], ...] = WINDOWS) -> None:
        self.windows = windows
        self.end = max((first + length for first, length in windows), default=0)
        self.clear()

    @classmethod
    def prefix(cls, limit: int) -> TextSample:
        """A sample of the first `limit` characters only."""
        return cls(((0, limit),))

    def take(self, text: str) -> bool:
        """Keep what of `text` falls in a window; False once past the last (the caller may stop offering)."""
        start, self.seen = self.seen, self.seen + len(text)
        for pieces, (first, length) in zip(self._pieces, self.windows):
            if first < self.seen and start < first + length:
                pieces.append(text[max(first - start, 0) : first + length - start])
        return self.seen < self.end

    def take_utf8(self, data: bytes) -> bool:
        """take() for valid UTF-8 that holds whole characters; only what can reach a window is decoded."""
        if self.seen < self.end:
            # A character is at most 4 bytes, so this covers the rest; a cut one at the end is past it.
            self.take(data[: (self.end - self.seen) * 4].decode("utf-8", "ignore"))
        return self.seen < self.end

    def clear(self) -> None:
        """Start over (a text file read again in another encoding)."""
        self._pieces: list[list[str]] = [[] for _ in self.windows]
        self.seen = 0

    def text(self) -> str:
        """The windows' characters, a line each (so no n-gram spans two of them)."""
        return "\n".join("".join(pieces) for pieces in self._pieces if pieces)


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
    """The language of `text` (a sample: the cost is linear in its length), or None when it has none the
    contract can name or the model is unsure."""
    label, probability = identifier().classify(text)
    code = iso_639_1(label)
    if code is None or not probability >= MIN_CONFIDENCE:
        return None
    return {"code": code, "confidence": round(min(float(probability), 1.0), 3)}


def with_language(analysis: dict, sample: TextSample) -> dict:
    """`analysis` with `language` added when the text has MIN_WORDS words and a language is found."""
    if analysis["words"] >= MIN_WORDS and (language := detect(sample.text())) is not None:
        analysis["language"] = language
    return analysis
