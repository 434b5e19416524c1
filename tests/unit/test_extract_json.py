"""JSON files: only string values count, each on its own; hostile documents fail with a code."""

from __future__ import annotations

import codecs
import pathlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from tests.builders import json_counts, make_big_integer_json, make_deep_json, make_json
from worker.extract.jsonfile import analyze_json

LIMITS = Limits()
VALUE = {
    "title": "Hello  wide\u00a0world",
    "keys are not counted": ["a b", 3, 4.5, True, None, {"k": "c\nd"}],
}


def count(tmp_path: pathlib.Path, data: bytes, limits: Limits = LIMITS) -> dict:
    path = tmp_path / "f.json"
    path.write_bytes(data)
    return analyze_json(path, limits)


def fails(tmp_path: pathlib.Path, data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(JobError) as error:
        count(tmp_path, data, limits)
    assert "/" not in error.value.message and "Traceback" not in error.value.message
    return error.value.code


def test_only_string_values_count(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, make_json(VALUE)) == {"words": 7, "characters": 23, "lines": 4}
    assert json_counts(VALUE) == {"words": 7, "characters": 23, "lines": 4}


def test_words_never_join_across_strings(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, b'["ab", "cd", "", " "]')["words"] == 2


@pytest.mark.parametrize(
    ("data", "words"), [(b'"top level string"', 3), (b"42", 0), (b"null", 0), (b"[]", 0)]
)
def test_top_level_scalars(tmp_path: pathlib.Path, data: bytes, words: int) -> None:
    assert count(tmp_path, data)["words"] == words


def test_duplicate_keys_count_every_value(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, b'{"a": "one two", "a": "three"}')["words"] == 3


@pytest.mark.parametrize("digits", [4_300, 4_301, 70_000, 5_000_000])
def test_huge_integers_are_not_counted_and_do_not_crash(tmp_path: pathlib.Path, digits: int) -> None:
    # 70,000 digits span ijson's read buffer: int() failing there used to crash the process.
    assert count(tmp_path, make_big_integer_json(digits)) == {"words": 2, "characters": 9, "lines": 1}
    assert count(tmp_path, b'{"n": -' + b"9" * digits + b', "s": "x"}')["words"] == 1


def test_long_digit_runs_in_strings_and_floats(tmp_path: pathlib.Path) -> None:
    digits = b"1" * 100_000
    assert count(tmp_path, b'["' + digits + b' and", ' + digits + b".5, 1e" + digits[:5] + b"]")["words"] == 2


def test_exponent_out_of_range_is_corrupt(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, b"[1e" + b"9" * 70_000 + b"]") == CORRUPT_FILE


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n",
        b"[NaN]",
        b"[Infinity]",
        b'{"a": [1, 2',
        b"[1] [2]",
        b'["a"] x',
        b"{'a': 1}",
        b'["\xff"]',
        b"[01]",
    ],
)
def test_invalid_json_is_corrupt(tmp_path: pathlib.Path, data: bytes) -> None:
    assert fails(tmp_path, data) == CORRUPT_FILE


@pytest.mark.parametrize(
    "data",
    [b"[\f]", b"\f[]", b'{"a":\f"b"}', b"[\v]", b'["a", 1' + b"0" * 5_000 + b"\f]", "[\f]".encode("utf-16")],
)
def test_form_feed_and_vertical_tab_are_not_json_whitespace(tmp_path: pathlib.Path, data: bytes) -> None:
    assert fails(tmp_path, data) == CORRUPT_FILE


def test_depth_limit(tmp_path: pathlib.Path) -> None:
    start = time.process_time()
    assert fails(tmp_path, make_deep_json(100_000)) == TOO_LARGE
    assert time.process_time() - start < 2
    assert count(tmp_path, make_deep_json(512))["words"] == 0
    assert fails(tmp_path, make_deep_json(513)) == TOO_LARGE


def test_character_limit(tmp_path: pathlib.Path) -> None:
    assert fails(tmp_path, make_json(["x" * 50, "y" * 51]), Limits(max_text_chars=100)) == TOO_LARGE


def test_forty_megabyte_string(tmp_path: pathlib.Path) -> None:
    start = time.process_time()
    result = count(tmp_path, b'{"big": "' + b"ab " * 13_400_000 + b'"}')
    assert result == {"words": 13_400_000, "characters": 40_200_000, "lines": 1}
    assert time.process_time() - start < 5


@pytest.mark.parametrize("prefix", [codecs.BOM_UTF8, b""])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "utf-16-le"])
def test_text_encodings(tmp_path: pathlib.Path, encoding: str, prefix: bytes) -> None:
    text = '{"k": ["h\u00e9llo w\u00f6rld", "😀 x"]}'
    data = (prefix if encoding == "utf-8" else b"") + text.encode(encoding)
    assert count(tmp_path, data) == {"words": 4, "characters": 14, "lines": 2}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=5), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES, indent=st.sampled_from([None, 2]))
def test_counts_match_a_reference_walk(tmp_path: pathlib.Path, value: object, indent: int | None) -> None:
    assert count(tmp_path, make_json(value, indent)) == json_counts(value)
