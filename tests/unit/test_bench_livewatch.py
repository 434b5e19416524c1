"""The live-status benchmark's watchers: what a document shows, whole HTTP answers, first sightings."""

from __future__ import annotations

import json

from bench.livewatchers import Target, Watcher, complete, progress


def batch_doc(queued: int, started: int, finished: int, failed: int = 0) -> bytes:
    counts = {"queued": queued, "started": started, "finished": finished, "failed": failed}
    jobs = [{"job_id": "j1", "status": "finished"}]
    total = queued + started + finished + failed
    return json.dumps(
        {"batch_id": "b1", "status": "running", "total": total, "counts": counts, "jobs": jobs}
    ).encode()


def test_a_job_shows_its_status_and_a_batch_how_many_left_the_queue_and_ended():
    assert progress("job", b'{"job_id": "j1", "status": "started", "filename": "a"}') == {"status": 2}
    assert progress("batch", batch_doc(3, 1, 2, 1)) == {"started": 4, "ended": 3}


def test_an_answer_is_whole_once_its_body_is_in():
    head = b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "x"'
    assert complete(head + b'\r\n\r\n{"a"') is None
    assert complete(head + b'\r\n\r\n{"a"}GET') == (head, b'{"a"}', b"GET")
    assert complete(b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n') is not None


def test_a_watcher_notes_each_change_once_from_its_first_document_on():
    watcher = Watcher("sse", Target("batch", "/batches/b1"))
    watcher.saw(batch_doc(3, 1, 0), at=1.0)  # where it starts: nothing seen yet
    watcher.saw(batch_doc(1, 1, 2), at=2.0)
    watcher.saw(batch_doc(1, 1, 2), at=3.0)
    assert watcher.sightings == [
        ("started", 2, 2.0),
        ("started", 3, 2.0),
        ("ended", 1, 2.0),
        ("ended", 2, 2.0),
    ]


def test_a_target_numbers_its_jobs_changes_in_the_order_announced():
    batch = Target("batch", "/batches/b1")
    for status, at in (("started", 1.0), ("finished", 2.0), ("started", 3.0)):
        batch.announced(status, at)
    assert batch.zero == {("started", 1): 1.0, ("ended", 1): 2.0, ("started", 2): 3.0}
