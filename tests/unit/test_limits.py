"""Request limits and tenants: pure checks, linear in their input."""

from __future__ import annotations

import json
import resource

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import limits, tenants
from core.ids import safe_filename
from core.settings import Settings, SettingsError


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


def test_a_million_character_filename_is_refused_in_constant_time():
    before = cpu_seconds()
    with pytest.raises(limits.LimitError) as refused:
        limits.check_name_length("x" * 1_000_000)
    assert refused.value.status == 400 and cpu_seconds() - before < 0.05


def test_names_are_measured_in_utf8_bytes():
    assert limits.fits_name("a" * 1024) and not limits.fits_name("é" * 513)


@given(st.text(max_size=1100))
def test_safe_filename_of_any_name_that_fits_is_short(name):
    assert len(safe_filename(name).encode()) <= 200


def test_sanitising_a_long_name_is_linear():
    before = cpu_seconds()
    for _ in range(20):
        safe_filename("é" * 1000 + ".pdf")
    assert cpu_seconds() - before < 0.05


@pytest.mark.parametrize(
    ("data", "depth"),
    [(b"{}", 1), (b'{"a": [[1]]}', 3), (b'"[[[["', 0), (b'["\\"[[", []]', 2), (b'"unterminated [[', 0)],
)
def test_json_depth_ignores_brackets_in_strings(data, depth):
    assert limits.json_depth(data) == depth


@given(st.recursive(st.none() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_depth_matches_the_value(value):
    def depth(v):
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if children is None else 1 + max(map(depth, children), default=0)

    assert limits.json_depth(json.dumps(value).encode()) == depth(value)


@pytest.mark.parametrize(
    ("data", "status"), [(b"[" * 100_000, 400), (b"[" * 65 + b"]" * 65, 400), (b" " * (1 << 20) + b"{}", 413)]
)
def test_deep_or_large_bodies_are_refused_before_parsing(data, status):
    with pytest.raises(limits.LimitError) as refused:
        limits.parse_json(data)
    assert refused.value.status == status


def test_sixty_four_levels_parse():
    assert limits.parse_json(b"[" * 64 + b"]" * 64) is not None


def test_event_records_and_upload_parts_are_capped():
    limits.check_event_records({"Records": [{}] * 1000})
    with pytest.raises(limits.LimitError):
        limits.check_event_records({"Records": [{}] * 1001})
    with pytest.raises(limits.LimitError):
        limits.check_part_count(101)


@pytest.mark.parametrize(
    ("file_type", "given", "expected"),
    [
        ("txt", None, "text/plain"),
        ("rtf", "text/rtf", "text/rtf"),
        ("json", "Application/JSON", "application/json"),
    ],
)
def test_content_types_that_fit(file_type, given, expected):
    assert limits.content_type_for(file_type, given) == expected


@pytest.mark.parametrize(
    "given", ["text/html", "text/plain\r\nX-Evil: 1", "application/pdf", "text/plain;" + "x" * 200]
)
def test_content_types_that_do_not_fit_are_415(given):
    with pytest.raises(limits.LimitError) as refused:
        limits.content_type_for("txt", given)
    assert refused.value.status == 415 and "\r" not in refused.value.message


def test_api_keys_name_their_tenants():
    keys = tenants.parse_api_keys(["alice:k1", "k2", "bob:k:3"])
    assert keys == {"k1": "alice", "k2": "default", "k:3": "bob"}
    assert tenants.tenant_for("k:3", keys) == "bob" and tenants.tenant_for("k", keys) is None


@pytest.mark.parametrize("bad", ["a b:k", "alice:", "x:k,y:k", "../x:k"])
def test_bad_api_keys_refuse_to_start(bad):
    with pytest.raises(SettingsError):
        Settings.from_env({"API_KEYS": bad, "EVENTS_TOKEN": "t"})


def test_api_keys_without_an_events_token_refuse_to_start():
    with pytest.raises(SettingsError, match="EVENTS_TOKEN"):
        Settings.from_env({"API_KEYS": "alice:k1"})


@pytest.mark.parametrize(
    "prefix", ["uploads", "u", "results", "r", "/", "", "incoming", "incomingx/", "results/"]
)
def test_batch_prefixes_outside_the_drop_folder_are_refused(prefix):
    with pytest.raises(ValueError):
        tenants.batch_prefix(prefix if prefix != "incoming" else "incomin", "incoming/", None)


@pytest.mark.parametrize(
    "prefix", ["incoming/", "incoming/bob/", "incoming/alicex/", "incoming/alice/../bob/"]
)
def test_a_tenant_batches_only_its_own_folder(prefix):
    with pytest.raises(ValueError):
        tenants.batch_prefix(prefix, "incoming/", "alice")


def test_batch_prefixes_inside_the_folder():
    assert tenants.batch_prefix("incoming/alice", "incoming/", "alice") == "incoming/alice/"
    assert tenants.batch_prefix("incoming/alice/x", "incoming/", "alice") == "incoming/alice/x"
    assert tenants.batch_prefix("incoming", "incoming/", None) == "incoming/"


def test_owners_of_dropped_objects():
    names = ["alice", "default"]
    assert tenants.owner_of_key("incoming/alice/a.txt", "incoming/", names) == "alice"
    assert tenants.owner_of_key("incoming/carol/a.txt", "incoming/", names) == "default"
    assert tenants.owner_of_key("incoming/alice", "incoming/", names) == "default"
