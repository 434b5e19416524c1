"""The command line with big files (parts, --parallel, resume after a kill), cancel, and live status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from infra.stack import CREDENTIALS, Stack
from tests.integration.conftest import make_stack
from tests.integration.test_cli import ROOT, run_cli
from tests.partproxy import PartProxy

MiB = 1024 * 1024
PART_BYTES = 8 * MiB
LINE = b"lorem ipsum dolor sit amet\n"
RATE = 4 * MiB  # per connection: a 48 MiB file takes a few seconds, time enough to kill the CLI


@pytest.fixture(scope="module")
def proxy() -> Iterator[PartProxy]:
    proxy = PartProxy(0, rate=RATE).up()
    yield proxy
    proxy.down()


@pytest.fixture(scope="module")
def parts_stack(tmp_path_factory, proxy: PartProxy) -> Iterator[Stack]:
    """A stack whose presigned URLs lead through the proxy, with one worker."""
    stack = make_stack(
        tmp_path_factory, "cli-parts", workers=1, S3_PUBLIC_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}"
    )
    proxy.target_port = stack.s3_port
    yield stack
    stack.stop()


@pytest.fixture
def counted(proxy: PartProxy) -> PartProxy:
    proxy.forget()
    return proxy


def big_file(folder: Path, size: int, name: str = "big.txt") -> tuple[Path, int]:
    lines = size // len(LINE)
    path = folder / name
    path.write_bytes(LINE * lines)
    return path, lines * len(LINE.split())


def start_cli(stack: Stack, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILEJOBS_", "AWS_"))}
    env.update(CREDENTIALS, FILEJOBS_API=stack.base_url)
    argv = [sys.executable, "-m", "cli", *args]
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def open_uploads(stack: Stack) -> list:
    return stack.s3_client().list_multipart_uploads(Bucket=stack.env["S3_BUCKET"]).get("Uploads", [])


def settled_parts(stack, record: dict) -> set[int]:
    """The part numbers the bucket holds once they stop changing: a part whose bytes were all sent
    before the client was killed may still be stored a moment later."""
    s3, seen = stack.s3_client(), None
    key = f"uploads/{record['job_id']}/big.txt"
    for _ in range(20):
        held = s3.list_parts(Bucket="jobs", Key=key, UploadId=record["upload_id"])
        numbers = {part["PartNumber"] for part in held.get("Parts", [])}
        if numbers == seen:
            return numbers
        seen = numbers
        time.sleep(0.5)
    raise AssertionError(f"the stored parts kept changing: {seen}")


def test_a_killed_submit_resumes_sending_only_the_missing_parts(parts_stack, counted, tmp_path):
    path, words = big_file(tmp_path, 48 * MiB)
    count = -(-path.stat().st_size // PART_BYTES)
    state = tmp_path / "state"
    first = start_cli(
        parts_stack, "submit", str(path), "--parallel", "2", "--resume-dir", str(state), "--no-progress"
    )
    until(lambda: counted.stored() >= 2, 60, "two parts in the bucket")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    [record_file] = state.iterdir()
    record = json.loads(record_file.read_text())
    held_numbers = settled_parts(parts_stack, record)
    assert 2 <= len(held_numbers) < count

    counted.forget()
    done = run_cli(parts_stack, "submit", str(path), "--wait", "--resume-dir", str(state), "--timeout", "120")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(held_numbers)} of {count} parts already in the bucket" in done.stderr
    assert counted.part_stored == Counter(dict.fromkeys(set(range(1, count + 1)) - held_numbers, 1))
    last = done.stdout.splitlines()[-1].split()  # file, status, words, language (Latin here), job id
    assert last[1:3] == ["finished", str(words)] and last[-1] == record["job_id"]
    assert list(state.iterdir()) == [] and open_uploads(parts_stack) == []


def test_parallel_sets_how_many_parts_are_in_flight(parts_stack, counted, tmp_path):
    path, _ = big_file(tmp_path, 40 * MiB)
    done = run_cli(parts_stack, "submit", str(path), "--parallel", "3", "--resume-dir", str(tmp_path / "s"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert counted.most_in_flight == 3
    assert sum(counted.part_stored.values()) == 5 and "sent 5 parts, 0 re-sent" in done.stderr


def test_a_part_changed_on_the_way_is_sent_again(parts_stack, counted, tmp_path):
    path, words = big_file(tmp_path, 20 * MiB)
    counted.rate = None
    counted.tamper(2)
    try:
        done = run_cli(parts_stack, "submit", str(path), "--wait", "--resume-dir", str(tmp_path / "s"))
    finally:
        counted.rate = RATE
    assert done.returncode == 0, done.stdout + done.stderr
    assert counted.part_answers[2] == [400, 200] and "1 re-sent" in done.stderr
    assert done.stdout.splitlines()[-1].split()[1:3] == ["finished", str(words)]


def queued_batch(stack: Stack, *names: str) -> dict:
    files = [("file", (name, b"some words here")) for name in names]
    reply = requests.post(f"{stack.base_url}/uploads", files=files, timeout=30)
    assert reply.status_code == 202, reply.text
    return reply.json()


def test_cancel_a_job_then_a_batch(parts_stack):
    worker = parts_stack.workers[0]
    worker.send(signal.SIGSTOP)  # everything stays queued meanwhile
    try:
        one = queued_batch(parts_stack, "one.txt")["jobs"][0]
        done = run_cli(parts_stack, "cancel", one["job_id"])
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"{one['job_id']} failed one.txt: cancelled")
        again = run_cli(parts_stack, "cancel", one["job_id"])
        assert again.returncode == 1 and again.stderr.startswith(f"filejobs: {one['job_id']}: ")

        batch = queued_batch(parts_stack, "a.txt", "b.txt")
        done = run_cli(parts_stack, "cancel", batch["batch_id"])
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        worker.send(signal.SIGCONT)
    for job in batch["jobs"]:
        got = requests.get(f"{parts_stack.base_url}/jobs/{job['job_id']}", timeout=10).json()
        assert (got["status"], got["error"]["code"]) == ("failed", "cancelled")


def test_watch_and_submit_wait_follow_the_streams(parts_stack, tmp_path):
    # A poll every 1000 s would never finish in time: only the streams can end these commands.
    batch = queued_batch(parts_stack, "w1.txt", "w2.txt")
    done = run_cli(parts_stack, "watch", batch["batch_id"], "--poll", "1000", "--timeout", "60", timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].endswith(
        " done: 2/2 ended (finished 2, failed 0, started 0, queued 0)"
    )

    (tmp_path / "s.txt").write_text("three little words")
    done = run_cli(parts_stack, "submit", str(tmp_path / "s.txt"), "--wait", "--poll", "1000", timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].split()[1:3] == ["finished", "3"]
