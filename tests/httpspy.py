"""A FaultProxy in front of the functions that notes every request line and can refuse some paths."""

from __future__ import annotations

import re
import socket
import threading

from tests.faultproxy import FaultProxy, _close

REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]\r$", re.M)
NOT_FOUND = b'{"error": {"code": "not_found", "message": "No such route here."}}'


class RequestLog(FaultProxy):
    """`requests` holds "METHOD path" of each request seen; paths matching `refuse` get a 404."""

    def __init__(self, target_port: int, refuse: str | None = None) -> None:
        super().__init__(target_port)
        self.refuse = re.compile(refuse) if refuse else None
        self.requests: list[str] = []
        self._noted = threading.Lock()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        if src.getpeername()[1] == self.target_port:
            return super()._pipe(src, dst)  # the answers pass as they are
        try:
            while data := src.recv(65536):
                if self._refused(data, src):
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src)
            _close(dst)

    def _refused(self, data: bytes, client: socket.socket) -> bool:
        """Note the requests in `data`; answer 404 (and say so) if one of them is refused."""
        for method, path in REQUEST_LINE.findall(data):
            with self._noted:
                self.requests.append(f"{method.decode()} {path.decode()}")
            if self.refuse and self.refuse.search(path.decode()):
                head = f"HTTP/1.1 404 Not Found\r\nContent-Length: {len(NOT_FOUND)}\r\nConnection: close"
                client.sendall(f"{head}\r\nContent-Type: application/json\r\n\r\n".encode() + NOT_FOUND)
                return True
        return False
