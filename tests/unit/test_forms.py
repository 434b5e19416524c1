"""functions.forms finds boundaries exactly as werkzeug's expressions do, and parses forms as it does."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data
from werkzeug.sansio.multipart import LINE_BREAK

from functions import forms

BOUNDARY = st.binary(min_size=1, max_size=12).filter(lambda b: b"\r" not in b and b"\n" not in b)
PIECES = st.sampled_from([b"\r\n", b"\n", b"\r", b"--", b" ", b"\t", b"x", b"-", b"\r\n--"])


def werkzeug_expression(boundary: bytes, optional: bool) -> re.Pattern[bytes]:
    """The expression werkzeug 3.1's MultipartDecoder compiles (preamble: optional line break)."""
    before = LINE_BREAK + (b"?" if optional else b"")
    return re.compile(
        rb"%s--%s(--[^\S\n\r]*%s?|[^\S\n\r]*%s)" % (before, re.escape(boundary), LINE_BREAK, LINE_BREAK),
        re.MULTILINE,
    )


MARK = b"<boundary>"


@settings(max_examples=500, deadline=None)
@given(boundary=BOUNDARY, pieces=st.lists(st.one_of(PIECES, st.just(MARK)), max_size=14),
       pos=st.integers(0, 6), optional=st.booleans())  # fmt: skip
def test_the_boundary_search_finds_what_werkzeugs_expression_finds(boundary, pieces, pos, optional):
    data = b"".join(b"--" + boundary if piece == MARK else piece for piece in pieces)
    expected = werkzeug_expression(boundary, optional).search(data, pos)
    found = forms.BoundarySearch(boundary, optional).search(data, pos)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.start(), found.end(), found.group(1)) == (
            expected.start(),
            expected.end(),
            expected.group(1),
        )


def body(boundary: str, parts: list[tuple[str, str | None, bytes]], newline: str = "\r\n") -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}{newline}Content-Disposition: {disposition}{newline}{newline}".encode()
        out += data + newline.encode()
    return out + f"--{boundary}--{newline}".encode()


def werkzeug_parse(boundary: str, data: bytes) -> tuple[list, list]:
    environ = {
        "REQUEST_METHOD": "POST", "CONTENT_TYPE": f'multipart/form-data; boundary="{boundary}"',
        "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
    }  # fmt: skip
    _, form, files = parse_form_data(environ, silent=False)
    return list(form.items(multi=True)), [(k, v.filename, v.read()) for k, v in files.items(multi=True)]


def ours(boundary: str, data: bytes) -> tuple[list, list]:
    form, files = forms.parse(io.BytesIO(data), boundary.encode(), None, None)
    return list(form.items(multi=True)), [(k, v.filename, v.read()) for k, v in files.items(multi=True)]


CONTENT = st.binary(max_size=300).map(lambda b: b.replace(b"--", b"-x"))


@settings(max_examples=150, deadline=None)
@given(
    boundary=st.text("abcXYZ0129-_'()+,./:=?", min_size=1, max_size=40).filter(lambda b: not b.endswith(" ")),
    parts=st.lists(st.tuples(st.sampled_from(["file", "callback_url", "x"]), st.one_of(st.none(),
                   st.sampled_from(["a.txt", "b c.pdf"])), CONTENT), min_size=1, max_size=5),
    newline=st.sampled_from(["\r\n", "\n"]),
)  # fmt: skip
def test_forms_parse_as_werkzeug_parses(boundary, parts, newline):
    data = body(boundary, parts, newline)
    assert ours(boundary, data) == werkzeug_parse(boundary, data)


def test_a_large_file_is_read_across_chunks_and_spooled_to_disk():
    data = body("b0undary", [("file", "big.txt", b"0123456789" * 100_000), ("callback_url", None, b"u")])
    assert ours("b0undary", data) == werkzeug_parse("b0undary", data)


def test_a_truncated_body_is_malformed_and_too_many_parts_too_large():
    data = body("bnd", [("file", "a.txt", b"abc")])
    with pytest.raises(ValueError):
        forms.parse(io.BytesIO(data[:-12]), b"bnd", None, None)
    with pytest.raises(RequestEntityTooLarge):
        forms.parse(io.BytesIO(body("bnd", [("file", "a.txt", b"x")] * 5)), b"bnd", 3, None)
