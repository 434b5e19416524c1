"""The streaming counter equals str.split() for any text cut anywhere."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import expected_counts
from worker import count
from worker.count import Counts, StreamCounter, sum_counts, text_counts

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
# Words from ASCII, Latin, CJK and astral letters, separated by every kind of whitespace.
TEXT = st.text(
    alphabet=st.sampled_from(SPACES)
    | st.sampled_from("ab\x00\x7f\u00e9\u4e2d\U0001f600-.")
    | st.characters(),
    max_size=300,
)


def stream(text: str, size: int) -> Counts:
    counter = StreamCounter()
    for start in range(0, len(text), size):
        counter.feed(text[start : start + size])
    return counter.counts()


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every fed text into 5-character pieces, so each boundary case happens in short texts."""
    monkeypatch.setattr(count, "PIECE", 5)


def test_every_unicode_space_separates_words() -> None:
    assert count.SPACES == tuple(SPACES)
    assert len(SPACES) == 29  # \t\n\v\f\r, \x1c-\x1f, space, NEL, NBSP, U+1680, U+2000-200A...
    text = "w" + "w".join(SPACES) + "w"
    assert text_counts(text).words == len(SPACES) + 1
    assert stream(text, 3).words == len(SPACES) + 1


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x1f", "\x0b", "\x0c", "\r"])
def test_ascii_separators_that_bytes_split_misses(separator: str) -> None:
    counter = StreamCounter()
    counter.feed_utf8(f"one{separator}two{separator}three".encode(), 13)
    assert counter.counts().words == 3


@pytest.mark.parametrize(
    ("text", "words", "characters", "lines"),
    [
        ("", 0, 0, 0),
        ("\n", 0, 1, 1),
        ("a", 1, 1, 1),
        ("a\n", 1, 2, 1),
        ("a\nb", 2, 3, 2),
        ("  a  b  ", 2, 8, 1),
    ],
)
def test_counts_follow_the_contract(text: str, words: int, characters: int, lines: int) -> None:
    assert text_counts(text) == Counts(words, characters, lines)
    assert stream(text, 1) == Counts(words, characters, lines)


def test_a_word_cut_between_pieces_counts_once() -> None:
    counter = StreamCounter()
    for piece in ["hel", "lo wo", "rld", " ", "", "\u00e9t\u00e9", "\u00e9"]:
        counter.feed(piece)
    assert counter.counts().words == 3
    mixed = StreamCounter()
    mixed.feed_utf8(b"caf", 3)
    mixed.feed("\u00e9 au")
    mixed.feed_utf8(b"lait", 4)
    assert mixed.counts() == Counts(2, 11, 1)


def test_long_text_uses_pieces(small_pieces: None) -> None:
    text = "alpha beta\u3000gamma\n" * 50 + "tail"
    assert text_counts(text) == Counts(**expected_counts(text))


def test_sum_counts_never_joins_words() -> None:
    assert sum_counts([text_counts("a b"), text_counts("c\n"), text_counts("")]) == Counts(3, 5, 2)


@given(text=TEXT, size=st.integers(min_value=1, max_value=40))
def test_streaming_equals_str_split(text: str, size: int) -> None:
    assert stream(text, size) == Counts(**expected_counts(text))


@given(text=TEXT, size=st.integers(min_value=1, max_value=12), piece=st.integers(min_value=1, max_value=9))
def test_streaming_equals_str_split_for_any_piece_size(text: str, size: int, piece: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count, "PIECE", piece)
        assert stream(text, size) == Counts(**expected_counts(text))
        assert text_counts(text * 20) == Counts(**expected_counts(text * 20))


@given(data=st.binary(max_size=200).map(lambda b: bytes(x & 0x7F for x in b)), size=st.integers(1, 30))
def test_ascii_bytes_equal_str_split(data: bytes, size: int) -> None:
    counter = StreamCounter()
    for start in range(0, len(data), size):
        counter.feed_utf8(data[start : start + size], len(data[start : start + size]))
    assert counter.counts() == Counts(**expected_counts(data.decode("ascii")))


@given(text=TEXT, piece=st.integers(min_value=1, max_value=9))
def test_utf8_bytes_cut_anywhere_by_pieces(text: str, piece: int) -> None:
    # Cuts between the bytes of one multi-byte space (U+3000 is 3 bytes) must not hide it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count, "PIECE", piece)
        counter = StreamCounter()
        counter.feed_utf8(text.encode("utf-8", "surrogatepass"), len(text))
        assert counter.counts() == Counts(**expected_counts(text))
