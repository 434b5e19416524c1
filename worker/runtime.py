"""What a worker process runs jobs with: its services, its parser and its attempt policy.

Built once in `worker/__main__.py` (or by a test) and handed to every task: no module globals.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.services import Services
from core.settings import Settings
from worker.parsers import InProcessParser, Parser


@dataclass(frozen=True)
class AttemptPolicy:
    """How often a job is tried, and how long one attempt's parsing may take."""

    max_attempts: int
    timeout_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AttemptPolicy:
        return cls(max_attempts=settings.max_attempts, timeout_seconds=settings.job_timeout_seconds)


@dataclass(frozen=True)
class Runtime:
    """The services, the parser and the attempt policy of one worker process."""

    services: Services
    parser: Parser
    policy: AttemptPolicy

    @classmethod
    def in_process(cls, services: Services) -> Runtime:
        """A runtime that parses in this process (tests, the callbacks worker)."""
        parser = InProcessParser(services.settings.limits)
        return cls(services, parser, AttemptPolicy.from_settings(services.settings))

    def close(self) -> None:
        self.parser.close()
