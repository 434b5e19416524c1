"""The multipart part plan and the checks on what a client sends (pure functions)."""

from __future__ import annotations

import base64
import hashlib

import hypothesis
import hypothesis.strategies as st
import pytest

from core.multipart import (
    MAX_PARTS,
    MIN_PART_BYTES,
    PartPlan,
    bare_etag,
    is_sha256_b64,
    mismatched_part,
    plan_parts,
)

MiB = 1024 * 1024


@hypothesis.given(st.integers(min_value=0, max_value=5 * 1024**4))
def test_every_size_gets_at_most_10000_parts_of_at_least_8_mib(size):
    plan = plan_parts(size)
    assert plan.part_size >= MIN_PART_BYTES and plan.part_size % MiB == 0
    assert 1 <= plan.part_count <= MAX_PARTS
    assert (
        plan.part_size * (plan.part_count - 1) < max(size, 1) <= plan.part_size * plan.part_count or size == 0
    )
    assert sum(plan.part_bytes(n) for n in range(1, plan.part_count + 1)) == size


@hypothesis.given(st.integers(min_value=1, max_value=5 * 1024**4))
def test_the_part_size_is_the_smallest_that_fits(size):
    plan = plan_parts(size)
    smaller = plan.part_size - MiB
    assert smaller < MIN_PART_BYTES or -(-size // smaller) > MAX_PARTS


@pytest.mark.parametrize(
    ("size", "part_size", "count"),
    [(0, 8 * MiB, 1), (1, 8 * MiB, 1), (8 * MiB, 8 * MiB, 1), (8 * MiB + 1, 8 * MiB, 2),
     (5 * 1024**3, 8 * MiB, 640), (100 * 1024**3, 11 * MiB, 9310)],
)  # fmt: skip
def test_known_plans(size, part_size, count):
    assert plan_parts(size) == PartPlan(size, part_size, count)


def test_checksums_are_the_base64_of_32_bytes():
    good = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    assert is_sha256_b64(good)
    assert not is_sha256_b64(good[:-2] + "!=")
    assert not is_sha256_b64(base64.b64encode(b"short").decode())
    assert not is_sha256_b64(hashlib.sha256(b"x").hexdigest())
    assert not is_sha256_b64(None) and not is_sha256_b64(7)


PLAN = PartPlan(size=20 * MiB, part_size=8 * MiB, part_count=3)
HELD = {
    1: {"part_number": 1, "etag": '"a"', "size": 8 * MiB},
    2: {"part_number": 2, "etag": '"b"', "size": 8 * MiB},
    3: {"part_number": 3, "etag": '"c"', "size": 4 * MiB},
}


def test_parts_that_match_the_bucket_complete():
    assert mismatched_part(PLAN, HELD, {1: "a", 2: '"b"', 3: "c"}) is None


@pytest.mark.parametrize(
    ("sent", "held", "says"),
    [
        ({1: "a", 2: "b"}, HELD, "every part"),
        ({1: "a", 2: "b", 3: "c", 4: "d"}, HELD, "every part"),
        ({1: "a", 2: "x", 3: "c"}, HELD, "ETag"),
        ({1: "a", 2: "b", 3: "c"}, {**HELD, 3: {**HELD[3], "size": 1}}, "bytes"),
        ({1: "a", 2: "b", 3: "c"}, {1: HELD[1], 2: HELD[2]}, "not in the bucket"),
    ],
)
def test_parts_that_do_not_match_are_named(sent, held, says):
    assert says in mismatched_part(PLAN, held, sent)


def test_etags_compare_without_quotes():
    assert bare_etag('"abc"') == bare_etag("abc") == "abc"
