"""Events about uploads, through core.intake with a real Redis and S3 server: the bucket is asked only
when its answer can change something."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.bucket import ObjectRef
from core.intake import ingest_event
from core.s3events import ParsedEvent
from tests.functional.helpers import task_args, uploaded
from worker import pipeline


@contextmanager
def heads(svc) -> Iterator[list[str]]:
    """The keys of the HEAD requests the S3 client sends inside the block."""
    sent: list[str] = []

    def note(params, **_) -> None:
        sent.append(params["Key"])

    events = svc.clients.s3.meta.events
    events.register("provide-client-params.s3.HeadObject", note)
    try:
        yield sent
    finally:
        events.unregister("provide-client-params.s3.HeadObject", note)


def event(*objects) -> ParsedEvent:
    """An event naming the objects by key alone, as an untrusted sender would."""
    return ParsedEvent(objects=[ObjectRef(obj.bucket, obj.key) for obj in objects])


def test_the_event_of_an_awaited_upload_asks_the_bucket_and_queues_it(svc):
    intake = uploaded(svc)
    svc.lifecycle.awaiting_upload(intake)
    with heads(svc) as sent:
        reply = ingest_event(svc, event(intake.source))
    assert sent == [intake.source.key]
    assert reply["jobs"] == [
        {"job_id": intake.job_id, "key": intake.source.key, "status": "queued", "new": True}
    ]


def test_events_of_an_upload_already_in_are_answered_from_redis(svc, rt):
    intake = uploaded(svc)
    assert svc.lifecycle.queued(intake).applied  # as POST /uploads does: its object's event comes later
    args = task_args(svc, intake.job_id)
    for status in ("queued", "finished"):  # a finished job's record is the small one
        with heads(svc) as sent:
            reply = ingest_event(svc, event(intake.source))
        assert sent == []
        expected = {"job_id": intake.job_id, "key": intake.source.key, "status": status, "new": False}
        assert reply == {"jobs": [expected], "ignored": 0, "reasons": []}
        pipeline.process(rt, *args)


def test_another_key_under_a_jobs_folder_is_still_looked_up(svc):
    intake = uploaded(svc)
    assert svc.lifecycle.queued(intake).applied
    other = ObjectRef(intake.source.bucket, intake.source.key.replace("a.txt", "b.txt"))
    with heads(svc) as sent:
        reply = ingest_event(svc, event(other))
    assert sent == [other.key] and reply["jobs"] == [] and reply["ignored"] == 1
