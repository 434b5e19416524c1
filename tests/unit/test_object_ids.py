"""Ids of dropped objects: an HMAC with ID_SECRET of bucket, key, ETag (or version) and size."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.bucket import ObjectRef
from core.ids import is_job_id, object_job_id
from core.intake import drop_job_ids
from core.settings import NO_ID_SECRET, Settings, SettingsError

SECRET = "s" * 32
OBJECT = ("jobs", "incoming/a.txt", "0123456789abcdef0123456789abcdef", 12)

texts = st.text(max_size=60)
maybe_texts = st.none() | texts
sizes = st.none() | st.integers(min_value=0, max_value=10**13)
secrets_ = st.text(min_size=16, max_size=64)
objects = st.tuples(texts, texts, maybe_texts, sizes, maybe_texts)


def identity(bucket: str, key: str, etag: str | None, size: int | None, version_id: str | None) -> tuple:
    """What tells one object version from another: the version id counts only without an ETag."""
    return bucket, key, ("e", etag) if etag is not None else ("v", version_id or None), size


def test_the_same_object_always_gets_the_same_id():
    assert object_job_id(SECRET, *OBJECT) == object_job_id(SECRET, *OBJECT)


@pytest.mark.parametrize(
    "other",
    [
        ("other", *OBJECT[1:]),
        (OBJECT[0], "incoming/b.txt", *OBJECT[2:]),
        (*OBJECT[:2], "fedcba9876543210fedcba9876543210", OBJECT[3]),
        (*OBJECT[:3], 13),
        (*OBJECT[:3], None),
        (*OBJECT[:2], None, OBJECT[3]),
    ],
)
def test_the_id_differs_per_bucket_key_etag_and_size(other):
    assert object_job_id(SECRET, *other) != object_job_id(SECRET, *OBJECT)


def test_the_version_id_tells_versions_apart_only_without_an_etag():
    assert object_job_id(SECRET, *OBJECT, version_id="v1") == object_job_id(SECRET, *OBJECT, version_id="v2")
    bare = (*OBJECT[:2], None, OBJECT[3])
    assert object_job_id(SECRET, *bare, version_id="v1") != object_job_id(SECRET, *bare, version_id="v2")
    assert object_job_id(SECRET, *bare, version_id="x") != object_job_id(SECRET, *OBJECT[:2], "x", OBJECT[3])


def test_the_id_differs_per_secret_and_from_the_unkeyed_one():
    ids = {object_job_id(secret, *OBJECT) for secret in (SECRET, SECRET + "x", "t" * 32, None)}
    assert len(ids) == 4


def test_without_a_secret_ids_are_those_made_before_id_secret_existed():
    bucket, key, etag, size = OBJECT
    before = hashlib.sha256(f"{bucket}\0{key}\0{etag}:{size}".encode()).hexdigest()[:40]
    assert object_job_id(None, *OBJECT) == f"obj-{before}"


@pytest.mark.parametrize(
    ("one", "two"),
    [
        (("a", "b\0c", "e", 1), ("a\0b", "c", "e", 1)),  # a field boundary moved
        (("a", "b", "e1", 2), ("a", "b", "e", 12)),  # ETag digits into the size
        (("a", "b", "", 1), ("a", "b", None, 1)),  # an empty ETag is not a missing one
        (("a", "b", "e", 0), ("a", "b", "e", None)),
        (("", "", None, None), ("", "", "", None)),
        (("a", "b" * 1024, "e", 1), ("a", "b" * 1023, "e", 1)),
        (("a", "é", "e", 1), ("a", "e\u0301", "e", 1)),  # keys are bytes: no Unicode normalisation
    ],
)
def test_no_collisions_on_edge_inputs(one, two):
    assert object_job_id(SECRET, *one) != object_job_id(SECRET, *two)


@given(secrets_, objects)
def test_every_id_has_one_length_and_the_shape_of_a_job_id(secret, obj):
    for key in (secret, None):
        job_id = object_job_id(key, *obj[:4], version_id=obj[4])
        assert len(job_id) == 44 and job_id.startswith("obj-") and is_job_id(job_id)


@given(secrets_, objects, objects)
def test_distinct_objects_never_share_an_id(secret, one, two):
    assume(identity(*one) != identity(*two))
    assert object_job_id(secret, *one[:4], version_id=one[4]) != object_job_id(
        secret, *two[:4], version_id=two[4]
    )


@given(secrets_, secrets_, objects)
def test_distinct_secrets_give_distinct_ids(one, two, obj):
    assume(one != two)
    assert object_job_id(one, *obj[:4], version_id=obj[4]) != object_job_id(two, *obj[:4], version_id=obj[4])


def test_id_secret_is_read_from_the_environment_and_must_not_be_short():
    assert Settings.from_env({"ID_SECRET": SECRET}).id_secret == SECRET
    assert Settings.from_env({}).id_secret is None
    with pytest.raises(SettingsError, match="ID_SECRET"):
        Settings.from_env({"ID_SECRET": "short"})


def test_a_process_without_id_secret_is_warned_and_one_with_it_is_not():
    assert Settings.from_env({}).warnings == (NO_ID_SECRET,)
    assert Settings.from_env({"ID_SECRET": SECRET}).warnings == ()


def test_a_drop_gets_the_keyed_id_and_is_looked_up_under_its_earlier_one():
    bucket, key, etag, size = OBJECT
    obj = ObjectRef(bucket, key, size=size, etag=etag)
    keyed = drop_job_ids(Settings.from_env({"ID_SECRET": SECRET}), obj)
    assert keyed == (object_job_id(SECRET, *OBJECT), object_job_id(None, *OBJECT))
    assert drop_job_ids(Settings.from_env({}), obj) == (object_job_id(None, *OBJECT),)
