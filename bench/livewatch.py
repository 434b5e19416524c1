"""Many watchers in one thread: event streams, `?wait` long polls and the page's old polling.

Each watcher notes when it first sees each change of its job or batch. The zero of each change is
the moment this same loop hears the lifecycle announce it on Redis (the transition's PUBLISH runs
inside its Lua script), so both ends of every latency are read from one clock, in one thread.
Streams use HTTP/1.0 (no chunked encoding: a stream ends when the server closes it); long polls and
polls keep their connection alive, as browsers do.
"""

from __future__ import annotations

import heapq
import json
import selectors
import socket
import time
from collections.abc import Callable

from redis import Redis

from bench.livewatchers import ETAG, HEAD_BYTES, POLL_GROWTH, POLL_MAX, Target, Watcher, complete

STREAM_RETRY_SECONDS = 1.0


class Loop:
    """The watchers' one thread: a selector over their sockets, the Redis subscription and timers."""

    def __init__(self, host: str, port: int, redis: Redis, owner_of: Callable[[str], list[Target]]) -> None:
        self.host, self.port, self.owner_of = host, port, owner_of
        self.selector = selectors.DefaultSelector()
        self.watchers: list[Watcher] = []
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.resumed = 0  # streams that dropped before their end and were opened again
        self.pubsub = redis.pubsub()
        self.pubsub.psubscribe("changes:job:*")
        self.pubsub.get_message(timeout=5)  # the subscription's confirmation
        self.selector.register(self.pubsub.connection._sock, selectors.EVENT_READ, None)

    def add(self, way: str, target: Target) -> Watcher:
        watcher = Watcher(way, target)
        self.watchers.append(watcher)
        self._send(watcher)
        return watcher

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run `action` in this thread at `when` (time.monotonic())."""
        heapq.heappush(self.timers, (when, id(action), action))

    def _send(self, watcher: Watcher) -> None:
        """Send the watcher's next request, on its kept-alive line, else (that one dropped) a new one."""
        watcher.asked, watcher.buffer = watcher.request(self.host), b""
        for _ in range(2):
            if watcher.sock is None:
                watcher.sock = socket.create_connection((self.host, self.port))
                self.selector.register(watcher.sock, selectors.EVENT_READ, watcher)
            try:
                watcher.sock.sendall(watcher.asked)
                watcher.sock.setblocking(False)
                return
            except (BrokenPipeError, ConnectionResetError):
                self._drop(watcher)
        raise ConnectionError(f"{watcher.target.path}: the server keeps closing the line")

    def _drop(self, watcher: Watcher) -> None:
        assert watcher.sock is not None
        self.selector.unregister(watcher.sock)
        watcher.sock.close()
        watcher.sock = None

    def _hear(self) -> None:
        while (message := self.pubsub.get_message(timeout=0)) is not None:
            if message["type"] != "pmessage":
                continue
            at, change = time.monotonic(), json.loads(message["data"])
            for target in self.owner_of(change["job_id"]):
                target.announced(change["status"], at)

    def run_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            now = time.monotonic()
            if now >= deadline:
                return False
            while self.timers and self.timers[0][0] <= now:
                heapq.heappop(self.timers)[2]()
            wake = min(deadline, self.timers[0][0] if self.timers else deadline) - now
            for key, _ in self.selector.select(timeout=max(0.0, min(wake, 1.0))):
                if key.data is None:
                    self._hear()
                else:
                    self._readable(key.data)
        return True

    def _readable(self, watcher: Watcher) -> None:
        assert watcher.sock is not None
        try:
            chunk = watcher.sock.recv(1 << 20)
        except ConnectionResetError:  # a request sent as the server dropped the idle line (keepalive)
            chunk = b""
        at = time.monotonic()
        self._hear()  # a change is announced before any document can show it
        if not chunk:
            self._closed(watcher)
        elif watcher.way == "sse":
            watcher.buffer = self._frames(watcher, watcher.buffer + chunk, at)
        else:
            watcher.buffer += chunk
            if (whole := complete(watcher.buffer)) is not None:
                self._answered(watcher, whole, at)

    def _closed(self, watcher: Watcher) -> None:
        self._drop(watcher)
        if watcher.done:
            return
        if watcher.way != "sse":
            self._send(watcher)  # the server closed an idle kept-alive line: ask again on a new one
        else:  # as EventSource does, after the `retry:` the server sent (1 s)
            self.resumed += 1
            self.at(time.monotonic() + STREAM_RETRY_SECONDS, lambda: self._send(watcher))

    def _frames(self, watcher: Watcher, buffer: bytes, at: float) -> bytes:
        """Note each complete event of the stream; returns what is left of the buffer."""
        *frames, rest = buffer.split(b"\n\n")
        for frame in frames:
            start = frame.find(b"data: ")
            if start >= 0:
                watcher.saw(frame[start + 6 : start + 6 + HEAD_BYTES], at)
        return rest

    def _answered(self, watcher: Watcher, whole: tuple[bytes, bytes, bytes], at: float) -> None:
        head, body, _ = whole
        watcher.buffer = b""
        if body:
            watcher.saw(body[:HEAD_BYTES], at)
        if (tag := ETAG.search(head)) is not None:
            watcher.etag = tag.group(1).strip()
        if watcher.done:
            return
        if watcher.way == "wait":
            self._send(watcher)
        else:
            self.at(at + watcher.delay, lambda: self._send(watcher))
            watcher.delay = min(POLL_MAX, watcher.delay * POLL_GROWTH)

    def latencies(self) -> dict[tuple[str, str], list[float]]:
        """Milliseconds from each change to each watcher's first sight of it, by (way, target kind)."""
        found: dict[tuple[str, str], list[float]] = {}
        for watcher in self.watchers:
            for series, k, at in watcher.sightings:
                zero = watcher.target.zero.get((series, k))
                if zero is not None:
                    found.setdefault((watcher.way, watcher.target.kind), []).append((at - zero) * 1000)
        return found

    def close(self) -> None:
        for key in list(self.selector.get_map().values()):
            if key.data is not None:
                key.fileobj.close()
        self.selector.close()
        self.pubsub.close()
