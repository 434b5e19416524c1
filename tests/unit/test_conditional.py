"""ETags, If-None-Match, wait, event ids and SSE frames (pure helpers), and the change hub."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import hypothesis
import hypothesis.strategies as st
import pytest

from functions import conditional as http
from functions import watch
from functions.errors import ApiError
from functions.watch import ChangeHub

DOCS = st.dictionaries(
    st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=5
)


@hypothesis.given(DOCS)
def test_an_etag_depends_on_the_content_not_the_key_order(doc):
    reordered = dict(reversed(list(doc.items())))
    assert http.etag_of(doc) == http.etag_of(reordered)
    assert http.etag_of(doc).startswith('"') and http.etag_of(doc).endswith('"')


@hypothesis.given(DOCS, DOCS)
def test_different_documents_have_different_etags(one, two):
    hypothesis.assume(one != two)
    assert http.etag_of(one) != http.etag_of(two)


@pytest.mark.parametrize(
    ("header", "hit"),
    [('"a"', True), ('W/"a"', True), ('"b", "a"', True), ("*", True),
     ('"b"', False), ("", False), (None, False), ("a", False)],
)  # fmt: skip
def test_if_none_match(header, hit):
    assert http.matches(header, '"a"') is hit


@pytest.mark.parametrize(("value", "seconds"), [(None, None), ("1", 1), ("30", 30)])
def test_wait_values(value, seconds):
    assert http.parse_wait(value) == seconds


@pytest.mark.parametrize("value", ["0", "31", "-3", "1.5", "x", ""])
def test_bad_waits_are_refused(value):
    with pytest.raises(ApiError) as refused:
        http.parse_wait(value)
    assert refused.value.http_status == 400 and refused.value.code == "bad_request"


@pytest.mark.parametrize(("value", "parsed"), [("12", 12), (" 7 ", 7), ("x", None), ("", None), (None, None)])
def test_last_event_ids(value, parsed):
    assert http.parse_event_id(value) == parsed


def test_versions_come_from_the_latest_timestamp():
    early, late = "2026-12-01T20:00:00.000001Z", "2026-12-01T20:00:00.000002Z"
    assert http.version_of(early, late, None) == http.version_of(late) == http.version_of(early) + 1
    assert http.version_of(None, "not a time") == 0


def test_an_event_is_one_frame_with_the_document_on_one_line():
    doc = {"status": "queued", "text": "two\nlines"}
    frame = http.sse_event(doc, 42, retry_ms=1000)
    assert frame.endswith("\n\n") and frame.count("\n") == 5
    assert frame.splitlines()[:3] == ["retry: 1000", "id: 42", "event: status"]
    assert json.loads(frame.splitlines()[3].removeprefix("data: ")) == doc


def test_retry_after_is_longer_while_awaiting_the_upload():
    assert http.retry_after({"status": "awaiting_upload"}) > http.retry_after({"status": "queued"}) >= 1


class FakeHub(ChangeHub):
    """A hub whose listener never connects: notices are dispatched by the test."""

    def _ensure_listening(self) -> None:
        return None


def test_the_hub_wakes_the_watchers_of_a_topic_only():
    hub = FakeHub(lambda: None)
    with hub.watch("job:a") as a, hub.watch("job:b") as b:
        assert hub.watching() == 2
        threading.Timer(0.05, hub.dispatch, args=("job:a",)).start()
        assert a.wait(2.0) is True
        assert b.wait(0.05) is False
        assert a.wait(0.05) is False  # re-armed after a wake-up
    assert hub.watching() == 0


def test_watchers_share_one_read_until_the_next_change():
    hub, reads = FakeHub(lambda: None), []

    def load() -> int:
        reads.append(1)
        return len(reads)

    with hub.watch("batch:b"):
        assert hub.shared("batch:b", "0:100", load) == 1
        assert hub.shared("batch:b", "0:100", load) == 1
        assert hub.shared("batch:b", "0:1", load) == 2  # another page is another document
        hub.dispatch("batch:b")
        assert hub.shared("batch:b", "0:100", load) == 3
    with hub.watch("batch:b"):
        assert hub.shared("batch:b", "0:100", load) == 4  # nobody watched in between: read again


def test_a_document_changing_fast_is_read_once_per_interval_for_everyone(monkeypatch):
    interval = 0.5  # long enough for this thread to act inside it on a busy machine
    monkeypatch.setattr(watch, "MIN_RELOAD_SECONDS", interval)
    hub, reads = FakeHub(lambda: None), []

    def load() -> int:
        reads.append(time.monotonic())
        return len(reads)

    with hub.watch("batch:b"), ThreadPoolExecutor(8) as pool:
        assert hub.shared("batch:b", "", load) == 1
        hub.dispatch("batch:b")
        woken = [pool.submit(hub.shared, "batch:b", "", load) for _ in range(8)]
        hub.dispatch("batch:b")  # a change while the next read waits for its turn: that read shows it
        assert hub.shared("batch:b", "", load) == 2
        assert [future.result() for future in woken] == [2] * 8
        assert len(reads) == 2 and reads[1] - reads[0] >= interval
        time.sleep(interval)
        hub.dispatch("batch:b")
        began = time.monotonic()
        assert hub.shared("batch:b", "", load) == 3 and time.monotonic() - began < interval  # a lone change


def test_a_failed_shared_read_fails_every_caller_and_is_not_kept():
    hub = FakeHub(lambda: None)

    def broken() -> int:
        raise ApiError(404, "not_found", "gone")

    with hub.watch("job:x"):
        with pytest.raises(ApiError):
            hub.shared("job:x", "", broken)
        hub.dispatch("job:x")
        assert hub.shared("job:x", "", lambda: 5) == 5
