"""One Redis subscription per process that wakes every request watching a job or a batch.

Watchers (long polls, event streams) never hold a Redis connection of their own: the hub's one
listener thread (a greenlet under gevent) reads every `changes:*` channel and sets the events of the
watchers of each topic. After a lost connection it wakes everyone, so nobody misses a change.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
# Every change the lifecycle publishes: `changes:job:<id>` and `changes:batch:<id>` (core.layout).
PATTERN = "changes:*"
RECONNECT_SECONDS = 1.0
IDLE_SECONDS = 20.0
# A document that keeps changing (a batch of small files ending within a second changes twice per file)
# is read again at most this often: every watcher woken meanwhile gets that one read, so the work per
# change falls as changes come faster. A lone change is never held back by more than this.
MIN_RELOAD_SECONDS = 0.05


class Watcher:
    """One request's interest in a topic; `wait` says whether a change was announced meanwhile."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def notify(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Block until a change or `timeout` seconds; True if a change was announced (then re-armed)."""
        changed = self._event.wait(timeout)
        self._event.clear()
        return changed


class _Snapshot:
    """One read of a document, shared by every watcher that asks for it before the next change."""

    def __init__(self, generation: int, not_before: float) -> None:
        self.generation = generation  # the topic's generation when the read began (or will begin)
        self.not_before = not_before
        self.begun_at: float | None = None
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def covers(self, generation: int) -> bool:
        """Whether this read shows every change up to `generation` (one not yet begun shows all)."""
        return self.begun_at is None or self.generation == generation


class ChangeHub:
    """The process's listener on the status channel, started on first use (after any fork)."""

    def __init__(self, connect: Callable[[], Redis], heard: Callable[[bytes], None] = lambda _: None) -> None:
        self._connect = connect
        self._heard = heard  # sees each announcement before its watchers wake
        self._watchers: dict[str, set[Watcher]] = defaultdict(set)
        self._generations: dict[str, int] = defaultdict(int)
        self._snapshots: dict[tuple[str, str], _Snapshot] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def shared(self, topic: str, key: str, load: Callable[[], Any]) -> Any:
        """`load()`, or the result of a load of the same (topic, key) begun since the topic's last change.

        For watchers only (the topic must be watched): a thousand watchers of one batch read it once,
        and a document is read again at most every MIN_RELOAD_SECONDS however fast it changes.
        """
        with self._lock:
            generation = self._generations[topic]
            previous = self._snapshots.get((topic, key))
            mine = previous is None or not previous.covers(generation)
            if mine:
                not_before = previous.begun_at + MIN_RELOAD_SECONDS if previous and previous.begun_at else 0.0
                self._snapshots[(topic, key)] = _Snapshot(generation, not_before)
            snapshot = self._snapshots[(topic, key)]
        if mine:
            self._load(topic, snapshot, load)
        snapshot.done.wait()
        if snapshot.error is not None:
            raise snapshot.error
        return snapshot.value

    def _load(self, topic: str, snapshot: _Snapshot, load: Callable[[], Any]) -> None:
        """Read after the snapshot's `not_before`; the watchers woken meanwhile join this read."""
        if (delay := snapshot.not_before - time.monotonic()) > 0:
            time.sleep(delay)
        with self._lock:
            snapshot.generation, snapshot.begun_at = self._generations[topic], time.monotonic()
        try:
            snapshot.value = load()
        except BaseException as exc:
            snapshot.error = exc
            raise
        finally:
            snapshot.done.set()

    @contextmanager
    def watch(self, topic: str) -> Iterator[Watcher]:
        """Register a watcher of `topic` for the block (register first, then read, so nothing is missed)."""
        self._ensure_listening()
        watcher = Watcher()
        with self._lock:
            self._watchers[topic].add(watcher)
        try:
            yield watcher
        finally:
            with self._lock:
                self._watchers[topic].discard(watcher)
                if not self._watchers[topic]:
                    self._forget(topic)

    def _forget(self, topic: str) -> None:
        """Drop an unwatched topic's state (called with the lock held)."""
        del self._watchers[topic]
        self._generations.pop(topic, None)
        for key in [key for key in self._snapshots if key[0] == topic]:
            del self._snapshots[key]

    def watching(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._watchers.values())

    def dispatch(self, topic: str) -> None:
        with self._lock:
            group = list(self._watchers.get(topic, ()))
            if group:
                self._generations[topic] += 1
        for watcher in group:
            watcher.notify()

    def _wake_all(self) -> None:
        with self._lock:
            everyone = [watcher for group in self._watchers.values() for watcher in group]
            for topic in self._watchers:
                self._generations[topic] += 1
        for watcher in everyone:
            watcher.notify()

    def _ensure_listening(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="status-hub", daemon=True)
                self._thread.start()
        self.ready.wait(2.0)  # the first subscription; later watchers find it ready

    def _listen(self) -> None:
        while True:
            try:
                self._listen_once()
            except (RedisError, OSError) as exc:
                log.warning("status channel lost (%s); resubscribing", exc)
            self.ready.clear()
            self._wake_all()  # a change may have gone by unheard: every watcher looks again
            threading.Event().wait(RECONNECT_SECONDS)

    def _listen_once(self) -> None:
        pubsub = self._connect().pubsub()
        try:
            pubsub.psubscribe(PATTERN)
            while True:
                message = pubsub.get_message(timeout=IDLE_SECONDS)  # the client's health check pings
                if message is None:
                    continue
                if message["type"] == "psubscribe":
                    self.ready.set()  # only now are notices delivered to us
                    self._wake_all()
                elif message["type"] == "pmessage":
                    self._heard(message["data"])
                    self.dispatch(message["channel"].decode())
        finally:
            pubsub.close()
