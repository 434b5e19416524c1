"""Keys, ids and settings: pure functions of their inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ids import file_type_of, is_job_id, new_job_id, safe_filename
from core.layout import upload_key
from core.settings import Settings, SettingsError, env_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("中文.pdf", "中文.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.rtf", "report.rtf"),
        ("a\x00b\u202ec.txt", "abc.txt"),
        ("简历", "简历"),
        ("", "file"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@given(st.text(max_size=400))
def test_safe_filename_is_always_one_short_clean_component(name):
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert len(safe.encode()) <= 200 and safe not in (".", "..")


def test_long_names_keep_their_extension():
    assert file_type_of(safe_filename("x" * 300 + ".pdf")) == "pdf"


@pytest.mark.parametrize(
    ("name", "kind"), [("a.TXT", "txt"), ("b.Json", "json"), ("c.exe", None), ("pdf", None)]
)
def test_file_type_of(name, kind):
    assert file_type_of(name) == kind


def test_job_ids_are_random_and_valid():
    ids = {new_job_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(is_job_id(i) and len(i) == 32 for i in ids)


def test_upload_key_layout():
    assert upload_key("abc", "../r.pdf") == "uploads/abc/r.pdf"


def test_settings_defaults_match_the_contract():
    settings = Settings.from_env({})
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.s3_bucket == "jobs" and settings.drop_prefix == "incoming/"
    assert settings.max_upload_bytes == 52428800 and settings.s3_endpoint_url is None
    assert settings.events_token is None and settings.cors_origins == ()


def test_public_endpoint_defaults_to_the_internal_one():
    assert Settings.from_env({"S3_ENDPOINT_URL": "http://s3:9000"}).public_endpoint_url == "http://s3:9000"


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_UPLOAD_BYTES", "-1"), ("PORT", "x"), ("REDIS_URL", "http://x"), ("S3_ENDPOINT_URL", "s3")],
)
def test_invalid_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_contract_variables_are_read():
    contract = {
        "REDIS_URL",
        "S3_ENDPOINT_URL",
        "S3_PUBLIC_ENDPOINT_URL",
        "S3_BUCKET",
        "AWS_REGION",
        "DROP_PREFIX",
    }
    assert contract | {"MAX_UPLOAD_BYTES", "EVENTS_TOKEN", "CORS_ORIGINS"} <= set(env_names())


@pytest.mark.parametrize("prefix", ["results/", "uploads/sub/", "/", "res"])
def test_drop_prefix_must_not_overlap_managed_prefixes(prefix):
    if prefix == "res":
        assert Settings.from_env({"DROP_PREFIX": prefix}).drop_prefix == "res/"
        return
    with pytest.raises(SettingsError, match="DROP_PREFIX"):
        Settings.from_env({"DROP_PREFIX": prefix})


def test_duration_buckets_add_up_cumulatively():
    from core.stats import cumulative_buckets

    buckets = dict(cumulative_buckets({"le:0.05": 2, "le:1.0": 3, "le:+Inf": 1, "sum": 9.0}))
    assert buckets["0.05"] == 2 and buckets["0.5"] == 2 and buckets["1.0"] == 5 and buckets["+Inf"] == 6


def test_flags_parse_strictly():
    assert Settings.from_env({"CALLBACK_ALLOW_PRIVATE": "true"}).callback_allow_private is True
    with pytest.raises(SettingsError, match="CALLBACK_ALLOW_PRIVATE"):
        Settings.from_env({"CALLBACK_ALLOW_PRIVATE": "maybe"})


@pytest.mark.parametrize("value", ["pdfium", "PyPDF", "pypdfium", "poppler"])
def test_pdf_engine_is_pypdf_or_pypdfium2(value):
    assert Settings.from_env({}).limits.pdf_engine == "pypdf"
    assert Settings.from_env({"PDF_ENGINE": "pypdfium2"}).limits.pdf_engine == "pypdfium2"
    with pytest.raises(
        SettingsError, match=f"PDF_ENGINE='{value}' is invalid: must be one of: pypdf, pypdfium2"
    ):
        Settings.from_env({"PDF_ENGINE": value})
