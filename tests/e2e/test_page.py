"""The web page in headless Chromium against a real stack: upload, follow, refuse, reload, look."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import time

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.builders import make_pdf, make_txt
from tests.e2e.conftest import MAX_UPLOAD_BYTES, WORKER_STOP_SECONDS, stop_workers
from tests.e2e.files import Sample, encrypted_pdf, pdf_page_words, samples
from tests.integration.conftest import make_stack
from tests.languages import PARAGRAPHS

pytestmark = pytest.mark.browser

JOB_TIMEOUT_MS = 30_000


def row(page, filename: str):
    name = page.locator(".file-name", has_text=re.compile(f"^{re.escape(filename)}$"))
    return page.locator("li.row").filter(has=name)


def expect_finished(page, sample: Sample) -> None:
    item = row(page, sample.name)
    expect(item).to_have_attribute("data-state", "finished", timeout=JOB_TIMEOUT_MS)
    expect(item.locator(".status-text")).to_have_text(re.compile(r"^Finished( in .+)?$"))
    expect(item.locator(".stat-words dd")).to_have_text(f"{sample.words:,}")


def server_refusal(base_url: str, name: str, size: int) -> str:
    reply = requests.post(f"{base_url}/uploads/presign", json={"filename": name, "size": size}, timeout=10)
    assert reply.status_code in (413, 415), reply.text
    return reply.json()["error"]["message"]


def test_page_headers_and_assets(web_stack):
    base = web_stack.base_url
    reply = requests.get(base + "/", timeout=10)
    assert reply.status_code == 200
    csp = reply.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    connect = next(part for part in csp.split(";") if part.strip().startswith("connect-src"))
    assert web_stack.env["S3_ENDPOINT_URL"] in connect
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    for module in ("app.js", "api.js", "view.js"):
        asset = requests.get(f"{base}/web/{module}", timeout=10)
        assert asset.status_code == 200
        assert asset.headers["Content-Type"].startswith("text/javascript")
        assert "Content-Security-Policy" in asset.headers
    assert requests.get(f"{base}/web/styles.css", timeout=10).headers["Content-Type"].startswith("text/css")
    for path in ("/web/../../etc/passwd", "/web/%2e%2e/%2e%2e/etc/passwd", "/web/..%2f..%2fetc/passwd"):
        prepared = requests.Request("GET", base + path).prepare()
        prepared.url = base + path  # as typed: no client-side normalisation of `..`
        assert requests.Session().send(prepared, timeout=10).status_code == 404, path


def test_every_type_finishes_with_its_word_count(page, web_stack, artifacts):
    files = samples()
    # Keyboard only: Tab to the drop zone, Enter opens the picker. A listener switches on Playwright's
    # file chooser interception now: enabled only inside expect_file_chooser it races a bare key press.
    page.on("filechooser", lambda chooser: None)
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "dropzone":
            break
    expect(page.locator("#dropzone")).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files([sample.payload() for sample in files])

    for sample in files:
        expect_finished(page, sample)
    pdf = row(page, "report.pdf")
    expect(pdf.locator(".stat-pages dd")).to_have_text("3")
    expect(pdf.locator(".pages .page-words")).to_have_text([re.compile(rf"^{n}\b") for n in pdf_page_words()])
    expect(row(page, "notes.txt").locator(".stat-encoding dd")).not_to_be_empty()

    total = sum(sample.words for sample in files)
    expect(page.locator("#summary")).to_have_text(f"4 files · 4 finished · 0 failed · {total} words in total")
    expect(page.locator("#announcer")).to_contain_text(f"report.pdf finished: {files[3].words} words.")

    link = pdf.get_by_role("link", name=re.compile("Result JSON"))
    result = page.request.get(link.evaluate("a => a.href"))
    assert result.ok and result.json()["words"] == files[3].words

    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(artifacts / "page.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways at 360 px"
    page.screenshot(path=str(artifacts / "page-narrow.png"), full_page=True)


def test_refused_in_the_page_with_the_servers_words(page, web_stack):
    presigns: list[str] = []
    page.on("request", lambda request: "/uploads/presign" in request.url and presigns.append(request.url))
    oversized = b"x" * (MAX_UPLOAD_BYTES + 1)
    page.set_input_files(
        "#picker",
        [
            {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"},
            {"name": "huge.txt", "mimeType": "text/plain", "buffer": oversized},
        ],
    )
    for name, size in (("setup.exe", 4), ("huge.txt", len(oversized))):
        item = row(page, name)
        expect(item).to_have_attribute("data-state", "refused")
        expect(item.locator(".status-text")).to_have_text("Not accepted")
        expect(item.locator(".error-text")).to_have_text(server_refusal(web_stack.base_url, name, size))
    expect(page.locator("#summary")).to_have_text("2 files · 0 finished · 2 failed · 0 words in total")
    assert presigns == [], "refused files must not reach the server"


def test_encrypted_pdf_is_reported_as_password_protected(page):
    sample = encrypted_pdf()
    page.set_input_files("#picker", [sample.payload()])
    item = row(page, sample.name)
    expect(item).to_have_attribute("data-state", "failed", timeout=JOB_TIMEOUT_MS)
    expect(item.locator(".status-text")).to_have_text(re.compile(r"^Failed"))
    expect(item.locator(".error-text")).to_contain_text("This PDF is password-protected")


def test_drop_and_paste_then_reload_keeps_the_list(page):
    dropped = Sample("dropped.txt", "text/plain", b"one two three four", 4)
    pasted = Sample("pasted.json", "application/json", b'{"k": "five six seven"}', 3)
    page.evaluate(
        """({name, text, type}) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type}));
            const zone = document.getElementById("dropzone");
            for (const kind of ["dragenter", "dragover", "drop"]) {
                const init = {bubbles: true, cancelable: true, dataTransfer: data};
                zone.dispatchEvent(new DragEvent(kind, init));
            }
        }""",
        {"name": dropped.name, "text": dropped.data.decode(), "type": dropped.mime},
    )
    page.evaluate(
        """({name, text, type}) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type}));
            const init = {bubbles: true, cancelable: true, clipboardData: data};
            document.body.dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        {"name": pasted.name, "text": pasted.data.decode(), "type": pasted.mime},
    )
    expect_finished(page, dropped)
    expect_finished(page, pasted)
    expect(page.locator("#dropzone")).not_to_have_class(re.compile("dragging"))

    page.reload()
    expect(page.locator("li.row")).to_have_count(2)
    expect(page.locator("li.row .file-name")).to_have_text([dropped.name, pasted.name])
    expect_finished(page, dropped)
    expect_finished(page, pasted)
    expect(page.locator("#summary")).to_have_text("2 files · 2 finished · 0 failed · 7 words in total")

    page.get_by_role("button", name="Clear finished").click()
    expect(page.locator("li.row")).to_have_count(0)
    page.reload()
    expect(page.locator("#summary")).to_have_text("No files yet.")


def test_cancel_and_retry_an_upload(page, web_stack, problems):
    s3 = web_stack.env["S3_ENDPOINT_URL"]
    presigns: list[str] = []
    page.on("request", lambda request: "/uploads/presign" in request.url and presigns.append(request.url))
    held = []

    # The bucket refuses the connection once: the row fails and offers Retry, which presigns afresh.
    page.route(f"{s3}/**", lambda route: route.abort("connectionrefused"), times=1)
    flaky = Sample("flaky.txt", "text/plain", b"retry me please", 3)
    page.set_input_files("#picker", [flaky.payload()])
    item = row(page, flaky.name)
    expect(item).to_have_attribute("data-state", "upload_failed")
    expect(item.locator(".status-text")).to_have_text("Upload failed")
    item.get_by_role("button", name=f"Retry {flaky.name}").click()
    expect_finished(page, flaky)
    assert len(presigns) == 2

    # An upload that hangs can be cancelled, then retried.
    page.route(f"{s3}/**", lambda route: held.append(route), times=1)
    slow = Sample("slow.txt", "text/plain", b"eventually counted", 2)
    page.set_input_files("#picker", [slow.payload()])
    item = row(page, slow.name)
    expect(item).to_have_attribute("data-state", "uploading")
    item.get_by_role("button", name=f"Cancel the upload of {slow.name}").click()
    expect(item).to_have_attribute("data-state", "cancelled")
    expect(item.locator(".status-text")).to_have_text("Cancelled")
    expect(page.locator("#summary")).to_have_text(
        "2 files · 1 finished · 0 failed · 1 cancelled · 3 words in total"
    )
    for route in held:  # the browser gave up on it; let Playwright forget it too
        with contextlib.suppress(PlaywrightError):
            route.abort()
    item.get_by_role("button", name=f"Retry {slow.name}").click()
    expect_finished(page, slow)
    expect(page.locator("#summary")).to_have_text("2 files · 2 finished · 0 failed · 5 words in total")

    # The refused connection is logged by Chromium itself; nothing else may be.
    problems.console[:] = [text for text in problems.console if "ERR_CONNECTION_REFUSED" not in text]
    problems.requests[:] = [text for text in problems.requests if "ERR_CONNECTION_REFUSED" not in text]


def answer_start_queued(route) -> None:
    """`POST /jobs/<id>/start`, answered `queued` whatever the real reply: the bucket's webhook may have
    queued the job (and a worker finished it) before `start` answers, and these tests need the page to
    learn the job's state from its polling, which they answer themselves."""
    reply = route.fetch()
    route.fulfill(response=reply, json={**reply.json(), "status": "queued", "result": None})


def test_polling_backs_off_and_pauses_while_hidden(page, problems):
    """A server without streams nor long polls, whose job stays `queued` (answered by a stand-in): the page
    falls back to polling, its polls spread out, and stop while the tab is hidden."""
    polls: list[float] = []

    def still_queued(route) -> None:
        if route.request.method != "GET":
            answer_start_queued(route)
            return
        job_id, _, wait = route.request.url.rsplit("/", 1)[-1].partition("?")
        if not wait:
            polls.append(time.monotonic())
        body = {"job_id": job_id, "status": "queued", "filename": "slow.txt", "file_type": "txt"}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(r"/jobs/[0-9a-f]{32}(/start|\?wait=\d+)?$"), still_queued)  # no ETag: no long polls
    page.route(re.compile(r"/jobs/[0-9a-f]{32}/events$"), lambda route: route.fulfill(status=404, body="{}"))
    page.set_input_files("#picker", [{"name": "slow.txt", "mimeType": "text/plain", "buffer": b"a b c"}])
    expect(row(page, "slow.txt")).to_have_attribute("data-state", "queued")
    page.wait_for_timeout(3000)
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert len(gaps) >= 4, polls
    assert gaps[0] < 0.6 and gaps[-1] > gaps[0] * 2, gaps

    page.evaluate(
        """() => {
            Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    hidden_at = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == hidden_at, "polled while the tab was hidden"
    page.evaluate(
        """() => {
            Object.defineProperty(document, "visibilityState", {value: "visible", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    page.wait_for_timeout(300)
    assert len(polls) == hidden_at + 1, "did not look again as soon as the tab was visible"
    problems.console[:] = [text for text in problems.console if "404" not in text]


# --- the first hour's friction (issue 14) -------------------------------------------------------------


def test_a_long_pdfs_pages_stay_inside_their_scrolling_list(page, artifacts):
    pages = [f"page {n} holds {'word ' * (n % 7)}" for n in range(250)]
    sample = Sample("long.pdf", "application/pdf", make_pdf(pages), sum(len(p.split()) for p in pages))
    page.set_input_files("#picker", [sample.payload()])
    expect_finished(page, sample)
    item = row(page, sample.name)
    details = item.locator("details.page-view")
    expect(details).not_to_have_attribute("open", "")
    before = page.evaluate("document.documentElement.scrollHeight")
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    after = page.evaluate("document.documentElement.scrollHeight")
    box = item.locator(".pages").evaluate("list => [list.scrollHeight, list.clientHeight]")
    assert box[0] > box[1] * 5, f"the list holds its 200 bars and scrolls: {box}"
    assert after - before < box[1] + 120, f"expanding grew the page by {after - before} px"
    expect(item.locator(".pages-hint")).to_have_text(
        "The list scrolls: pages 1–200 of 250 (the result JSON has every page)."
    )
    item.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "page-long-pdf.png"), full_page=True)


def record_row_updates(page, filename: str) -> None:
    """Keep a snapshot of the row's label, bar and buttons after each change (window.snapshots)."""
    page.evaluate(
        """name => {
            window.snapshots = [];
            const take = () => {
                const item = [...document.querySelectorAll("li.row")]
                    .find(li => li.querySelector(".file-name").textContent === name);
                if (!item) return;
                const bar = item.querySelector("progress");
                window.snapshots.push({
                    state: item.dataset.state,
                    label: item.querySelector(".status-text").textContent,
                    value: bar.hidden ? null : bar.value,
                    buttons: [...item.querySelectorAll(".row-actions button")].map(b => b.dataset.action),
                });
            };
            new MutationObserver(take).observe(document.getElementById("rows"),
                {subtree: true, childList: true, characterData: true, attributes: true});
        }""",
        filename,
    )


def test_the_upload_label_says_100_only_at_100_and_cancel_goes_then(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )
    sample = Sample("slowly.txt", "text/plain", b"word " * 200_000, 200_000)
    record_row_updates(page, sample.name)
    page.set_input_files("#picker", [sample.payload()])
    expect_finished(page, sample)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    uploading = [snap for snap in page.evaluate("window.snapshots") if snap["state"] == "uploading"]
    partway = [snap for snap in uploading if 0 < snap["value"] < 1]
    assert len(partway) >= 3, f"the throttled upload showed no progress on the way: {uploading}"
    for snap in uploading:
        assert snap["label"] == f"Uploading {int(snap['value'] * 100)}%", snap
        assert snap["buttons"] == (["cancel"] if snap["value"] < 1 else []), snap
    transition = page.locator("li.row progress").first.evaluate(
        "bar => getComputedStyle(bar, '::-webkit-progress-value').transitionDuration"
    )
    assert transition in ("0s", ""), "an animated bar lags behind its label"


def test_the_narrow_layout_does_not_offer_dropping_or_pasting(page, artifacts):
    zone = page.locator("#dropzone")
    expect(zone).to_contain_text("drop them here")
    expect(zone).to_contain_text("paste")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(zone).not_to_contain_text("drop", use_inner_text=True)
    expect(zone).not_to_contain_text("paste", use_inner_text=True)
    expect(zone).to_have_text(re.compile(r"^\s*Choose files\s*$"), use_inner_text=True)
    page.screenshot(path=str(artifacts / "page-390.png"), full_page=True)


def test_the_richer_result_is_shown_when_present(page, artifacts, problems):
    """Fields the counts engineer adds: language, reading time, pages without text (a scan), sha256."""
    richer = {
        "words": 480, "characters": 2600, "pages": 3, "page_words": [240, 0, 240],
        "reading_minutes": 2.0, "language": {"code": "de", "confidence": 0.93},
        "pages_without_text": [2], "sha256": "9f" * 32,
    }  # fmt: skip

    def finished(route) -> None:
        if route.request.method != "GET":
            answer_start_queued(route)
            return
        job_id = route.request.url.rsplit("/", 1)[-1]
        body = {"job_id": job_id, "status": "finished", "filename": "scan.pdf", "file_type": "pdf"}
        body["result"] = richer
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(r"/jobs/[0-9a-f]{32}(/start)?$"), finished)
    # No event stream: the page then reads the job with a GET, which the stand-in answers.
    page.route(re.compile(r"/jobs/[0-9a-f]{32}/events$"), lambda route: route.fulfill(status=404, body="{}"))
    page.set_input_files(
        "#picker", [Sample("scan.pdf", "application/pdf", make_pdf(["a", "b", "c"]), 3).payload()]
    )
    item = row(page, "scan.pdf")
    expect(item).to_have_attribute("data-state", "finished")
    expect(item.locator(".stat-reading dd")).to_have_text("2 min")
    expect(item.locator(".stat-language dd")).to_have_text("German (93%)")
    expect(item.locator(".notice-scan")).to_have_text(
        "Page 2 has no text, only an image: a scan. "
        "Its words are not in the count; run OCR on the file first."
    )
    expect(item.locator(".checksum code")).to_have_text("9f" * 32)
    page.screenshot(path=str(artifacts / "page-richer-result.png"), full_page=True)
    problems.console[:] = [text for text in problems.console if "404" not in text]


def test_the_language_of_a_real_text_is_shown(page, artifacts):
    text = PARAGRAPHS["fr"][3]
    sample = Sample("avenir.txt", "text/plain", make_txt(text), len(text.split()))
    page.set_input_files("#picker", [sample.payload()])
    expect_finished(page, sample)
    expect(row(page, sample.name).locator(".stat-language dd")).to_have_text(re.compile(r"^French \(\d+%\)$"))
    page.screenshot(path=str(artifacts / "page-language.png"), full_page=True)


RICHER_FIELDS = {
    "reading_minutes": ".stat-reading",
    "language": ".stat-language",
    "pages_without_text": ".notice-scan",
    "sha256": ".checksum",
}


def test_the_richer_fields_are_shown_only_when_the_result_has_them(page):
    sample = samples()[0]
    page.set_input_files("#picker", [sample.payload()])
    expect_finished(page, sample)
    item = row(page, sample.name)
    result = page.request.get(item.get_by_role("link").evaluate("a => a.href")).json()
    shown = {
        "reading_minutes": isinstance(result.get("reading_minutes"), int | float),
        "language": bool((result.get("language") or {}).get("code")),
        "pages_without_text": bool(result.get("pages_without_text")),
        "sha256": bool(result.get("sha256")),
    }
    for field, selector in RICHER_FIELDS.items():
        expect(item.locator(selector)).to_have_count(1 if shown[field] else 0)


# --- an API that wants a key (issue 12) ---------------------------------------------------------------

API_KEY = "page-test-key"


@pytest.fixture(scope="module")
def keyed_stack(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "e2e-keys", workers=1, API_KEYS=API_KEY, EVENTS_TOKEN="page-events")
    yield stack
    stop_workers(stack, WORKER_STOP_SECONDS)
    stack.stop()


def test_the_page_asks_for_an_api_key_and_keeps_it_for_the_tab(browser, keyed_stack, artifacts):
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sent: list[str | None] = []
    page.on("request", lambda r: "/uploads/presign" in r.url and sent.append(r.headers.get("x-api-key")))
    page.goto(keyed_stack.base_url + "/")
    page.wait_for_selector("#dropzone:not([disabled])")
    form = page.locator("#key-form")
    expect(form).to_be_hidden()

    sample = Sample("keyed.txt", "text/plain", b"words behind a key", 4)
    page.set_input_files("#picker", [sample.payload()])
    expect(form).to_be_visible()
    expect(page.locator("#key-input")).to_be_focused()
    expect(row(page, sample.name)).to_have_attribute("data-state", "needs_key")
    page.screenshot(path=str(artifacts / "page-api-key.png"), full_page=True)

    page.get_by_label("API key").fill("not-the-key")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#key-reason")).to_have_text(
        "The server did not accept that API key. Enter another one."
    )
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_role("button", name="Use this key").click()
    expect(form).to_be_hidden()
    expect_finished(page, sample)
    assert sent == [None, "not-the-key", API_KEY]
    assert page.evaluate("sessionStorage.getItem('filejobs.apiKey')") == API_KEY
    assert page.evaluate("localStorage.getItem('filejobs.apiKey')") is None, "kept for the tab only"
    link = row(page, sample.name).get_by_role("link", name=re.compile("Result JSON")).evaluate("a => a.href")
    assert link.startswith("blob:"), "a plain link cannot send the key"

    page.reload()
    expect_finished(page, sample)
    expect(form).to_be_hidden()
    context.close()
