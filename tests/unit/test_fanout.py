"""Page ranges of a long PDF and the assembly of their counts: pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.fanout import PART_PAGES, assemble, plan


@given(st.integers(min_value=1, max_value=5000))
def test_ranges_cover_every_page_after_the_first_range_once(page_count):
    covered = [page for start, stop in plan(page_count) for page in range(start, stop)]
    assert covered == list(range(min(PART_PAGES, page_count), page_count))
    assert all(stop - start <= PART_PAGES for start, stop in plan(page_count))


@given(
    st.lists(st.tuples(st.integers(0, 99), st.integers(0, 999), st.integers(0, 9)), min_size=1, max_size=200)
)
def test_assembly_is_in_page_order_whatever_order_parts_arrive(pages):
    parts = [
        {"start": start, "counts": [list(p) for p in pages[start : start + 7]]}
        for start in range(0, len(pages), 7)
    ]
    result = assemble(list(reversed(parts)))
    assert result["page_words"] == [p[0] for p in pages] and result["pages"] == len(pages)
    assert result["words"] == sum(p[0] for p in pages) and result["characters"] == sum(p[1] for p in pages)
