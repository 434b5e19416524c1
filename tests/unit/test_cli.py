"""The command line without a server: parsing, file selection, rendering, error bodies, polling."""

from __future__ import annotations

import io
import json

import pytest
import requests

from cli.__main__ import main
from cli.api import ApiFailure, failure_of
from cli.args import API_ERROR, DEFAULT_API, FAILED, OK, parse
from cli.commands import requeue, select_failed, watch_batch
from cli.files import MISSING, UNSUPPORTED, collect, content_type, drop_keys
from cli.progress import Progress, ProgressReader, human_bytes, render_bar
from cli.render import batch_line, health_lines, jobs_table, parse_metrics, short_job, table
from cli.submit import REFUSED, wait_jobs

NO_ENV: dict[str, str] = {}


def make_job(
    *,
    job_id: str = "j1",
    status: str = "finished",
    filename: str = "a.txt",
    words: int | None = 3,
    pages: int | None = None,
    code: str | None = None,
) -> dict:
    """A job shaped as `GET /jobs/<id>` returns it."""
    result = None if words is None else {"words": words, **({"pages": pages} if pages else {})}
    error = {"code": code, "message": f"{code} happened"} if code else None
    return {"job_id": job_id, "status": status, "filename": filename, "result": result, "error": error}


def make_reply(*, status: int, body: bytes | str | dict = b"", reason: str = "") -> requests.Response:
    reply = requests.Response()
    reply.status_code, reply.reason = status, reason
    raw = json.dumps(body) if isinstance(body, dict) else body
    reply._content = raw.encode() if isinstance(raw, str) else raw
    return reply


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeApi:
    """Answers GET with the next reply queued for the path (the last one repeats); POSTs are recorded."""

    def __init__(self, replies: dict[str, list], posts: dict[str, Exception] | None = None) -> None:
        self.replies, self.posts, self.posted = replies, posts or {}, []

    def post(self, path: str, body: dict | None = None) -> dict:
        self.posted.append(path)
        if path in self.posts:
            raise self.posts[path]
        return {"status": "queued"}

    def send(self, method: str, path: str, **kw) -> requests.Response:
        return make_reply(status=200 if path in self.replies else 404)

    def get(self, path: str, **params) -> dict:
        reply = self.replies[path].pop(0) if len(self.replies[path]) > 1 else self.replies[path][0]
        if isinstance(reply, Exception):
            raise reply
        return reply


# --- parsing -----------------------------------------------------------------------------------------


def test_api_defaults_to_localhost_then_env_then_flag():
    assert parse(["stats"], NO_ENV).api == DEFAULT_API
    env = {"FILEJOBS_API": "https://jobs.example.com/", "FILEJOBS_API_KEY": "k1"}
    args = parse(["stats"], env)
    assert (args.api, args.api_key) == ("https://jobs.example.com", "k1")
    assert parse(["--api", "http://a:1", "stats"], env).api == "http://a:1"


def test_connection_options_work_after_the_subcommand_too():
    args = parse(["status", "j1", "--api", "http://b:2", "--api-key", "k2", "--short"], NO_ENV)
    assert (args.api, args.api_key, args.short, args.job_id) == ("http://b:2", "k2", True, "j1")
    assert parse(["--api-key", "k3", "status", "j1"], NO_ENV).api_key == "k3"


def test_submit_options():
    args = parse(["submit", "a.txt", "docs", "--wait", "--timeout", "5"], NO_ENV)
    assert args.paths == ["a.txt", "docs"] and args.wait and args.timeout == 5 and args.poll == 0.5


def test_drop_prefix_is_normalized():
    args = parse(["drop", "dir", "--s3-endpoint", "http://s3:9000", "--prefix", "/incoming/run1"], NO_ENV)
    assert (args.prefix, args.bucket, args.batch) == ("incoming/run1/", "jobs", False)


@pytest.mark.parametrize(
    "argv",
    [
        ["requeue"],
        ["requeue", "j1", "--batch", "b1", "--failed"],
        ["requeue", "--batch", "b1"],
        ["requeue", "j1", "--code", "timeout"],
        ["submit"],
        ["submit", "a.txt", "--poll", "0"],
        ["drop", "d", "--prefix", "/"],
        ["--api", "127.0.0.1:8000", "stats"],
        [],
    ],
)
def test_bad_usage_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(argv, NO_ENV)
    assert stop.value.code == 2 and "usage:" in capsys.readouterr().err


def test_requeue_from_a_batch():
    args = parse(["requeue", "--batch", "b1", "--failed", "--code", "timeout"], NO_ENV)
    assert (args.batch, args.failed, args.code, args.job_ids) == ("b1", True, "timeout", [])


# --- files -------------------------------------------------------------------------------------------


def test_folders_keep_the_four_types_named_files_are_always_sent(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/a.txt", "d/sub/b.PDF", "d/c.png", "d/sub/e.json", "x.exe"):
        (tmp_path / name).write_bytes(b"x")
    files, skipped = collect(
        [tmp_path / "d", tmp_path / "x.exe", tmp_path / "d" / "a.txt", tmp_path / "nope"]
    )
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "d/a.txt",
        "d/sub/b.PDF",
        "d/sub/e.json",
        "x.exe",
    ]
    assert [(p.name, reason) for p, reason in skipped] == [("c.png", UNSUPPORTED), ("nope", MISSING)]


def test_content_types_and_drop_keys(tmp_path):
    assert content_type(tmp_path / "R.PDF") == "application/pdf"
    assert content_type(tmp_path / "a.bin") == "application/octet-stream"
    (tmp_path / "run" / "deep").mkdir(parents=True)
    (tmp_path / "run" / "deep" / "a b.txt").write_text("x")
    assert drop_keys(tmp_path / "run", "incoming/") == [
        (tmp_path / "run/deep/a b.txt", "incoming/deep/a b.txt")
    ]


# --- rendering ---------------------------------------------------------------------------------------


def test_table_aligns_columns_without_trailing_spaces():
    assert table(("A", "BB"), [("long", ""), ("x", "y")]).splitlines() == ["A     BB", "long", "x     y"]


def test_jobs_table_shows_words_and_error_codes():
    entries = [
        ("docs/a.txt", make_job(words=12)),
        ("b.pdf", make_job(status="failed", words=None, code="corrupt_file")),
        ("c.exe", {"status": REFUSED, "error": {"code": "unsupported_type", "message": "no"}}),
    ]
    assert jobs_table(entries).splitlines() == [
        "FILE        STATUS    WORDS  ERROR",
        "docs/a.txt  finished  12",
        "b.pdf       failed           corrupt_file",
        "c.exe       refused          unsupported_type",
    ]


def test_short_job_lines():
    assert short_job(make_job(filename="r.pdf", words=9, pages=2)) == "j1 finished r.pdf: 9 words, 2 pages"
    failed = make_job(status="failed", words=None, code="timeout")
    assert short_job(failed) == "j1 failed a.txt: timeout (timeout happened)"
    assert short_job(make_job(status="queued", words=None)) == "j1 queued a.txt"


def test_batch_line():
    batch = {
        "batch_id": "b1",
        "status": "running",
        "total": 4,
        "counts": {"finished": 2, "failed": 1, "queued": 1},
    }
    assert batch_line(batch) == "b1 running: 3/4 ended (finished 2, failed 1, started 0, queued 1)"


def test_metrics_leave_out_comments_default_collectors_and_histogram_detail():
    text = (
        "# HELP filejobs_queue_depth Jobs waiting.\n# TYPE filejobs_queue_depth gauge\n"
        'filejobs_queue_depth{state="queued"} 7.0\npython_gc_objects_collected_total{generation="0"} 1\n'
        'filejobs_jobs_total{status="failed",path="a b"} 2 1712345678000\n'
        "filejobs_upload_bytes_created 1.7e+09\n"
        'filejobs_job_seconds_bucket{le="0.5"} 3.0\nfilejobs_job_seconds_count 3.0\n'
    )
    assert parse_metrics(text) == [
        ('filejobs_queue_depth{state="queued"}', "7.0"),
        ('filejobs_jobs_total{status="failed",path="a b"}', "2"),
        ("filejobs_job_seconds_count", "3.0"),
    ]


def test_health_lines():
    health = {
        "status": "ok",
        "checks": {"redis": "ok", "s3": "ok"},
        "limits": {"max_upload_bytes": 10, "file_types": ["txt", "pdf"]},
    }
    assert health_lines(health) == [
        "health: ok (redis ok, s3 ok)",
        "limits: max_upload_bytes 10; file types txt, pdf",
    ]


def test_progress_bar_rendering():
    assert (
        human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB" and human_bytes(3 << 30) == "3.0 GiB"
    )
    assert render_bar("a.txt", 50, 100, width=10) == f"{'a.txt':<30} [#####-----]  50% 50 B/100 B"
    assert "[##########] 100%" in render_bar("empty.txt", 0, 0, width=10)


def test_progress_reader_streams_with_a_length_and_reports_bytes():
    stream = io.StringIO()
    with Progress("a.txt", 10, stream=stream, enabled=True) as bar:
        reader = ProgressReader(io.BytesIO(b"0123456789"), 10, bar)
        assert len(reader) == 10 and b"".join(reader) == b"0123456789"
    assert bar.done == 10 and stream.getvalue().endswith("100% 10 B/10 B\n")
    silent = io.StringIO()
    with Progress("a.txt", 1, stream=silent, enabled=False) as bar:
        bar.update(1)
    assert silent.getvalue() == ""


# --- API errors and polling --------------------------------------------------------------------------


def test_failures_carry_the_contract_error():
    reply = make_reply(status=415, body={"error": {"code": "unsupported_type", "message": "only .txt"}})
    failure = failure_of(reply)
    assert (failure.code, failure.message, failure.status) == ("unsupported_type", "only .txt", 415)
    assert str(failure) == "unsupported_type: only .txt (HTTP 415)"


def test_failures_from_s3_xml_and_from_html():
    xml = "<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>"
    assert str(failure_of(make_reply(status=403, body=xml))) == "SignatureDoesNotMatch: bad sig (HTTP 403)"
    html = failure_of(make_reply(status=502, body="<html>\n Bad   gateway</html>", reason="Bad Gateway"))
    assert (html.code, html.message) == ("http_error", "<html> Bad gateway</html>")


def test_wait_jobs_polls_until_every_job_ended():
    api = FakeApi(
        {
            "/jobs/j1": [make_job(status="started"), make_job()],
            "/jobs/j2": [ApiFailure("Redis down", "unavailable", 503), make_job(job_id="j2")],
        }
    )
    entries = [
        ("a", make_job(status="queued")),
        ("b", make_job(job_id="j2", status="queued")),
        ("c", {"status": REFUSED, "error": {"code": "too_large", "message": "big"}}),
    ]
    clock = FakeClock()
    assert wait_jobs(api, entries, 1.0, 60, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert [job["status"] for _, job in entries] == ["finished", "finished", REFUSED] and clock.now == 2.0


def test_wait_jobs_gives_up_at_the_deadline():
    api = FakeApi({"/jobs/j1": [make_job(status="started")]})
    entries = [("a", make_job(status="queued"))]
    clock = FakeClock()
    assert not wait_jobs(api, entries, 1.0, 3, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert entries[0][1]["status"] == "started" and clock.now == 3.0


def test_watch_prints_changes_and_fails_when_a_job_failed():
    counts = {"queued": 1, "started": 0, "finished": 0, "failed": 0}
    running = {"batch_id": "b1", "status": "running", "total": 1, "counts": counts}
    done = {**running, "status": "done", "counts": {**counts, "queued": 0, "failed": 1}}
    api = FakeApi({"/batches/b1": [running, running, done]})
    out, clock = io.StringIO(), FakeClock()
    code = watch_batch(api, "b1", 1.0, 60, out, io.StringIO(), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert code == FAILED and len(out.getvalue().splitlines()) == 2


def test_select_failed_by_code():
    jobs = [
        make_job(job_id="a"),
        make_job(job_id="b", status="failed", code="timeout"),
        make_job(job_id="c", status="failed", code="internal"),
    ]
    assert select_failed(jobs, None) == ["b", "c"] and select_failed(jobs, "timeout") == ["b"]


def requeue_args(*argv: str):
    return parse(["requeue", *argv], NO_ENV)


def test_requeue_retries_the_failed_jobs_of_a_batch_with_a_code():
    jobs = [make_job(job_id="a", status="failed", code="timeout"), make_job(job_id="b")]
    api = FakeApi({"/batches/b1": [{"total": 2, "jobs": jobs}]})
    out = io.StringIO()
    args = requeue_args("--batch", "b1", "--failed", "--code", "timeout")
    assert requeue(api, args, out, io.StringIO()) == OK  # type: ignore[arg-type]
    assert api.posted == ["/jobs/a/retry"] and out.getvalue() == "a\tqueued\n"


def test_requeue_reports_refusals_and_a_missing_endpoint():
    not_failed = ApiFailure("The job is finished.", "conflict", 409)
    api = FakeApi({"/jobs/a": [make_job(job_id="a")]}, posts={"/jobs/a/retry": not_failed})
    err = io.StringIO()
    assert requeue(api, requeue_args("a"), io.StringIO(), err) == FAILED  # type: ignore[arg-type]
    assert "a: conflict: The job is finished. (HTTP 409)" in err.getvalue()
    api.posts["/jobs/a/retry"] = ApiFailure("The requested URL was not found.", "not_found", 404)
    with pytest.raises(ApiFailure) as failure:
        requeue(api, requeue_args("a", "b"), io.StringIO(), err)  # type: ignore[arg-type]
    assert failure.value.code == "not_supported" and "POST /jobs/<id>/retry" in failure.value.message


def test_an_unreachable_api_exits_3_with_a_clear_message():
    err = io.StringIO()
    code = main(["--api", "http://127.0.0.1:1", "status", "j1"], NO_ENV, io.StringIO(), err)
    assert code == API_ERROR
    assert "unreachable: cannot reach the API at http://127.0.0.1:1" in err.getvalue()


def test_nothing_to_submit_exits_1(tmp_path):
    err = io.StringIO()
    assert main(["submit", str(tmp_path)], NO_ENV, io.StringIO(), err) == FAILED
    assert "nothing to submit" in err.getvalue()
    assert OK == 0
