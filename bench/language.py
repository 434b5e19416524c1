"""Language: top-1 accuracy on paragraphs in ten languages, and what detection costs (time, memory).

Two ways to use py3langid's model side by side: all of its 142 labels with macrolanguages mapped
to ISO 639-1 (ours: worker.language), and the model restricted to its two-letter labels.
"""

from __future__ import annotations

import resource
import time

from bench.common import Context, Result, median, ratio, rounded

NAME = "language"
NEEDS_STACK = False
CUTS = (None, 20, 10, 5)  # whole paragraphs, then their first N words
# Texts that have no language: the detector should name none.
NO_LANGUAGE = [
    " ".join(str(n * 7919 % 100_003) for n in range(30)),
    " ".join(f"{n:032x}" for n in range(1, 26)),
    " ".join(f"2024-0{n % 9 + 1}-1{n % 10}T12:00:00Z" for n in range(25)),
    "def main(argv):\n    for x in range(10):\n        print(x, argv[x])\n    return 0\n" * 3,
]


def restricted(text: str) -> dict | None:
    """The model limited to its two-letter labels, with the same confidence floor as ours."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from worker.language import MIN_CONFIDENCE

    global _RESTRICTED
    if _RESTRICTED is None:
        _RESTRICTED = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        _RESTRICTED.set_languages([label for label in set(_RESTRICTED.nb_classes) if len(label) == 2])
    code, probability = _RESTRICTED.classify(text)
    return {"code": code} if probability >= MIN_CONFIDENCE else None


_RESTRICTED = None


def top1(detect, cut: int | None) -> float:
    from tests.languages import PARAGRAPHS

    cases = [(code, text) for code, texts in PARAGRAPHS.items() for text in texts]
    hits = sum((detect(" ".join(text.split()[:cut])) or {}).get("code") == code for code, text in cases)
    return hits / len(cases)


def timed(detect, sample: str, times: int) -> list[float]:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        detect(sample)
        spent.append(time.perf_counter() - start)
    return spent


def run(ctx: Context) -> Result:
    from tests.languages import PARAGRAPHS
    from worker import language

    result = Result(NAME)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    language.preload()
    load = time.perf_counter() - began
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    long_text = " ".join(text for texts in PARAGRAPHS.values() for text in texts) * 400  # ~900 K chars
    taken = language.TextSample()
    taken.take(long_text)
    # The sample a long file gets (its windows), and the first 16 K characters that were the sample before.
    windowed, prefix = "ms per sample (windows)", "ms per 16 K chars from the start"
    samples = {windowed: taken.text(), prefix: long_text[: 16 * 1024]}
    ways = (("ours: all labels, ISO 639-1", language.detect), ("two-letter labels only", restricted))
    for case, detect in ways:
        scores = {f"top-1 {cut or 'all'} words": rounded(top1(detect, cut), 3) for cut in CUTS}
        row = result.add(case, **scores)
        row["no-language texts left unnamed"] = f"{sum(detect(text) is None for text in NO_LANGUAGE)}/4"
        for column, sample in samples.items():
            row[column] = rounded(median(timed(detect, sample, ctx.pick(20, 5))) * 1000, 2)
    result.notes.append(
        f"{sum(map(len, PARAGRAPHS.values()))} paragraphs of 20-40 words in {len(PARAGRAPHS)} languages "
        f"(tests/languages.py); model load {load:.2f} s, peak RSS +{rss_after - rss_before:.0f} MB"
    )
    rows = result.rows
    result.ratios = {
        "ours/two-letter ms": ratio(rows[0][windowed], rows[1][windowed]),
        "windows/16 K prefix ms": ratio(rows[0][windowed], rows[0][prefix]),
    }
    return result
