"""Finished records kept per process: from the announcement of the finish, else read once from the bucket."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from core import results
from core.lifecycle import announced_result
from core.lifecycle.finished import WAIT_SECONDS, FinishedRecords
from core.lifecycle.record import JobRecord, now_iso

SOURCE = {"bucket": "jobs", "key": "incoming/a.txt", "size": 5, "etag": "abc"}


def result_doc(job_id: str = "j1", finished_at: str | None = None, words: int = 3) -> dict[str, Any]:
    record = JobRecord.model_validate(
        {"job_id": job_id, "status": "started", "filename": "a.txt", "file_type": "txt", "source": SOURCE,
         "created_at": now_iso(), "updated_at": now_iso(), "attempts": 1, "result_key": None,
         "result": None, "error": None}
    )  # fmt: skip
    return results.build_result(record, {"words": words, "characters": 11}, finished_at or now_iso())


def announcement(doc: dict[str, Any] | None, job_id: str = "j1") -> bytes:
    """What the finished transition publishes (core.lifecycle.scripts splices the result in)."""
    head = json.dumps({"job_id": job_id, "status": "finished", "rev": 3})
    return (head[:-1] + ',"result":' + announced_result(doc) + "}" if doc else head).encode()


class Reads:
    """A bucket read that counts its calls."""

    def __init__(self, doc: dict[str, Any] | None) -> None:
        self.doc, self.calls = doc, 0

    def __call__(self) -> tuple[JobRecord, int] | None:
        self.calls += 1
        return (results.record_from_result(self.doc), len(json.dumps(self.doc))) if self.doc else None


def test_a_finish_read_once_is_kept():
    kept, doc = FinishedRecords(), result_doc()
    read = Reads(doc)
    first = kept.get("j1", doc["finished_at"], read)
    again = kept.get("j1", doc["finished_at"], read)
    assert read.calls == 1 and first == again and first.result.words == 3


def test_a_job_finished_again_is_read_again():
    kept, doc = FinishedRecords(), result_doc()
    read = Reads(doc)
    kept.get("j1", doc["finished_at"], read)
    kept.get("j1", "2030-01-01T00:00:00.000000Z", read)
    assert read.calls == 2


def test_a_missing_result_is_not_kept():
    kept, read = FinishedRecords(), Reads(None)
    assert kept.get("j1", now_iso(), read) is None
    assert kept.get("j1", now_iso(), read) is None
    assert read.calls == 2


def test_an_announced_result_needs_no_read():
    kept, doc = FinishedRecords(), result_doc(words=7)
    kept.keep_announced(announcement(doc))
    read = Reads(doc)
    assert kept.get("j1", doc["finished_at"], read).result.words == 7
    assert read.calls == 0


def test_a_fresh_finish_waits_for_its_announcement_instead_of_the_bucket():
    kept, doc = FinishedRecords(), result_doc()
    kept.keep_announced(b'{"job_id":"j0","status":"started","rev":2}')  # a hub feeds this process
    threading.Timer(0.05, kept.keep_announced, [announcement(doc)]).start()
    read = Reads(doc)
    assert kept.get("j1", doc["finished_at"], read) is not None
    assert read.calls == 0


def test_a_finish_announced_without_its_result_is_read_at_once():
    kept, doc = FinishedRecords(), result_doc()
    kept.keep_announced(announcement(None))  # too big to send along
    read, began = Reads(doc), time.monotonic()
    assert kept.get("j1", doc["finished_at"], read) is not None
    assert read.calls == 1 and time.monotonic() - began < WAIT_SECONDS


def test_nothing_is_waited_for_without_a_hub_or_for_an_old_finish():
    old = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for kept, doc in ((FinishedRecords(), result_doc()), (fed(), result_doc(finished_at=old))):
        read, began = Reads(doc), time.monotonic()
        kept.get("j1", doc["finished_at"], read)
        assert read.calls == 1 and time.monotonic() - began < WAIT_SECONDS


def test_the_records_kept_are_bounded_in_number_and_in_bytes():
    kept = FinishedRecords(max_records=2)
    for n in range(3):
        kept.keep_announced(announcement(result_doc(f"j{n}"), f"j{n}"))
    assert len(kept) == 2
    size = len(announcement(result_doc("j0"), "j0"))
    kept = FinishedRecords(max_bytes=int(size * 2.5))
    for n in range(4):
        kept.keep_announced(announcement(result_doc(f"j{n}"), f"j{n}"))
    assert len(kept) == 2
    huge = FinishedRecords(max_bytes=size // 2)
    huge.keep_announced(announcement(result_doc()))
    assert len(huge) == 0


def test_announcements_it_cannot_read_are_ignored():
    kept = fed()
    for message in (b"not json", b'{"status":"finished"}', b'{"job_id":"j1","status":"finished","result":3}'):
        kept.keep_announced(message)
    assert len(kept) == 0


def fed() -> FinishedRecords:
    kept = FinishedRecords()
    kept.keep_announced(b'{"batch_id":"b1","status":"running","rev":1}')
    return kept
