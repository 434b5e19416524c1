"""analyze(): sniffing, limits, dispatch, and only JobErrors for any bytes whatever."""

from __future__ import annotations

import pathlib
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CONTENT_MISMATCH, CORRUPT_FILE, TOO_LARGE, UNSUPPORTED_TYPE, JobError
from core.settings import Limits
from tests.builders import PNG_HEADER, bad_samples, good_samples, make_pdf, make_txt
from worker import analyze as analyze_module
from worker.analyze import analyze
from worker.sniff import sniff

LIMITS = Limits()
SIGNATURES = {
    "png": PNG_HEADER,
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "gif": b"GIF89a\x01\x00\x01\x00",
    "pdf": b"%PDF-1.7\n",
    "zip/docx": b"PK\x03\x04\x14\x00\x06\x00",
    "gzip": b"\x1f\x8b\x08\x00",
    "bzip2": b"BZh91AY&SY",
    "7z": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "elf": b"\x7fELF\x02\x01\x01",
    "exe": b"MZ\x90\x00\x03\x00\x00\x00",
    "wav": b"RIFF\x24\x08\x00\x00WAVEfmt ",
    "ogg": b"OggS\x00\x02",
    "wasm": b"\x00asm\x01\x00\x00\x00",
    "sqlite": b"SQLite format 3\x00",
    "mp4": b"\x00\x00\x00\x18ftypmp42",
}


def run(tmp_path: pathlib.Path, data: bytes, file_type: str, limits: Limits = LIMITS) -> dict:
    path = tmp_path / f"upload.{file_type}"
    path.write_bytes(data)
    return analyze(path, file_type, limits)


def code_of(tmp_path: pathlib.Path, data: bytes, file_type: str, limits: Limits = LIMITS) -> str:
    with pytest.raises(JobError) as error:
        run(tmp_path, data, file_type, limits)
    assert str(tmp_path) not in error.value.message
    return error.value.code


@pytest.mark.parametrize("file_type", ["txt", "json"])
@pytest.mark.parametrize("name", SIGNATURES)
def test_binary_signatures_are_a_mismatch(name: str, file_type: str) -> None:
    with pytest.raises(JobError) as error:
        sniff(SIGNATURES[name] + bytes(range(256)), file_type)
    assert error.value.code == CONTENT_MISMATCH


@pytest.mark.parametrize(
    "head",
    [b"", b"plain text", b"MZ is a fine start for a text", b"RIFFS and riffs", "caf\u00e9".encode("latin-1")],
)
def test_text_passes(head: bytes) -> None:
    sniff(head, "txt")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_bomless_utf16_and_32_pass_as_text_and_json(encoding: str) -> None:
    sniff(make_txt("Plain words in a wide encoding.\n" * 10, encoding), "txt")
    sniff(make_txt('{"a": "b"}', encoding), "json")


@pytest.mark.parametrize("head", [bytes(100), b"text\x00with\x00nuls" * 3, bytes(range(1, 32)) * 10])
def test_binary_looking_text_is_a_mismatch(head: bytes) -> None:
    with pytest.raises(JobError) as error:
        sniff(head, "txt")
    assert error.value.code == CONTENT_MISMATCH


@pytest.mark.parametrize(
    ("head", "ok"), [(b' \n {"a": 1}', True), (b"\xef\xbb\xbf[1]", True), (b"hello", False)]
)
def test_json_start(head: bytes, ok: bool) -> None:
    if ok:
        sniff(head, "json")
    else:
        with pytest.raises(JobError):
            sniff(head, "json")


def test_pdf_header_may_follow_junk_within_1024_bytes() -> None:
    sniff(b"\x00" * 1000 + b"%PDF-1.4", "pdf")
    with pytest.raises(JobError):
        sniff(b"\x00" * 1020 + b"%PDF-1.4", "pdf")


@pytest.mark.parametrize(
    ("file_type", "expected"),
    [
        ("txt", {"words": 0, "characters": 0, "lines": 0, "encoding": "utf-8"}),
        ("json", CORRUPT_FILE),
        ("rtf", CONTENT_MISMATCH),
        ("pdf", CONTENT_MISMATCH),
    ],
)
def test_empty_files(tmp_path: pathlib.Path, file_type: str, expected: object) -> None:
    if isinstance(expected, dict):
        assert run(tmp_path, b"", file_type) == expected
    else:
        assert code_of(tmp_path, b"", file_type) == expected


def test_rtf_must_start_with_its_header(tmp_path: pathlib.Path) -> None:
    assert code_of(tmp_path, b"just text {\\rtf1 x}", "rtf") == CONTENT_MISMATCH


def test_size_limit_comes_first(tmp_path: pathlib.Path) -> None:
    assert code_of(tmp_path, make_pdf(["a"]), "pdf", Limits(max_bytes=100)) == TOO_LARGE


def test_preload_imports_every_parser() -> None:
    analyze_module.preload()
    assert {"pypdf", "worker.extract.rtftext", "ijson", "charset_normalizer"} <= set(sys.modules)


def test_unknown_type(tmp_path: pathlib.Path) -> None:
    assert code_of(tmp_path, b"x", "docx") == UNSUPPORTED_TYPE


@pytest.mark.parametrize("sample", good_samples(), ids=lambda s: s.filename)
def test_good_samples(tmp_path: pathlib.Path, sample) -> None:
    result = run(tmp_path, sample.data, sample.filename.rsplit(".", 1)[1].lower())
    assert result.items() >= sample.result.items()


@pytest.mark.parametrize("sample", bad_samples(), ids=lambda s: s.filename)
def test_bad_samples(tmp_path: pathlib.Path, sample) -> None:
    assert code_of(tmp_path, sample.data, sample.filename.rsplit(".", 1)[1].lower()) == sample.error


PREFIXES = {"txt": b"", "json": b"[", "rtf": b"{\\rtf1 ", "pdf": b"%PDF-1.4\n"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file_type=st.sampled_from(sorted(PREFIXES)),
    body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode),
    tail=st.sampled_from([b"", b"}", b"]", b"\n%%EOF\n"]),
)
def test_any_bytes_give_counts_or_a_job_error(
    tmp_path: pathlib.Path, file_type: str, body: bytes, tail: bytes
) -> None:
    try:
        result = run(tmp_path, PREFIXES[file_type] + body + tail, file_type)
    except JobError as error:
        assert error.code in (CONTENT_MISMATCH, CORRUPT_FILE, TOO_LARGE, "encrypted_pdf")
    else:
        assert result["words"] >= 0 and result["characters"] >= 0


def test_unexpected_exceptions_pass_through(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class JobTimeoutException(Exception):
        pass

    def interrupted(path: pathlib.Path, limits: Limits, **options: object) -> dict:
        raise JobTimeoutException

    monkeypatch.setattr(analyze_module, "extractor", lambda file_type: interrupted)
    with pytest.raises(JobTimeoutException):
        run(tmp_path, b"text", "txt")
