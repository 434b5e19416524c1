"""Each change of a job and of its batch is published on Redis, for status streams in any process."""

from __future__ import annotations

import json
import time

from core import layout
from core.ids import new_batch_id
from core.models import BatchStatus
from tests.functional.helpers import queued_job, task_args
from worker import pipeline


def messages(pubsub, count: int, timeout: float = 10) -> list[tuple[str, dict]]:
    """The next `count` published messages (channel, decoded body), polling with a bound."""
    found, deadline = [], time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.2)
        if message and message["type"] == "pmessage":
            found.append((message["channel"].decode(), json.loads(message["data"])))
    return found


def test_every_transition_of_a_job_and_its_batch_is_published(svc, rt):
    pubsub = svc.clients.redis.pubsub()
    pubsub.psubscribe(layout.job_channel("*"), layout.batch_channel("*"))
    messages(pubsub, 2, timeout=1)  # the subscription confirmations
    batch_id = new_batch_id()
    svc.batches.create(batch_id, BatchStatus.LISTING, origin="upload")
    job_id = queued_job(svc, batch_id=batch_id)
    svc.batches.join(batch_id, [job_id], seal=True)
    pipeline.process(rt, *task_args(svc, job_id))
    got = messages(pubsub, 6)
    job_changes = [body for channel, body in got if channel == layout.job_channel(job_id)]
    assert [(m["status"], m["rev"]) for m in job_changes] == [("queued", 1), ("started", 2), ("finished", 3)]
    batch_changes = [body for channel, body in got if channel == layout.batch_channel(batch_id)]
    assert [m["status"] for m in batch_changes] == ["running", "running", "done"]
    assert [m["rev"] for m in batch_changes] == [1, 2, 3]
    assert int(svc.clients.redis.hget(layout.job_key(job_id), "rev")) == 3
    pubsub.close()


def test_a_finish_is_announced_with_its_result_before_its_batch_changes(svc, rt):
    pubsub = svc.clients.redis.pubsub()
    pubsub.psubscribe(layout.job_channel("*"), layout.batch_channel("*"))
    messages(pubsub, 2, timeout=1)
    batch_id = new_batch_id()
    svc.batches.create(batch_id, BatchStatus.LISTING, origin="upload")
    job_id = queued_job(svc, batch_id=batch_id)
    svc.batches.join(batch_id, [job_id], seal=True)
    pipeline.process(rt, *task_args(svc, job_id))
    got = messages(pubsub, 6)
    channels = [channel for channel, _ in got]
    finished = next(body for channel, body in got if body.get("status") == "finished")
    # Its batch's watchers can then find the result kept (core.lifecycle.finished), not in the bucket.
    assert channels.index(layout.job_channel(job_id)) < channels.index(layout.batch_channel(batch_id))
    assert channels[-2:] == [layout.job_channel(job_id), layout.batch_channel(batch_id)]
    stored = json.loads(
        svc.clients.s3.get_object(Bucket=svc.settings.s3_bucket, Key=layout.result_key(job_id))["Body"].read()
    )
    assert finished["result"] == stored
    store = svc.lifecycle.store
    store.finished.keep_announced(json.dumps(finished).encode())
    store.s3 = None  # the record now needs no read of the bucket
    assert svc.lifecycle.get(job_id).result.words == stored["words"]
    pubsub.close()
