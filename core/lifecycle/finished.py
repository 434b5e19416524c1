"""Finished jobs' records as rebuilt from their result documents, kept by each process.

A finished job's Redis record is slim; its details live in `results/<job_id>.json`, which never
changes once the job has finished. Reading it again on every look (a batch's event stream rebuilds
its page of jobs on every change of any of them) put one S3 GET per finished job on each change, and
even one GET per finish took 50-200 ms while the workers kept the S3 server busy. So the finished
change's announcement carries the result document (core.lifecycle.scripts), which a process that
hears it keeps here: watchers then read no bucket at all, and the bucket stays the fallback.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from core.lifecycle.record import JobRecord
from core.results import record_from_result

log = logging.getLogger(__name__)

MAX_RECORDS = 4096
# Bounded by their documents' size too: a long PDF's page counts make a result of tens of KB.
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
# A read can see a job finished a moment before this process hears the announcement: a finish this
# young is waited for (briefly) rather than read from the bucket.
RECENT_SECONDS = 2.0
WAIT_SECONDS = 0.25


class FinishedRecords:
    """A bounded, thread-safe LRU of finished records, keyed by job and finish time."""

    def __init__(self, max_records: int = MAX_RECORDS, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
        self.max_records, self.max_bytes = max_records, max_bytes
        self._records: OrderedDict[tuple[str, str], tuple[JobRecord, int]] = OrderedDict()
        self._bytes = 0  # the kept records' result documents, as JSON
        self._heard: OrderedDict[str, None] = OrderedDict()  # jobs whose finish was announced here
        self._changed = threading.Condition()
        self.fed = False  # a change hub passes this process's announcements on

    def get(
        self, job_id: str, finished_at: str, read: Callable[[], tuple[JobRecord, int] | None]
    ) -> JobRecord | None:
        """The record of `job_id` as it finished at `finished_at`: kept, announced, else `read()` (the
        record rebuilt from the bucket and its document's size).

        The finish time is part of the key: a job run again (its record lost and rebuilt) writes a
        new result, and its Redis record then names a new time.
        """
        key = (job_id, finished_at)
        with self._changed:
            if self._expects(job_id, finished_at):
                self._changed.wait_for(lambda: key in self._records or job_id in self._heard, WAIT_SECONDS)
            kept = self._records.get(key)
            if kept is not None:
                self._records.move_to_end(key)
                return kept[0]
        found = read()
        if found is None:
            return None
        with self._changed:
            self._keep(key, *found)
        return found[0]

    def _expects(self, job_id: str, finished_at: str) -> bool:
        """Whether this finish's announcement may still be on its way here (call with the lock held)."""
        if not self.fed or job_id in self._heard or (job_id, finished_at) in self._records:
            return False
        try:
            age = datetime.now(UTC) - datetime.fromisoformat(finished_at)
        except ValueError:
            return False
        return age.total_seconds() < RECENT_SECONDS

    def _keep(self, key: tuple[str, str], record: JobRecord, size: int) -> None:
        if size > self.max_bytes:
            return
        if key in self._records:
            self._bytes -= self._records.pop(key)[1]
        self._records[key], self._bytes = (record, size), self._bytes + size
        while len(self._records) > self.max_records or self._bytes > self.max_bytes:
            self._bytes -= self._records.popitem(last=False)[1][1]

    def keep_announced(self, message: bytes) -> None:
        """Take in one announcement of a change: a finished job's carries its result document."""
        self.fed = True
        if b'"finished"' not in message:
            return
        try:
            change = json.loads(message)
            if change.get("status") != "finished":
                return
            job_id, doc = change["job_id"], change.get("result")
            record = record_from_result(doc) if doc else None  # none: too big to send along
        except (ValueError, KeyError, TypeError) as exc:  # a bad one only costs a read of the bucket
            log.warning("announcement not understood (%s)", exc)
            return
        with self._changed:
            if record is not None:
                self._keep((job_id, doc["finished_at"]), record, len(message))
            self._heard[job_id] = None
            while len(self._heard) > self.max_records:
                self._heard.popitem(last=False)
            self._changed.notify_all()

    def __len__(self) -> int:
        return len(self._records)
