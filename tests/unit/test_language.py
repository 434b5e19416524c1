"""Language detection: accuracy on paragraphs in ten languages, the contract's shape, the bounded sample."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import Result
from core.settings import Limits
from tests.builders import make_json, make_pdf, make_rtf, make_txt
from tests.languages import PARAGRAPHS
from worker import language
from worker.analyze import analyze
from worker.extract.txt import analyze_txt
from worker.language import MIN_WORDS, SAMPLE_CHARS, WINDOWS, TextSample, detect, with_language

LIMITS = Limits()
# ISO 639-1 as the registration authority lists it (bh, deprecated in 2021, left out).
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
    dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id
    ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu
    lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu
    rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
    ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
CASES = [(code, text) for code, texts in PARAGRAPHS.items() for text in texts]


def accuracy(cut: int | None = None) -> tuple[float, list[tuple[str, object]]]:
    """Top-1 accuracy over every paragraph (its first `cut` words), and what was missed."""
    missed = []
    for code, text in CASES:
        found = detect(" ".join(text.split()[:cut]))
        if (found or {}).get("code") != code:
            missed.append((code, found))
    return 1 - len(missed) / len(CASES), missed


def test_paragraphs_in_ten_languages_are_recognised() -> None:
    assert len(PARAGRAPHS) == 10 and all(len(text.split()) >= MIN_WORDS for _, text in CASES)
    score, missed = accuracy()
    assert score >= 0.95, f"top-1 {score:.0%} on {len(CASES)} paragraphs; missed {missed}"


def test_the_first_twenty_words_are_enough() -> None:
    score, missed = accuracy(cut=MIN_WORDS)
    assert score >= 0.95, f"top-1 {score:.0%} on 20-word texts; missed {missed}"


def test_every_code_the_model_can_give_is_iso_639_1() -> None:
    codes = {language.iso_639_1(label) for label in language.identifier().labels} - {None}
    assert codes <= ISO_639_1, codes - ISO_639_1
    assert len(codes) > 100 and {"zh", "ar", "uz"} <= codes  # macrolanguages stand for their members
    assert language.iso_639_1("zxx") is None and language.iso_639_1("pcm") is None


@pytest.mark.parametrize(
    "text",
    [
        " ".join(str(n * 7919 % 100_003) for n in range(30)),
        " ".join(f"{n:032x}" for n in range(1, 26)),
        " ".join(f"2024-0{n % 9 + 1}-1{n % 10}T12:00:00Z" for n in range(25)),
        "\U0001f600 \U0001f389 \U0001f44d \U0001f525 " * 10,
        "--- *** ... ;;; ||| +++ === ### " * 5,
    ],
    ids=["numbers", "hex ids", "timestamps", "emoji", "punctuation"],
)
def test_text_without_a_language_gets_none(text: str) -> None:
    assert detect(text) is None


def test_the_result_has_the_contract_shape() -> None:
    found = detect(PARAGRAPHS["de"][0])
    assert found is not None and set(found) == {"code", "confidence"}
    assert found["code"] == "de" and 0.9 <= found["confidence"] <= 1
    Result(words=30, characters=200, language=found)


def test_only_texts_of_twenty_words_or_more_get_a_language() -> None:
    words = PARAGRAPHS["fr"][0].split()
    for count in (MIN_WORDS - 1, MIN_WORDS):
        sample = TextSample()
        sample.take(" ".join(words[:count]))
        analysis = with_language({"words": count, "characters": 1}, sample)
        assert ("language" in analysis) == (count >= MIN_WORDS)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=300))
def test_any_text_gives_a_valid_language_or_none(text: str) -> None:
    found = detect(text)
    assert found is None or (found["code"] in ISO_639_1 and 0 <= found["confidence"] <= 1)


def windows_of(text: str, windows: tuple[tuple[int, int], ...]) -> str:
    pieces = (text[first : first + length] for first, length in windows)
    return "\n".join(piece for piece in pieces if piece)


@given(
    pieces=st.lists(st.text(max_size=40), max_size=30),
    edges=st.lists(st.integers(0, 60), min_size=2, max_size=8, unique=True).map(
        lambda edges: tuple(zip(*[iter(sorted(edges))] * 2))
    ),
)
def test_a_sample_holds_the_windows_of_the_text(pieces: list[str], edges: tuple[tuple[int, int]]) -> None:
    windows = tuple((first, end - first) for first, end in edges)
    text, utf8 = TextSample(windows), TextSample(windows)
    for piece in pieces:
        text.take(piece)
        utf8.take_utf8(piece.encode())
    assert text.text() == utf8.text() == windows_of("".join(pieces), windows)


def test_a_long_text_is_named_for_its_body_not_its_header() -> None:
    # A licence or an e-book header in English before a body in another language.
    header = (" ".join(PARAGRAPHS["en"]) * 3)[:1500]
    for code, texts in PARAGRAPHS.items():
        for size in (3000, 20_000, 100_000):
            sample = TextSample()
            sample.take(header + "\n" + ("\n".join(texts) * 400)[:size])
            assert (detect(sample.text()) or {}).get("code") == code, (code, size)


def write(tmp_path: pathlib.Path, name: str, data: bytes) -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.txt", make_txt(PARAGRAPHS["en"][1]), "en"),
        ("b.txt", make_txt(PARAGRAPHS["ru"][2], "cp1251"), "ru"),
        ("c.txt", make_txt(PARAGRAPHS["pl"][3], "utf-16-le", bom=True), "pl"),
        ("d.json", make_json({"title": "x", "body": list(PARAGRAPHS["es"]), "n": 3}), "es"),
        ("e.rtf", make_rtf(PARAGRAPHS["fr"][4]), "fr"),
    ],
)
def test_texts_of_each_type_name_their_language(
    tmp_path: pathlib.Path, name: str, data: bytes, code: str
) -> None:
    file_type = name.rsplit(".", 1)[1]
    result = analyze(write(tmp_path, name, data), file_type, LIMITS)
    assert result["language"]["code"] == code


def test_a_pdf_gets_no_language(tmp_path: pathlib.Path) -> None:
    result = analyze(write(tmp_path, "a.pdf", make_pdf([PARAGRAPHS["en"][0]])), "pdf", LIMITS)
    assert result["words"] >= MIN_WORDS and "language" not in result


def test_a_short_text_gets_no_language(tmp_path: pathlib.Path) -> None:
    result = analyze(write(tmp_path, "a.txt", make_txt("Nur ein paar deutsche Wörter hier.")), "txt", LIMITS)
    assert "language" not in result


def test_the_sample_of_a_big_file_is_bounded(tmp_path: pathlib.Path) -> None:
    sample = TextSample()
    text = (PARAGRAPHS["nl"][0] + "\n") * 30_000  # 5 MB
    analyze_txt(write(tmp_path, "big.txt", text.encode()), LIMITS, sample=sample)
    assert sample.text() == windows_of(text, WINDOWS) and len(sample.text()) < SAMPLE_CHARS + len(WINDOWS)


def test_a_text_read_again_in_another_encoding_is_sampled_once(tmp_path: pathlib.Path) -> None:
    # UTF-8 is tried first and fails past the first chunk; the cp1252 reading starts the sample over.
    text = "plain ascii words " * 3000 + "caf\u00e9 " + PARAGRAPHS["de"][0]
    sample = TextSample.prefix(100_000)
    result = analyze_txt(write(tmp_path, "latin.txt", text.encode("cp1252")), LIMITS, sample=sample)
    assert result["encoding"] != "utf-8" and sample.text() == text
