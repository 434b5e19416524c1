"""A light HTTP load generator: multipart uploads over keep-alive connections from a few threads."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Sent:
    """One request: when it started (wall clock, comparable across processes) and how it went."""

    index: int
    started: float
    latency: float
    status: int
    reply: bytes


def multipart(filename: str, body: bytes, content_type: str = "text/plain") -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body with one `file` part, and its headers."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    data = head + body + f"\r\n--{boundary}--\r\n".encode()
    return data, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(data)),
    }


class _Connection:
    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", path, data, headers)
                reply = self.conn.getresponse()
                body = reply.read()
                if reply.will_close:
                    self.close()
                return reply.status, body
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def post_all(
    base_url: str,
    requests: list[tuple[bytes, dict[str, str]]],
    concurrency: int,
    path: str = "/uploads",
    timeout: float = 60,
) -> list[Sent]:
    """POST every prepared (body, headers) with `concurrency` threads; results in request order."""
    results: list[Sent | None] = [None] * len(requests)
    lock, cursor = threading.Lock(), iter(range(len(requests)))

    def worker() -> None:
        conn = _Connection(base_url, timeout)
        try:
            while True:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                data, headers = requests[index]
                started, t0 = time.time(), time.perf_counter()
                try:
                    status, reply = conn.post(path, data, headers)
                except (OSError, http.client.HTTPException) as exc:
                    status, reply = 599, str(exc).encode()
                results[index] = Sent(index, started, time.perf_counter() - t0, status, reply)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [sent for sent in results if sent is not None]


def job_id(sent: Sent) -> str | None:
    """The job id in an upload reply (`{"jobs": [{"job_id": ...}]}`), for ours and the baselines."""
    if sent.status >= 300:
        return None
    try:
        return json.loads(sent.reply)["jobs"][0]["job_id"]
    except (ValueError, KeyError, IndexError):
        return None
