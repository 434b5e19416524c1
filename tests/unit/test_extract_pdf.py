"""PDF files: exact counts per page; damaged, locked and hostile files fail with their code."""

from __future__ import annotations

import pathlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CORRUPT_FILE, ENCRYPTED_PDF, TOO_LARGE, JobError
from core.settings import Limits
from tests.builders import (
    assemble_pdf,
    make_encrypted_pdf,
    make_flate_bomb_pdf,
    make_nested_array_pdf,
    make_pdf,
    make_truncated_pdf,
)
from worker.count import Counts
from worker.extract import pdf as pdf_module
from worker.extract.pdf import analyze_pdf, analyze_pdf_pages, pdf_page_count

LIMITS = Limits()
PAGES = ["First page has five words", "second (page) \\ has\nsix words", ""]


def write(tmp_path: pathlib.Path, data: bytes) -> pathlib.Path:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return path


def fails(tmp_path: pathlib.Path, data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(JobError) as error:
        analyze_pdf(write(tmp_path, data), limits)
    assert "/" not in error.value.message and "Traceback" not in error.value.message
    return error.value.code


@pytest.mark.parametrize("compress", [False, True])
def test_counts_every_page(tmp_path: pathlib.Path, compress: bool) -> None:
    result = analyze_pdf(write(tmp_path, make_pdf(PAGES, compress=compress)), LIMITS)
    expected = {"words": 11, "characters": 54, "lines": 3, "pages": 3, "page_words": [5, 6, 0]}
    assert result == {**expected, "pages_without_text": []}  # page 3 is empty but draws no image


def test_page_ranges_for_a_fan_out(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, make_pdf(PAGES))
    assert pdf_page_count(path) == 3
    assert [c.words for c in analyze_pdf_pages(path, 1, 3, LIMITS)] == [6, 0]
    assert analyze_pdf_pages(path, 0, 1, LIMITS) == [Counts(5, 25, 1)]


def test_empty_user_password_opens(tmp_path: pathlib.Path) -> None:
    result = analyze_pdf(write(tmp_path, make_encrypted_pdf(["open me now"], user_password="")), LIMITS)
    assert result["page_words"] == [3]


def test_password_protected(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_encrypted_pdf(["locked words"])) == ENCRYPTED_PDF


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256", "AES-256-R5"])
def test_aes_encrypted_with_an_empty_user_password_counts(tmp_path: pathlib.Path, algorithm: str) -> None:
    data = make_encrypted_pdf(["open me now"], user_password="", algorithm=algorithm)
    assert analyze_pdf(write(tmp_path, data), LIMITS)["page_words"] == [3]


def test_truncated(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_truncated_pdf()) == CORRUPT_FILE


@pytest.mark.parametrize("padding", [b"\x00" * 20_000, b"\r\n" + b"\x00" * 70_000 + b" \n"])
def test_padding_after_the_end_marker_is_read(tmp_path: pathlib.Path, padding: bytes) -> None:
    result = analyze_pdf(write(tmp_path, make_pdf(PAGES) + padding), LIMITS)
    assert result["page_words"] == [5, 6, 0]


def test_padding_does_not_hide_a_truncated_file(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_truncated_pdf() + b"\x00" * 20_000) == CORRUPT_FILE


def test_end_marker_search_is_linear_in_the_padding(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, make_truncated_pdf() + b"\x00" * (40 << 20))
    began = time.process_time()
    with pytest.raises(JobError):
        analyze_pdf(path, LIMITS)
    assert time.process_time() - began < 5  # ~0.05 s here; a quadratic search takes minutes


def test_too_many_pages(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_pdf(["a", "b", "c"]), Limits(max_pdf_pages=2)) == TOO_LARGE
    assert analyze_pdf(write(tmp_path, make_pdf(["a", "b"])), Limits(max_pdf_pages=2))["pages"] == 2


def test_character_limit(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_pdf(["x" * 60, "y" * 60]), Limits(max_text_chars=100)) == TOO_LARGE


def test_nested_arrays_recursion_is_corrupt(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_nested_array_pdf(50_000)) == CORRUPT_FILE


def test_flate_bomb_stops_quickly(tmp_path: pathlib.Path) -> None:
    data = make_flate_bomb_pdf(200_000_000)
    start = time.process_time()
    assert fails(tmp_path, data) in (TOO_LARGE, CORRUPT_FILE)
    assert time.process_time() - start < 5


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\ngarbage that is no PDF at all\n%%EOF\n",
        assemble_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [9 0 R] /Count 1 >>"]),
        assemble_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]),
        make_pdf(["x"]).replace(b"/Length", b"/Length 999999999 /Junk"),
        make_pdf(["x"], compress=True).replace(b"stream\nx", b"stream\n\x00", 1),
    ],
)
def test_broken_structures_are_corrupt_or_empty(tmp_path: pathlib.Path, data: bytes) -> None:
    # pypdf repairs what it can; whatever it cannot must come back as a contract error.
    try:
        result = analyze_pdf(write(tmp_path, data), LIMITS)
    except JobError as error:
        assert error.code in (CORRUPT_FILE, TOO_LARGE)
    else:
        assert result["words"] == sum(result["page_words"])


WORDS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=8)
PAGE = st.lists(st.lists(WORDS, max_size=6).map(" ".join), max_size=4).map("\n".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages=st.lists(PAGE, min_size=1, max_size=4))
def test_ascii_pages_count_exactly(tmp_path: pathlib.Path, pages: list[str]) -> None:
    result = analyze_pdf(write(tmp_path, make_pdf(pages)), LIMITS)
    assert result["page_words"] == [len(page.split()) for page in pages]
    assert result["words"] == sum(result["page_words"])


def test_a_job_timeout_is_not_mistaken_for_a_broken_file(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class JobTimeoutException(Exception):
        """Like RQ's: raised by a signal handler wherever the code happens to be."""

    def interrupted(text: str) -> Counts:
        raise JobTimeoutException

    monkeypatch.setattr(pdf_module, "text_counts", interrupted)
    with pytest.raises(JobTimeoutException):
        analyze_pdf(write(tmp_path, make_pdf(["a b"])), LIMITS)
