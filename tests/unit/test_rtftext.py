"""The RTF text reader: Word's stray braces, tables, per-font code pages; striprtf as an oracle."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.settings import Limits
from tests.builders import make_rtf, rtf_escape
from worker.extract.rtf import analyze_rtf
from worker.extract.rtftext import rtf_text

WORD_HEADER = (
    b"{\\rtf1\\adeflang1025\\ansi\\ansicpg1252\\uc1\\adeff0\\deff0\\stshfdbch0\\deflang1033"
    b"{\\fonttbl{\\f0\\froman\\fcharset0\\fprq2{\\*\\panose 02020603050405020304}Times New Roman;}"
    b"{\\f1\\fswiss\\fcharset204\\fprq2 Arial Cyr;}{\\f2\\fnil\\fcharset128\\fprq2 MS Mincho;}}"
    b"{\\colortbl;\\red0\\green0\\blue0;}{\\stylesheet{\\ql \\f0\\fs24 Normal;}}"
    b"{\\*\\generator Microsoft Word 16;}{\\info{\\title A title}{\\author Someone}}\\viewkind4\\uc1 \r\n"
)


def text(data: bytes) -> str:
    return "".join(rtf_text(data))


def count(tmp_path: pathlib.Path, data: bytes) -> dict:
    path = tmp_path / "f.rtf"
    path.write_bytes(data)
    return analyze_rtf(path, Limits())


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (WORD_HEADER + b"\\pard body text\\par\r\n}}\r\n", 2),  # a stray '}' after the body
        (WORD_HEADER + b"\\pard body text\\par}\r\n}\r\n\x00\x00", 2),
        (WORD_HEADER + b"{\\b bold}} and more text\\par}", 4),  # an extra '}', then text
        (b"{\\rtf1 first} and the rest", 4),
    ],
)
def test_unmatched_closing_braces_are_ignored(tmp_path: pathlib.Path, data: bytes, words: int) -> None:
    assert count(tmp_path, data)["words"] == words


def word_table(rows: list[list[str]]) -> bytes:
    """A table as Word writes it: \\trowd row properties, \\intbl cells ending in \\cell, rows in \\row."""
    body = b""
    for row in rows:
        body += b"\\trowd\\trgaph108\\cellx3000\\cellx6000\\cellx9000\\pard\\intbl "
        body += b"".join(rtf_escape(cell).encode() + b"\\cell " for cell in row) + b"\\row\r\n"
    return WORD_HEADER + body + b"\\pard\\par}"


def test_table_cells_are_words_apart(tmp_path: pathlib.Path) -> None:
    assert count(tmp_path, word_table([["Name", "Value"], ["alpha", "beta"]]))["words"] == 4
    assert count(tmp_path, word_table([["two words", "", "x"], ["", "", ""]]))["words"] == 3


def test_word_writes_cyrillic_fonts_under_ansicpg1252() -> None:
    data = WORD_HEADER + b"\\pard\\f1 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2 \\'ec\\'e8\\'f0\\f0  caf\\'e9\\par}"
    assert text(data).split() == ["Привет", "мир", "café"]


def test_double_byte_fonts_pair_their_bytes() -> None:
    # 日本語, an ideographic space (a word separator) and 日本, in Shift_JIS bytes of a \fcharset128 font.
    data = WORD_HEADER + b"\\pard\\f2 \\'93\\'fa\\'96\\'7b\\'8c\\'ea\\'81\\'40\\'93\\'fa\\'96\\'7b\\par}"
    assert text(data).split() == ["日本語", "日本"]


def test_unicode_with_its_fallback_and_surrogate_pairs() -> None:
    data = b"{\\rtf1\\uc1 a\\u1055?b \\uc2\\u1056\\'3f\\'3fc \\uc1\\u-10179?\\u-8704? \\uc0\\u1057 d}"
    assert text(data) == "aПb Рc \U0001f600 Сd"


def test_skipped_destinations_and_binary_data() -> None:
    data = (
        b"{\\rtf1{\\*\\unknownthing hidden}{\\pict\\pngblip\\bin5 }{}{}}x {\\header page}"
        b'{\\field{\\*\\fldinst HYPERLINK "http://a.b"}{\\fldrslt link text}} end}'
    )
    assert text(data).split() == ["x", "link", "text", "end"]


def test_separators_and_escapes() -> None:
    data = b"{\\rtf1 a\\tab b\\line c\\par d\\~e\\_f\\-g \\{h\\} \\\\i\\emdash j}"
    assert text(data).split() == ["a", "b", "c", "d", "e\u2011fg", "{h}", "\\i\u2014j"]


# --- striprtf as an oracle on ordinary files (no tables, no per-font code pages) -----------------


def joined_surrogates(text: str) -> str:
    """striprtf leaves \\uN pairs as two surrogates; the reader joins them into one character."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


ORDINARY = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(" \n\t{}\\"), max_size=200
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(ORDINARY, max_size=6), bold=st.booleans())
def test_same_words_as_striprtf_on_ordinary_documents(paragraphs: list[str], bold: bool) -> None:
    from striprtf.striprtf import rtf_to_text

    body = "".join(("{\\b " if bold else "{") + rtf_escape(p) + "}\\par\r\n" for p in paragraphs)
    data = WORD_HEADER + body.encode("ascii") + b"}"
    assert text(data).split() == joined_surrogates(rtf_to_text(data.decode("ascii"))).split()


def test_same_words_as_striprtf_on_a_wordpad_document() -> None:
    from striprtf.striprtf import rtf_to_text

    data = make_rtf("Grüße aus Köln — “quoted” text\n\tand a tab, 中文 😀\nlast line")
    assert text(data).split() == joined_surrogates(rtf_to_text(data.decode("ascii"))).split()
