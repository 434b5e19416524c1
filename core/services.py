"""Everything a process needs to do its work, built once from the settings and passed around."""

from __future__ import annotations

from dataclasses import dataclass

from rq import Queue

from core.batches import Batches
from core.clients import Clients
from core.jobqueue import make_queue
from core.records import JobRecords
from core.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    clients: Clients
    records: JobRecords
    batches: Batches
    queue: Queue

    @classmethod
    def build(cls, settings: Settings, clients: Clients | None = None) -> Services:
        clients = clients or Clients.build(settings)
        return cls(
            settings=settings,
            clients=clients,
            records=JobRecords(clients.redis, settings.record_ttl_seconds),
            batches=Batches(clients.redis, settings.record_ttl_seconds),
            queue=make_queue(clients.redis, settings),
        )
