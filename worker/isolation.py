"""A long-lived child process that parses files, so no file can take the worker down with it.

The worker keeps its warm connections and never forks per job; the child has an address-space
cap, is killed and replaced when a file runs past its time limit or crashes it, and is recycled
when it has grown.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from core.errors import CANCELLED, INTERNAL, TIMEOUT, TOO_LARGE, JobError
from core.settings import Limits
from worker.analyze import analyze
from worker.parsers import Stop, limits_for

# Replaced once it has grown this much past its start (it starts at ~120 MB: the parsers and the
# language model, shared with the worker): what a big file left in the allocator is given back.
RECYCLE_GROWTH_BYTES = 256 << 20
# How often a parse looks whether its job has ended meanwhile (one HGET each time).
STOP_CHECK_SECONDS = 0.25
log = logging.getLogger(__name__)


class ExtractorDied(RuntimeError):
    """The child died while parsing a file (killed, out of memory, crashed): worth another attempt."""


def _serve(conn: Connection, memory_bytes: int) -> None:
    os.setpgrp()  # a signal to the worker's process group (Ctrl-C, a deploy's SIGTERM) is not for us
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            path, file_type, limits, pages = conn.recv()
        except (EOFError, OSError):
            return  # the worker has gone
        try:
            reply: tuple = ("ok", analyze(Path(path), file_type, limits, pages))
        except JobError as err:
            reply = ("error", err.code, err.message)
        except MemoryError:
            reply = ("error", TOO_LARGE, "Processing needed more memory than the limit allows.")
        except Exception as exc:  # noqa: BLE001 - our bug must not end the child: it is sent back, traced
            reply = ("crash", type(exc).__name__, traceback.format_exc())
        conn.send(reply)


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class IsolatedParser:
    """Runs `worker.analyze.analyze` in the child; start it after the parsers are imported."""

    def __init__(self, limits: Limits, timeout: float) -> None:
        self.limits = limits
        self.timeout = timeout
        self.memory_bytes = limits.memory_bytes
        self._context = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self.conn, child_end = self._context.Pipe()
        self.process = self._context.Process(target=_serve, args=(child_end, self.memory_bytes), daemon=True)
        self.process.start()
        child_end.close()
        self.start_rss = _rss_bytes(self.process.pid)

    def restart(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()
        self._start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def parse(
        self, path: Path, file_type: str, pages: tuple[int, int] | None = None, stop: Stop | None = None
    ) -> dict[str, Any]:
        """The analysis of one file; JobError for bad files, time-outs and a `stop` (the job was cancelled:
        the child is killed within STOP_CHECK_SECONDS), ExtractorDied if it crashed."""
        if not self.process.is_alive():
            self.restart()
        try:
            self.conn.send((str(path), file_type, limits_for(self.limits, path), pages))
            self._await_reply(stop)
            reply = self.conn.recv()
        except (EOFError, OSError):
            code = self.process.exitcode
            self.restart()
            raise ExtractorDied(f"the process parsing the file died (exit code {code})") from None
        except BaseException:  # RQ's own time limit, a shutdown: the child may be mid-file
            self.restart()
            raise
        if _rss_bytes(self.process.pid) - self.start_rss > RECYCLE_GROWTH_BYTES:
            self.restart()
        if reply[0] == "error":
            raise JobError(reply[1], reply[2])
        if reply[0] == "crash":  # a bug on our side, not the user's file: logged with the child's traceback
            log.error("parsing child raised %s:\n%s", reply[1], reply[2])
            raise JobError(INTERNAL, f"Processing failed on our side ({reply[1]}); it has been logged.")
        return reply[1]

    def _await_reply(self, stop: Stop | None) -> None:
        """Wait for the child's answer; kill it when the time is up or `stop` says the job has ended."""
        deadline = time.monotonic() + self.timeout
        while not self.conn.poll(min(STOP_CHECK_SECONDS, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                self.restart()
                raise JobError(TIMEOUT, f"Processing took longer than the limit of {self.timeout:.0f} s.")
            if stop is not None and stop():
                self.restart()
                raise JobError(CANCELLED, "The job was cancelled.")

    def close(self) -> None:
        self.process.kill()
        self.process.join(5)
