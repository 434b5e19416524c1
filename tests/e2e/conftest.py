"""A real stack and headless Chromium (Debian's, driven by Playwright) for the page's end-to-end tests."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infra.stack import Stack
from tests.integration.conftest import make_stack

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
WORKER_STOP_SECONDS = 3.0


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory) -> Iterator[Stack]:
    stack = make_stack(tmp_path_factory, "e2e", workers=2, MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES))
    yield stack
    stop_workers(stack, WORKER_STOP_SECONDS)
    stack.stop()


def stop_workers(stack: Stack, timeout: float) -> None:
    """Stop the (idle) workers together, killing any still there after `timeout` seconds."""
    for worker in stack.workers:
        worker.send(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for worker in stack.workers:
        if worker.proc is None:
            continue
        try:
            worker.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class PageProblems:
    """Everything the page complained about: console errors, uncaught exceptions, failed requests."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.console, *self.errors, *self.requests]


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, web_stack: Stack, problems: PageProblems) -> Iterator:
    """A fresh browser context (empty localStorage) on the page; fails the test on any console error."""
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and problems.console.append(msg.text))
    page.on("pageerror", lambda exc: problems.errors.append(str(exc)))

    def request_failed(request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:  # a cancelled upload or a navigation away is not a fault
            problems.requests.append(f"{request.method} {request.url}: {failure}")

    page.on("requestfailed", request_failed)
    page.goto(web_stack.base_url + "/")
    page.wait_for_selector("#dropzone:not([disabled])")
    yield page
    context.close()
    assert problems.all() == [], "the page logged errors"
