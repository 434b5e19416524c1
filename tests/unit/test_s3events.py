"""The S3 event parser: every record, decoded keys, only creations in our bucket."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.s3events import EventFormatError, parse_event
from tests.events import make_record, make_s3_event, make_test_event


def test_decodes_plus_and_percent_in_keys():
    parsed = parse_event(make_s3_event(key="incoming/a b+c ü.txt"), "jobs")
    assert [obj.key for obj in parsed.objects] == ["incoming/a b+c ü.txt"]


def test_decodes_minio_encoded_slashes():
    parsed = parse_event(make_s3_event(key="incoming/deep/x y.pdf", minio=True), "jobs")
    assert parsed.objects[0].key == "incoming/deep/x y.pdf"


def test_every_record_not_just_the_first():
    body = {"Records": [make_record(key=f"incoming/{n}.txt") for n in range(5)]}
    assert len(parse_event(body, "jobs").objects) == 5


def test_test_event_is_ignored_with_a_reason():
    parsed = parse_event(make_test_event(), "jobs")
    assert parsed.objects == [] and parsed.ignored == ["s3:TestEvent"]


@pytest.mark.parametrize("event", ["ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "Other"])
def test_other_event_types_are_ignored(event):
    parsed = parse_event(make_s3_event(event=event), "jobs")
    assert parsed.objects == [] and "not an object creation" in parsed.ignored[0]


def test_other_buckets_are_ignored():
    parsed = parse_event(make_s3_event(bucket="elsewhere"), "jobs")
    assert parsed.objects == [] and "elsewhere" in parsed.ignored[0]


def test_folder_markers_are_ignored():
    assert parse_event(make_s3_event(key="incoming/dir/"), "jobs").objects == []


def test_etag_quotes_and_version_kept():
    parsed = parse_event(make_s3_event(etag='"abc"', version_id="v1"), "jobs")
    assert parsed.objects[0].etag == "abc" and parsed.objects[0].version_id == "v1"


@pytest.mark.parametrize("body", [None, [], "x", {"Records": "x"}, {"nothing": 1}])
def test_non_events_are_refused(body):
    with pytest.raises(EventFormatError):
        parse_event(body, "jobs")


def test_malformed_records_are_ignored_not_fatal():
    body = {"Records": [1, {"eventName": "ObjectCreated:Put"}, make_record()]}
    parsed = parse_event(body, "jobs")
    assert len(parsed.objects) == 1 and len(parsed.ignored) == 2


keys = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda k: not k.endswith("/")
)


@given(key=keys, minio=st.booleans())
def test_any_key_round_trips(key, minio):
    parsed = parse_event(make_s3_event(key="incoming/" + key, minio=minio), "jobs")
    assert parsed.objects[0].key == "incoming/" + key


@given(
    st.recursive(st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_never_crashes_on_arbitrary_json(body):
    try:
        parse_event({"Records": body} if isinstance(body, list) else body, "jobs")
    except EventFormatError:
        pass
