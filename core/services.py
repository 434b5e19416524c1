"""Everything a process needs to do its work, built once from the settings and passed around."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rq import Queue

from core.batches import Batches
from core.clients import Clients
from core.lifecycle import Lifecycle
from core.lifecycle.ending import Hooks
from core.lifecycle.store import RecordStore
from core.settings import Settings
from core.tasks import TaskQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    settings: Settings
    clients: Clients
    lifecycle: Lifecycle
    batches: Batches
    tasks: TaskQueue

    @property
    def queue(self) -> Queue:
        """The file jobs' RQ queue."""
        return self.tasks.queue

    @classmethod
    def build(cls, settings: Settings, clients: Clients | None = None, patience: float = 0) -> Services:
        """`patience`: how long a transition waits out a Redis restart (a worker's, not a request's)."""
        for warning in settings.warnings:  # every process builds its services once: each one says it
            log.warning(warning)
        clients = clients or Clients.build(settings)
        redis, s3 = clients.redis, clients.s3
        batches = Batches(redis, settings.record_ttl_seconds)
        tasks = TaskQueue(redis, settings)
        store = RecordStore(redis, s3, settings.s3_bucket, settings.record_ttl_seconds, patience)
        lifecycle = Lifecycle(store, Hooks(settings, s3, tasks, batches))
        return cls(settings=settings, clients=clients, lifecycle=lifecycle, batches=batches, tasks=tasks)
