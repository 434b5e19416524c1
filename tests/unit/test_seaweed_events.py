"""The SeaweedFS filer event parser: created files in our bucket, plain keys, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.bucket import ObjectRef
from core.s3events import EventFormatError, parse_any_event, parse_seaweed_event
from tests.events import make_s3_event, make_seaweed_event

ETAG = "5eb63bbbe01eeed093cb22bb8f5acdc3"


def test_a_created_file_becomes_one_object_with_the_listing_etag():
    parsed = parse_seaweed_event(make_seaweed_event(key="incoming/new file.txt", size=11, etag=ETAG), "jobs")
    assert parsed.objects == [ObjectRef(bucket="jobs", key="incoming/new file.txt", size=11, etag=ETAG)]


def test_multipart_etag_is_kept_as_s3_lists_it():
    etag = "d166c64dc35866b2d8aad40a1fa8995a-3"
    assert parse_seaweed_event(make_seaweed_event(etag=etag), "jobs").objects[0].etag == etag


def test_md5_attribute_is_the_etag_when_the_extended_one_is_missing():
    body = make_seaweed_event(etag=ETAG)
    del body["message"]["new_entry"]["extended"]
    assert parse_seaweed_event(body, "jobs").objects[0].etag == ETAG


def test_an_overwrite_is_an_update_and_a_new_version():
    parsed = parse_seaweed_event(make_seaweed_event(event="update"), "jobs")
    assert len(parsed.objects) == 1


@pytest.mark.parametrize("key", ["incoming/a b+c%d.txt", "incoming/ünï/%2F.txt", "incoming/x%20y.pdf"])
def test_keys_are_taken_as_they_are_never_url_decoded(key):
    assert parse_seaweed_event(make_seaweed_event(key=key), "jobs").objects[0].key == key


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (make_seaweed_event(key="incoming", directory=True), "directory"),
        (make_seaweed_event(key=".uploads", directory=True), "directory"),
        (make_seaweed_event(key=".uploads/c49c_6212/0001_8961.part"), "multipart"),
        (make_seaweed_event(event="delete"), "not an object creation"),
        (make_seaweed_event(event="rename"), "not an object creation"),
        (make_seaweed_event(bucket="elsewhere"), "not in bucket"),
        (make_seaweed_event(bucket=".system", key="owners/test/jobs"), "not in bucket"),
        (make_seaweed_event(bucket="jobs-2"), "not in bucket"),
    ],
)
def test_directories_bookkeeping_deletes_and_other_buckets_are_ignored(body, reason):
    parsed = parse_seaweed_event(body, "jobs")
    assert parsed.objects == [] and reason in parsed.ignored[0]


def test_the_one_entry_point_takes_both_formats():
    for body in (make_seaweed_event(key="incoming/a b.txt"), make_s3_event(key="incoming/a b.txt")):
        assert parse_any_event(body, "jobs").objects[0].key == "incoming/a b.txt"
    with pytest.raises(EventFormatError):
        parse_any_event({"key": "/buckets/jobs/x"}, "jobs")


keys = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda k: not k.endswith("/") and "//" not in k and not k.startswith("/")
)


@given(key=keys, size=st.integers(0, 2**40), event=st.sampled_from(["create", "update"]))
def test_any_file_key_round_trips(key, size, event):
    parsed = parse_seaweed_event(make_seaweed_event(key="incoming/" + key, size=size, event=event), "jobs")
    assert parsed.objects[0].key == "incoming/" + key and parsed.objects[0].size == size


@given(key=keys, times=st.integers(1, 5))
def test_redelivery_announces_the_same_version(key, times):
    body = make_seaweed_event(key="incoming/" + key)
    versions = {parse_seaweed_event(body, "jobs").objects[0].version for _ in range(times)}
    assert len(versions) == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    max_leaves=20,
)


@given(
    event_type=json_values,
    key=json_values,
    message=json_values | st.fixed_dictionaries({"new_entry": json_values, "new_parent_path": json_values}),
)
def test_never_crashes_on_arbitrary_json(event_type, key, message):
    parse_any_event({"event_type": event_type, "key": key, "message": message}, "jobs")
