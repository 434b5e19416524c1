"""`submit` for big files: parts signed with their SHA-256, N at a time, resumed from a record on disk."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import requests

from cli.api import Api, ApiFailure, failure_of
from cli.files import content_type
from cli.parts import Part, Resume, checksum, cut, load_resume, resume_file, save_resume, whole_held
from cli.progress import Progress

MAX_TRIES = 6
FIRST_BACKOFF = 0.5
# 400 is BadDigest (the bytes changed on the way) and 403 an expired URL: both worth another go.
RESEND_STATUSES = (400, 403)


def put_part(api: Api, url: str, headers: dict[str, str], data: bytes) -> str:
    """PUT one part to its presigned URL (no API key: the bucket is a third party); its ETag."""
    try:
        reply = requests.put(url, data=data, headers=headers, timeout=api.timeout)
    except requests.RequestException as exc:
        raise ApiFailure(f"a part did not reach the bucket ({type(exc).__name__})", "upload_failed") from None
    if reply.status_code != 200:
        raise failure_of(reply)
    return reply.headers.get("ETag", "")


class PartSender:
    """Sends the parts of one upload; each part is read, hashed, signed and PUT on a worker thread."""

    def __init__(
        self, api: Api, path: Path, job_id: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.api, self.path, self.job_id, self.sleep = api, path, job_id, sleep
        self.stopped = threading.Event()
        self.resent = 0

    def sign(self, number: int, digest: str) -> dict[str, Any]:
        asked = {"parts": [{"part_number": number, "checksum_sha256": digest}]}
        return self.api.post(f"/uploads/multipart/{self.job_id}/parts", asked)["parts"][0]

    def send(self, part: Part) -> str:
        """The part's ETag once the bucket holds it; ApiFailure after MAX_TRIES."""
        with self.path.open("rb") as file:
            file.seek(part.start)
            data = file.read(part.length)
        digest, signed = checksum(data), None
        for attempt in range(1, MAX_TRIES + 1):
            if self.stopped.is_set():
                raise ApiFailure("stopped", "stopped")
            try:
                signed = signed or self.sign(part.number, digest)
                return put_part(self.api, signed["url"], signed.get("headers") or {}, data)
            except ApiFailure as exc:
                fatal = exc.status is not None and exc.status < 500 and exc.status not in RESEND_STATUSES
                if fatal or attempt == MAX_TRIES or exc.status == 409:
                    raise
                self.resent += 1
                signed = None if exc.status in RESEND_STATUSES else signed
                self.sleep(FIRST_BACKOFF * 2 ** (attempt - 1) if exc.status != 400 else 0)
        raise AssertionError("unreachable")


def open_upload(api: Api, path: Path, record_file: Path) -> tuple[Resume, dict[int, str]]:
    """The upload to carry on (its record and the parts the bucket holds), or a new one."""
    stat = path.stat()
    record = load_resume(record_file)
    if record is not None:
        try:
            held = api.get(f"/uploads/multipart/{record.job_id}/parts")["parts"]
            return record, whole_held(cut(record.size, record.part_size), held)
        except ApiFailure as exc:
            if exc.status not in (404, 409):
                raise
            record_file.unlink(missing_ok=True)  # completed, aborted or expired: start afresh
    asked = {"filename": path.name, "size": stat.st_size, "content_type": content_type(path)}
    grant = api.post("/uploads/multipart", asked)
    record = Resume(
        api.base, str(path.resolve()), stat.st_size, stat.st_mtime_ns,
        grant["job_id"], grant["upload_id"], grant["part_size"],
    )  # fmt: skip
    save_resume(record_file, record)
    return record, {}


def send_parts(sender: PartSender, parts: list[Part], parallel: int, bar: Progress) -> dict[int, str]:
    """Send `parts` `parallel` at a time; their ETags. The first failure stops the rest and is raised."""
    etags: dict[int, str] = {}
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="part")
    try:
        futures = {pool.submit(sender.send, part): part for part in parts}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                part = futures[future]
                etags[part.number] = future.result()
                bar.update(part.length)
    except BaseException:
        sender.stopped.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return etags


def send_big_file(api: Api, path: Path, parallel: int, state_dir: Path, bar: Progress) -> dict[str, Any]:
    """Upload `path` in parts (carrying on an interrupted upload of it) and complete it; the job."""
    stat = path.stat()
    record_file = resume_file(state_dir, api.base, path, stat.st_size, stat.st_mtime_ns)
    record, held = open_upload(api, path, record_file)
    parts = cut(record.size, record.part_size)
    missing = [part for part in parts if part.number not in held]
    if held:
        bar.note(f"filejobs: {path.name}: {len(held)} of {len(parts)} parts already in the bucket")
    bar.update(sum(part.length for part in parts if part.number in held))
    sender = PartSender(api, path, record.job_id)
    etags = {**held, **send_parts(sender, missing, parallel, bar)}
    bar.note(f"filejobs: {path.name}: sent {len(missing)} parts, {sender.resent} re-sent")
    if not all(etags.values()):  # a bucket that hides ETag: ask what it holds
        held_now = api.get(f"/uploads/multipart/{record.job_id}/parts")["parts"]
        etags.update(whole_held(parts, held_now))
    listed = [{"part_number": n, "etag": etag} for n, etag in sorted(etags.items())]
    job = api.call("POST", f"/uploads/multipart/{record.job_id}/complete", json={"parts": listed}, ok=(202,))
    record_file.unlink(missing_ok=True)
    return job
