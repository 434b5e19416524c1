"""A FaultProxy in front of the bucket that also slows uploads down and can change one part on the way."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter

from tests.faultproxy import FaultProxy, _close

PART_REQUEST = re.compile(rb"^PUT [^ ]*[?&]partNumber=(\d+)[& ]", re.M)
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ", re.M)


class PartProxy(FaultProxy):
    """Uploads through it go at `rate` bytes/s; `tamper(n)` flips one body byte of the next PUT of part n."""

    def __init__(self, target_port: int, rate: float | None = None) -> None:
        super().__init__(target_port)
        self.rate = rate
        self._tamper: set[int] = set()
        self.tampered: list[int] = []
        self.part_puts: Counter[int] = Counter()  # PUTs of each part that reached the bucket's side
        # 200 answers to them. Not every part the bucket holds: a cut or a reload can lose the answer
        # to a part the bucket had already stored (and a resumed upload rightly does not send it again).
        self.part_stored: Counter[int] = Counter()
        self.part_answers: dict[int, list[int]] = {}  # every answer's status, by part
        self._asked: dict[int, int] = {}  # connection -> the part its last PUT named
        self.most_in_flight = 0  # the most part PUTs open at once
        self.upload_bytes = 0  # everything sent towards the bucket (headers included)
        self._guard = threading.Lock()

    def forget(self) -> None:
        """Start counting afresh (each test its own upload)."""
        with self._guard:
            self.part_puts.clear()
            self.part_stored.clear()
            self.part_answers.clear()
            self.upload_bytes = self.most_in_flight = 0

    def stored(self) -> int:
        with self._guard:
            return sum(self.part_stored.values())

    def tamper(self, part_number: int) -> None:
        with self._guard:
            self._tamper.add(part_number)

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        upload = src.getpeername()[1] != self.target_port  # browser -> bucket, not the answers
        conn = id(src if upload else dst)
        armed = False
        try:
            while data := src.recv(65536):
                if upload:
                    self._note_request(conn, data)
                    data, armed = self._maybe_tamper(data, armed)
                    if self.rate:
                        time.sleep(len(data) / self.rate)
                else:
                    self._note_answer(conn, data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._guard:
                self._asked.pop(conn, None)  # cut before its answer
            _close(src)
            _close(dst)

    def _note_request(self, conn: int, data: bytes) -> None:
        with self._guard:
            self.upload_bytes += len(data)
            for seen in PART_REQUEST.finditer(data):
                self.part_puts[int(seen.group(1))] += 1
                self._asked[conn] = int(seen.group(1))
                self.most_in_flight = max(self.most_in_flight, len(self._asked))

    def _note_answer(self, conn: int, data: bytes) -> None:
        with self._guard:
            for seen in STATUS_LINE.finditer(data):
                number = self._asked.pop(conn, None)
                if number is None:
                    continue
                self.part_answers.setdefault(number, []).append(int(seen.group(1)))
                if seen.group(1) == b"200":
                    self.part_stored[number] += 1

    def _maybe_tamper(self, data: bytes, armed: bool) -> tuple[bytes, bool]:
        """Flip the first body byte after the headers of a PUT of a part asked for (once per ask)."""
        match = PART_REQUEST.search(data)
        if match:
            with self._guard:
                number = int(match.group(1))
                if number in self._tamper:
                    self._tamper.discard(number)
                    self.tampered.append(number)
                    armed = True
            if armed:
                end = data.find(b"\r\n\r\n", match.start())
                if end >= 0 and end + 4 < len(data):
                    return _flip(data, end + 4), False
                return data, True
        if armed and data:
            return _flip(data, 0), False
        return data, armed


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1 :]
