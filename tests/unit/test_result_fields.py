"""The richer result: sha256 while streaming, reading_minutes, pages_without_text."""

from __future__ import annotations

import hashlib
import io
import pathlib

import pytest

from core.models import Result
from core.settings import Limits
from tests.builders import make_scanned_pdf
from worker.analyze import analyze, completed
from worker.fanout import assemble
from worker.fetch import fetched

LIMITS = Limits()


class Body:
    """A botocore StreamingBody's iter_chunks, over bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def iter_chunks(self, size: int):
        stream = io.BytesIO(self.data)
        while chunk := stream.read(size):
            yield chunk

    def close(self) -> None:
        return None


class S3:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def get_object(self, **params):
        return {"ContentLength": len(self.data), "Body": Body(self.data)}


def test_sha256_is_hashed_while_streaming() -> None:
    data = b"x" * (3 << 20) + b"tail"
    with fetched(S3(data), {"bucket": "b", "key": "k"}, 10 << 20) as (path, sha256):
        assert sha256 == hashlib.sha256(data).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 0.0), (119, 0.5), (238, 1.0), (1000, 4.2), (23_800, 100.0)]
)
def test_reading_minutes_is_words_over_238_to_one_decimal(words: int, minutes: float) -> None:
    analysis = completed({"words": words, "characters": 0}, "ab" * 32)
    assert analysis["reading_minutes"] == minutes and analysis["sha256"] == "ab" * 32
    Result(**analysis)


def write(tmp_path: pathlib.Path, name: str, data: bytes) -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pages_that_draw_an_image_but_have_no_text(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "scan.pdf", make_scanned_pdf(["a text page", None, "", None]))
    result = analyze(path, "pdf", LIMITS)
    assert result["page_words"] == [3, 0, 0, 0] and result["pages_without_text"] == [2, 4]
    part = analyze(path, "pdf", LIMITS, (2, 4))
    assert part["pages_without_text"] == [4]


def test_pages_without_text_of_a_fanned_out_pdf_in_page_order() -> None:
    parts = [
        {"start": 100, "counts": [[0, 0, 0], [2, 9, 1]], "pages_without_text": [101], "sha256": "c" * 64},
        {"start": 0, "counts": [[0, 0, 0]] * 100, "pages_without_text": [1, 50], "sha256": "c" * 64},
    ]
    analysis = assemble(parts)
    assert analysis["pages_without_text"] == [1, 50, 101] and analysis["pages"] == 102
    assert analysis["sha256"] == "c" * 64 and analysis["reading_minutes"] == 0.0
