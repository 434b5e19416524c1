"""Text files: encodings found, decoded in small chunks, counted exactly."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CONTENT_MISMATCH, TOO_LARGE, JobError
from core.settings import Limits
from tests.builders import expected_counts, make_txt
from worker.extract.txt import analyze_txt

LIMITS = Limits()
TEXT = "Grüße, wide\u00a0world!\u3000 Ünïcödé\ttabs\x1cand\u2028more 😀 emoji\nsecond line\r\nthird\n"
ENCODED = [
    # (encoding, bom, what the result must name)
    ("utf-8", False, "utf-8"),
    ("utf-8", True, "utf-8-sig"),
    ("utf-16-le", True, "utf-16"),
    ("utf-16-be", True, "utf-16"),
    ("utf-32-le", True, "utf-32"),
    ("utf-32-be", True, "utf-32"),
    ("utf-16-le", False, "utf-16-le"),
    ("utf-16-be", False, "utf-16-be"),
]


def write(path: pathlib.Path, data: bytes) -> pathlib.Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("encoding", "bom", "name"), ENCODED)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 64 * 1024])
def test_unicode_encodings_in_any_chunk_size(
    tmp_path: pathlib.Path, encoding: str, bom: bool, name: str, chunk_size: int
) -> None:
    path = write(tmp_path / "a.txt", make_txt(TEXT, encoding, bom))
    assert analyze_txt(path, LIMITS, chunk_size) == {**expected_counts(TEXT), "encoding": name}


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        ("Café crème brûlée à la carte, naïve façade.\n" * 3, "latin-1", "cp1252"),
        ("Der Bär läuft über die Straße – „schön“ sagt er.", "cp1252", "cp1252"),
        ("Привет мир, как дела? Всё хорошо, спасибо. " * 5, "cp1251", "cp1251"),
    ],
)
def test_legacy_encodings_are_detected(
    tmp_path: pathlib.Path, text: str, encoding: str, detected: str
) -> None:
    path = write(tmp_path / "a.txt", make_txt(text, encoding))
    assert analyze_txt(path, LIMITS, 7) == {**expected_counts(text), "encoding": detected}


def test_utf8_failing_deep_in_the_file_restarts_with_detection(tmp_path: pathlib.Path) -> None:
    text = "plain ascii words " * 20_000 + "then café and crème\n"
    path = write(tmp_path / "late.txt", make_txt(text, "latin-1"))
    assert analyze_txt(path, LIMITS, 4096) == {**expected_counts(text), "encoding": "cp1252"}


def test_empty_file_has_no_words(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "empty.txt", b"")
    assert analyze_txt(path, LIMITS) == {"words": 0, "characters": 0, "lines": 0, "encoding": "utf-8"}


def test_bom_only(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "bom.txt", make_txt("", "utf-16-le", bom=True))
    assert analyze_txt(path, LIMITS) == {"words": 0, "characters": 0, "lines": 0, "encoding": "utf-16"}


def test_text_over_the_character_limit_is_too_large(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "big.txt", b"word " * 1000)
    with pytest.raises(JobError) as error:
        analyze_txt(path, Limits(max_text_chars=4999), 512)
    assert error.value.code == TOO_LARGE


def test_broken_utf16_is_a_mismatch(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "bad.txt", make_txt("ok", "utf-16-le", bom=True) + b"\x00\xd8")  # lone surrogate
    with pytest.raises(JobError) as error:
        analyze_txt(path, LIMITS)
    assert error.value.code == CONTENT_MISMATCH
    assert "/" not in error.value.message


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # NULs would read as BOM-less UTF-16 and a leading U+FEFF as a BOM: both ambiguous by nature.
    text=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\ufeff"), max_size=200)
    | st.text(" \n\u00a0\u3000\x1fab", max_size=50),
    choice=st.sampled_from(ENCODED[:6]),
    chunk_size=st.integers(min_value=1, max_value=17),
)
def test_any_text_any_chunking(tmp_path: pathlib.Path, text: str, choice: tuple, chunk_size: int) -> None:
    encoding, bom, name = choice
    path = write(tmp_path / "h.txt", make_txt(text, encoding, bom))
    assert analyze_txt(path, LIMITS, chunk_size) == {**expected_counts(text), "encoding": name}
