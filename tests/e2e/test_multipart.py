"""Big files through the page in headless Chromium: parts with checksums, a cut connection, a reload,
a part changed on the way, cancel; and jobs followed over their event stream."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from infra.stack import Stack
from tests.e2e.conftest import PageProblems, stop_workers
from tests.integration.conftest import make_stack
from tests.partproxy import PartProxy

pytestmark = pytest.mark.browser

MiB = 1024 * 1024
PART_BYTES = 8 * MiB  # the server's smallest part: files here are cut in parts of this size
PARTS_IN_FLIGHT = 4  # web/multipart.js
LINE = b"lorem ipsum dolor sit amet\n"
# Per connection (the proxy slows what goes to the bucket): 4 parts in flight make ~10 MB/s, so a
# 64 MiB file takes ~7 s: time to cut it and to reload in the middle.
RATE = 2.5 * 1024 * 1024
JOB_TIMEOUT_MS = 90_000
NETWORK_FAULTS = ("ERR_CONNECTION", "ERR_EMPTY_RESPONSE", "ERR_FAILED", "ERR_NETWORK_CHANGED")


@pytest.fixture(scope="module")
def proxy() -> Iterator[PartProxy]:
    proxy = PartProxy(0, rate=RATE).up()
    yield proxy
    proxy.down()


@pytest.fixture(scope="module")
def parts_stack(tmp_path_factory, proxy: PartProxy) -> Iterator[Stack]:
    """A stack whose presigned URLs go through the proxy (the browser's road to the bucket)."""
    public = f"http://127.0.0.1:{proxy.port}"
    stack = make_stack(tmp_path_factory, "parts", workers=1, S3_PUBLIC_ENDPOINT_URL=public)
    proxy.target_port = stack.s3_port
    yield stack
    stop_workers(stack, 3.0)
    stack.stop()


@pytest.fixture
def parts_page(browser, parts_stack: Stack, proxy: PartProxy) -> Iterator:
    problems = PageProblems()
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and problems.console.append(msg.text))
    page.on("pageerror", lambda exc: problems.errors.append(str(exc)))
    page.on(
        "requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and problems.requests.append(r.url)
    )
    page.goto(parts_stack.base_url + "/")
    page.wait_for_selector("#dropzone:not([disabled])")
    page.problems = problems
    proxy.forget()
    yield page
    proxy.rate = RATE
    context.close()
    assert problems.errors == [], "the page threw"


def big_file(folder: Path, size: int, name: str = "big.txt") -> tuple[Path, int]:
    """A text file of about `size` bytes and its word count."""
    lines = size // len(LINE)
    path = folder / name
    with path.open("wb") as out:
        block = LINE * 4096
        for _ in range(lines // 4096):
            out.write(block)
        out.write(LINE * (lines % 4096))
    return path, lines * len(LINE.split())


def row(page, filename: str):
    name = page.locator(".file-name", has_text=re.compile(f"^{re.escape(filename)}$"))
    return page.locator("li.row").filter(has=name)


def until(condition: Callable[[], bool], timeout: float, what: str, page=None, memory=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if memory is not None:
            memory.sample()
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.05)


def watch_progress(page) -> None:
    """Record every value the upload's progress bar shows (a fresh list after each load of the page)."""
    page.evaluate(
        """() => {
            window.progressSeen = [];
            setInterval(() => {
                const bar = document.querySelector("li.row progress:not([hidden])");
                if (bar) window.progressSeen.push(bar.value);
            }, 20);
        }"""
    )


def assert_progress_never_went_back(page) -> None:
    seen = page.evaluate("window.progressSeen")
    assert seen, "the progress bar was never seen"
    assert all(a <= b for a, b in zip(seen, seen[1:], strict=False)), "progress went backwards"
    assert max(seen) <= 1


def open_uploads(stack: Stack, job_id: str) -> list:
    """The bucket's open multipart uploads of one job (another test's leftovers are not this one's)."""
    listed = stack.s3_client().list_multipart_uploads(Bucket=stack.env["S3_BUCKET"]).get("Uploads", [])
    return [upload for upload in listed if upload["Key"].startswith(f"uploads/{job_id}/")]


def finished_job(stack: Stack, page, name: str) -> dict:
    item = row(page, name)
    expect(item).to_have_attribute("data-state", "finished", timeout=JOB_TIMEOUT_MS)
    job_id = item.get_attribute("data-job-id")
    return requests.get(f"{stack.base_url}/jobs/{job_id}", timeout=10).json()


@dataclass
class Interrupted:
    """What an interrupted upload cost: part PUTs beyond one per part, bytes beyond the file's, memory."""

    parts: int
    resent: int
    resent_bytes: int
    heap_mib: float
    browser_rss_mib: float
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.parts} parts in {self.seconds:.0f} s: {self.resent} part PUTs re-sent,"
            f" {self.resent_bytes / PART_BYTES:.2f} parts' worth of bytes;"
            f" browser JS heap <= {self.heap_mib:.0f} MiB, Chromium RSS <= {self.browser_rss_mib:.0f} MiB"
        )


def chromium_rss_mib() -> float:
    """The resident memory of this test's Chromium processes (descendants of this process)."""
    parents, rss = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        pid = int(status.parent.name)
        parents[pid] = int(fields["PPid"])
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "chrom" in fields["Name"] else 0

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return sum(kib for pid, kib in rss.items() if kib and ours(pid)) / 1024


class Memory:
    """The page's JS heap and Chromium's RSS, sampled while waiting."""

    def __init__(self, page) -> None:
        self.page, self.heap, self.rss, self.last = page, 0.0, 0.0, 0.0
        self.attach()

    def attach(self) -> None:
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")

    def sample(self) -> None:
        if time.monotonic() - self.last < 1.0:
            return
        self.last = time.monotonic()
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        self.heap = max(self.heap, metrics.get("JSHeapUsedSize", 0) / MiB)
        self.rss = max(self.rss, chromium_rss_mib())


def upload_interrupted(
    page, stack, proxy, path: Path, cuts: tuple[float, ...], reload_at: float
) -> Interrupted:
    """Upload `path`, cutting the connection at each fraction of `cuts` and reloading at `reload_at`."""
    started = time.monotonic()
    count = -(-path.stat().st_size // PART_BYTES)
    memory = Memory(page)
    watch_progress(page)
    page.set_input_files("#picker", str(path))
    for at in sorted([*cuts, reload_at]):
        until(
            lambda: proxy.stored() >= max(1, round(at * count)), 600, f"{at:.0%} in the bucket", page, memory
        )
        assert_progress_never_went_back(page)
        if at != reload_at:
            proxy.down()  # every part in flight fails
            page.wait_for_timeout(1500)
            proxy.up()
            continue
        page.reload()  # the row remembers the job, the browser the upload
        memory.attach()
        item = row(page, path.name)
        expect(item).to_have_attribute("data-state", "interrupted")
        expect(item.locator(".error-text")).to_contain_text("Add the same file again")
        watch_progress(page)
        page.set_input_files("#picker", str(path))
    # The page says when every part is in: the proxy may never see the answer to the part a reload cut.
    item = row(page, path.name)
    until(lambda: item.get_attribute("data-state") != "uploading", 120, "the upload's end", page, memory)
    assert_progress_never_went_back(page)
    assert max(proxy.part_stored.values()) == 1, f"a part was stored twice: {proxy.part_stored}"
    page.problems.console[:] = [t for t in page.problems.console if not any(f in t for f in NETWORK_FAULTS)]
    return Interrupted(
        parts=count,
        resent=sum(proxy.part_puts.values()) - count,
        resent_bytes=proxy.upload_bytes - path.stat().st_size,
        heap_mib=memory.heap,
        browser_rss_mib=memory.rss,
        seconds=time.monotonic() - started,
    )


def test_a_cut_and_a_reload_resend_only_the_parts_in_flight(parts_page, parts_stack, proxy, tmp_path):
    path, words = big_file(tmp_path, 64 * MiB)
    cost = upload_interrupted(parts_page, parts_stack, proxy, path, cuts=(0.3,), reload_at=0.5)
    print(f"\nmultipart 64 MiB, a cut at 30 % and a reload at 50 %: {cost}")
    job = finished_job(parts_stack, parts_page, path.name)
    assert job["result"]["words"] == words
    assert stored_sha256(parts_stack, job) == sha256_of(path)
    # Each interruption costs the parts in flight at that moment (at most 4), never a part already held.
    assert cost.resent <= 2 * PARTS_IN_FLIGHT, proxy.part_puts
    assert cost.resent_bytes < 2 * PARTS_IN_FLIGHT * PART_BYTES
    assert open_uploads(parts_stack, job["job_id"]) == []


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("FILEJOBS_BIG_UPLOAD"), reason="set FILEJOBS_BIG_UPLOAD=1 (2 GiB, minutes)"
)
def test_a_2_gib_file_with_three_cuts_and_a_reload(parts_page, parts_stack, proxy, tmp_path):
    """The issue's target: cuts at 30, 60 and 90 %, a reload at 50 %, memory flat (not in CI)."""
    proxy.rate = 40 * MiB
    path, _ = big_file(tmp_path, 2 * 1024 * MiB)
    cost = upload_interrupted(parts_page, parts_stack, proxy, path, cuts=(0.3, 0.6, 0.9), reload_at=0.5)
    print(f"\nmultipart 2 GiB, cuts at 30/60/90 % and a reload at 50 %: {cost}")
    assert cost.resent <= 4 * PARTS_IN_FLIGHT
    assert cost.heap_mib < 200, "the page's memory grew with the file"
    item = row(parts_page, path.name)
    job = requests.get(f"{parts_stack.base_url}/jobs/{item.get_attribute('data-job-id')}", timeout=10).json()
    assert job["source"]["size"] == path.stat().st_size
    assert stored_sha256(parts_stack, job) == sha256_of(path)


def test_requests_the_browser_stops_leave_the_upload_listed(parts_page, parts_stack, proxy, tmp_path):
    """A reload stops the page's requests before the page goes: that is not Cancel. (Taken for one,
    the job left the stored list, and the reloaded page showed nothing to resume.) And an upload the
    browser can resume is listed after a reload even if the list lost it."""
    page = parts_page
    path, words = big_file(tmp_path, 20 * MiB, "stopped.txt")
    page.set_input_files("#picker", str(path))
    item = row(page, path.name)
    until(lambda: proxy.stored() >= 1, 60, "a part in the bucket", page)
    job_id = item.get_attribute("data-job-id")
    page.evaluate("window.stop()")  # what a navigation does to the requests in flight
    expect(item).to_have_attribute("data-state", "interrupted")
    assert job_id in page.evaluate("localStorage.getItem('filejobs.jobs.v1')")
    # However the list was last saved, the upload this browser can resume is listed after a reload.
    page.evaluate("localStorage.setItem('filejobs.jobs.v1', '[]')")
    page.reload()
    item = row(page, path.name)
    expect(item).to_have_attribute("data-state", "interrupted")
    expect(item.locator(".error-text")).to_contain_text("Add the same file again")
    page.set_input_files("#picker", str(path))
    job = finished_job(parts_stack, page, path.name)
    assert (job["job_id"], job["result"]["words"]) == (job_id, words)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def stored_sha256(stack: Stack, job: dict) -> str:
    body = stack.s3_client().get_object(Bucket=job["source"]["bucket"], Key=job["source"]["key"])["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(MiB), b""):
        digest.update(chunk)
    return digest.hexdigest()


def test_a_part_changed_on_the_way_is_refused_and_sent_again(parts_page, parts_stack, proxy, tmp_path):
    page = parts_page
    path, words = big_file(tmp_path, 20 * MiB, "tampered.txt")  # parts of 8, 8 and 4 MiB
    proxy.rate = None
    proxy.tamper(2)
    page.set_input_files("#picker", str(path))
    job = finished_job(parts_stack, page, path.name)

    assert proxy.tampered == [2]
    assert proxy.part_answers[2] == [400, 200], proxy.part_answers  # BadDigest, then the good bytes
    assert job["result"]["words"] == words
    assert stored_sha256(parts_stack, job) == sha256_of(path)
    page.problems.console[:] = [t for t in page.problems.console if "400" not in t]


def test_cancel_aborts_the_upload_in_the_bucket(parts_page, parts_stack, proxy, tmp_path):
    page = parts_page
    path, _ = big_file(tmp_path, 40 * MiB, "cancelled.txt")
    deletes: list[str] = []
    page.on(
        "request", lambda r: r.method == "DELETE" and "/uploads/multipart/" in r.url and deletes.append(r.url)
    )
    page.set_input_files("#picker", str(path))
    item = row(page, path.name)
    until(lambda: proxy.stored() >= 1, 60, "a part in the bucket", page)
    job_id = item.get_attribute("data-job-id")
    item.get_by_role("button", name=f"Cancel the upload of {path.name}").click()
    expect(item).to_have_attribute("data-state", "cancelled")

    until(lambda: len(deletes) == 1, 10, "the DELETE of the upload", page)
    until(lambda: open_uploads(parts_stack, job_id) == [], 10, "no multipart upload left in the bucket")
    job = requests.get(f"{parts_stack.base_url}/jobs/{job_id}", timeout=10).json()
    assert (job["status"], job["error"]["code"]) == ("failed", "cancelled")
    assert page.evaluate("localStorage.getItem('filejobs.multipart.v1')") in (None, "{}")


def test_a_queued_job_is_cancelled_from_the_page(parts_page, parts_stack):
    page = parts_page
    worker = parts_stack.workers[0]
    worker.send(signal.SIGSTOP)  # nothing is taken off the queue meanwhile
    try:
        page.set_input_files("#picker", [{"name": "q.txt", "mimeType": "text/plain", "buffer": b"a b c"}])
        item = row(page, "q.txt")
        expect(item).to_have_attribute("data-state", "queued")
        item.get_by_role("button", name="Cancel the job of q.txt").click()
        expect(item).to_have_attribute("data-state", "failed")
        expect(item.locator(".error-text")).to_have_text("The job was cancelled.")
    finally:
        worker.send(signal.SIGCONT)


def test_jobs_are_followed_over_their_event_stream(parts_page, parts_stack):
    page = parts_page
    streams: list[str] = []
    polls: list[str] = []
    page.on("request", lambda r: r.resource_type == "eventsource" and streams.append(r.url))
    page.on("request", lambda r: re.search(r"/jobs/[0-9a-f]+(\?.*)?$", r.url) and polls.append(r.url))
    page.set_input_files("#picker", [{"name": "s.txt", "mimeType": "text/plain", "buffer": b"one two"}])
    expect(row(page, "s.txt")).to_have_attribute("data-state", "finished", timeout=JOB_TIMEOUT_MS)
    assert len(streams) == 1 and streams[0].endswith("/events")
    assert polls == [], "polled although the stream was there"


def test_without_streams_the_page_long_polls(parts_page, parts_stack):
    page = parts_page
    waits: list[str] = []
    page.route(re.compile(r"/jobs/[0-9a-f]+/events$"), lambda route: route.fulfill(status=404, body="{}"))
    page.on("request", lambda r: "?wait=" in r.url and waits.append(r.url))
    worker = parts_stack.workers[0]
    worker.send(signal.SIGSTOP)  # the job waits in the queue until the page long-polls it
    try:
        page.set_input_files("#picker", [{"name": "w.txt", "mimeType": "text/plain", "buffer": b"a b c"}])
        until(lambda: bool(waits), 30, "a long poll", page)
    finally:
        worker.send(signal.SIGCONT)
    expect(row(page, "w.txt")).to_have_attribute("data-state", "finished", timeout=JOB_TIMEOUT_MS)
    page.problems.console[:] = [t for t in page.problems.console if "404" not in t and "EventSource" not in t]
