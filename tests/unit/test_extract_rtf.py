"""RTF files: plain text counted as readers see it; hostile control words become corrupt_file."""

from __future__ import annotations

import pathlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CORRUPT_FILE, TOO_LARGE, JobError
from core.settings import Limits
from tests.builders import expected_counts, make_rtf
from worker.extract.rtf import analyze_rtf

LIMITS = Limits()


def count(tmp_path: pathlib.Path, data: bytes, limits: Limits = LIMITS) -> dict:
    path = tmp_path / "f.rtf"
    path.write_bytes(data)
    return analyze_rtf(path, limits)


def fails(tmp_path: pathlib.Path, data: bytes) -> str:
    with pytest.raises(JobError) as error:
        count(tmp_path, data)
    assert "\\" not in error.value.message.replace("\\bin", "")  # plain sentences, no RTF source echoed
    return error.value.code


def test_plain_text_of_a_document(tmp_path: pathlib.Path) -> None:
    text = "Hello {braces} and \\backslashes\\\nnew paragraph,\ttab, caf\u00e9 \u4e2d\u6587 \U0001f600\n"
    assert count(tmp_path, make_rtf(text))["words"] == len(text.split())


def test_a_wordpad_like_document(tmp_path: pathlib.Path) -> None:
    data = (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fnil\\fcharset0 Calibri;}}\r\n"
        b"{\\*\\generator Riched20 10.0.19041}\\viewkind4\\uc1 \r\n"
        b"\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang9 Caf\\'e9 au lait\\par\r\n"
        b"Second \\b bold\\b0  line\\par\r\n}\r\n\x00"
    )
    assert count(tmp_path, data) == {"words": 6, "characters": 30, "lines": 2}


@pytest.mark.parametrize(
    "data",
    [
        b"{\\rtf1 \\u9999999999 x}",  # OverflowError in chr()
        b"{\\rtf1 \\u2000000 x}",  # ValueError in chr()
        b"{\\rtf1 {\\pict \\bin abc} x}",  # ValueError: \bin without a number
        b"{\\rtf1 {\\pict\\bin" + b"9" * 5000 + b" x} y}",  # a \bin count no file can hold
        b"{\\rtf1\\ansicpg99999 \\'e9 x}",  # unknown code page: UnicodeDecodeError
        b"{\\rtf1 \\uc x}",  # TypeError: \uc without a number
    ],
)
def test_impossible_control_words_are_corrupt(tmp_path: pathlib.Path, data: bytes) -> None:
    assert fails(tmp_path, data) == CORRUPT_FILE


@pytest.mark.parametrize(
    "data",
    [
        b"{\\rtf1 {\\b unclosed group",
        b"{\\rtf1 {\\pict\\bin999999 x} y}",  # \bin longer than the file: striprtf drops the rest
    ],
)
def test_broken_structure_is_corrupt(tmp_path: pathlib.Path, data: bytes) -> None:
    assert fails(tmp_path, data) == CORRUPT_FILE


def test_escaped_braces_and_binary_data_do_not_count_as_groups(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, b"{\\rtf1 a \\} b \\{ c \\\\}")["words"] == 6
    assert count(tmp_path, b"{\\rtf1 {\\pict\\bin3 }}}} after}")["words"] == 1


def test_bom_and_whitespace_before_the_document(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, b"\xef\xbb\xbf \r\n{\\rtf1 two words}")["words"] == 2


def test_deep_groups_are_fine(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, b"{\\rtf1 " + b"{" * 50_000 + b"x" + b"}" * 50_000 + b"}")["words"] == 1


def test_character_limit(tmp_path: pathlib.Path) -> None:
    with pytest.raises(JobError) as error:
        count(tmp_path, make_rtf("word " * 100), Limits(max_text_chars=100))
    assert error.value.code == TOO_LARGE


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(blacklist_categories=["Cs"]) | st.sampled_from(" \n\t\r{}\\"), max_size=120)
)
def test_escaped_plain_text_keeps_its_words(tmp_path: pathlib.Path, text: str) -> None:
    assert count(tmp_path, make_rtf(text))["words"] == expected_counts(text)["words"]


@pytest.mark.parametrize(
    "data",
    [
        # striprtf's hyperlink regex: minutes for many fields on one line.
        b"{\\rtf1 " + b'{\\field{\\*\\fldinst{HYPERLINK "a" }' * 3000 + b"}}" * 3000 + b" x}",
        # its font table regex: minutes for entries without \fcharset or ';'.
        b"{\\rtf1{\\fonttbl" + b"\\f1 \\fcharset0" * 3000 + b"} x}",
        b"{\\rtf1{\\fonttbl" + b"\\f1 x;" * 30000 + b"} x}",
    ],
)
def test_constructs_that_made_striprtf_backtrack_are_quick(tmp_path: pathlib.Path, data: bytes) -> None:
    start = time.process_time()
    assert count(tmp_path, data)["words"] == 1
    assert time.process_time() - start < 2


def test_font_charsets_and_link_text_survive_defusing(tmp_path: pathlib.Path) -> None:
    data = (
        b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\froman\\fcharset0 Times;}"
        b"{\\f1\\fswiss\\fcharset204 Arial Cyr;}}"
        b"\\f1\\'cf\\'f0\\'e8\\'e2\\'e5\\'f2 \\f0 caf\\'e9 "
        b'{\\field{\\*\\fldinst{HYPERLINK "http://x.y/"}}{\\fldrslt{click here}}} end}'
    )
    assert count(tmp_path, data) == {"words": 5, "characters": 26, "lines": 1}
