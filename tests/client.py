"""A small HTTP client for the tests: upload, poll, fetch, exactly as a script would."""

from __future__ import annotations

import time
from typing import Any

import requests

ENDED = ("finished", "failed")


class Api:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return self.base + path

    def upload(self, *files: tuple[str, bytes]) -> requests.Response:
        parts = [("file", (name, data)) for name, data in files]
        return self.http.post(self.url("/uploads"), files=parts, timeout=60)

    def upload_one(self, name: str, data: bytes) -> dict[str, Any]:
        reply = self.upload((name, data))
        assert reply.status_code == 202, reply.text
        return reply.json()["jobs"][0]

    def job(self, job_id: str) -> requests.Response:
        return self.http.get(self.url(f"/jobs/{job_id}"), timeout=10)

    def wait(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        """Poll until the job has ended; fails the test with its last state on timeout."""
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            reply = self.job(job_id)
            if reply.status_code == 200:
                job = reply.json()
                if job["status"] in ENDED:
                    return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not end within {timeout} s: {job}")

    def process(self, name: str, data: bytes, timeout: float = 60) -> dict[str, Any]:
        return self.wait(self.upload_one(name, data)["job_id"], timeout)
