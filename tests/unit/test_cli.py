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
from cli.progress import Progress, ProgressReader, human_bytes, render_total
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


def test_jobs_table_shows_words_languages_and_error_codes():
    german = make_job(words=24)
    german["result"]["language"] = {"code": "de", "confidence": 0.99}
    entries = [
        ("docs/a.txt", make_job(words=12)),
        ("brief.txt", german),
        ("b.pdf", make_job(status="failed", words=None, code="corrupt_file")),
        ("c.exe", {"status": REFUSED, "error": {"code": "unsupported_type", "message": "no"}}),
    ]
    assert jobs_table(entries).splitlines() == [
        "FILE        STATUS    WORDS  LANG  ERROR             JOB",
        "docs/a.txt  finished  12                             j1",
        "brief.txt   finished  24     de                      j1",
        "b.pdf       failed                 corrupt_file      j1",
        "c.exe       refused                unsupported_type",
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


def test_progress_line_for_a_whole_run():
    assert human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB"
    assert human_bytes(3 << 30) == "3.0 GiB"
    line = render_total(1, 4, 50, 100, "docs/a.txt", width=80)
    assert line == "[##########----------]  50% 1/4 files 50 B/100 B  docs/a.txt"
    assert render_total(0, 0, 0, 0, "") == "[####################] 100% 0/0 files 0 B/0 B"
    cut = render_total(1, 4, 50, 100, "very/long/" * 10 + "name.txt", width=70)
    assert len(cut) == 70 and cut.endswith("  …/very/long/name.txt"), "the end of a long path is kept"


def test_progress_reader_streams_with_a_length_and_reports_bytes():
    stream = io.StringIO()
    with Progress(1, 10, stream=stream, enabled=True) as bar:
        bar.start_file("a.txt", 10)
        reader = ProgressReader(io.BytesIO(b"0123456789"), 10, bar)
        assert len(reader) == 10 and b"".join(reader) == b"0123456789"
        bar.end_file()
    assert bar.done == 10 and stream.getvalue().endswith("100% 1/1 files 10 B/10 B  a.txt\n")
    assert stream.getvalue().count("\n") == 1, "one bar, redrawn in place"
    silent = io.StringIO()
    with Progress(1, 1, stream=silent, enabled=False) as bar:
        bar.update(1)
    assert silent.getvalue() == ""


def test_a_file_that_fails_part_way_still_moves_the_bar_to_its_end():
    with Progress(2, 30, stream=io.StringIO(), enabled=True) as bar:
        bar.start_file("a", 10)
        bar.update(4)
        bar.end_file()
        bar.start_file("b", 20)
        bar.update(999)
        assert (bar.done, bar.files_done) == (30, 1)


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


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def batch_replies(failed: list[dict]) -> list[dict]:
    """A batch running, running, then done with `failed` as its failed jobs."""
    counts = {"queued": 1, "started": 0, "finished": 0, "failed": 0}
    running = {"batch_id": "b1", "status": "running", "total": 1 + len(failed), "counts": counts}
    ended = {**counts, "queued": 0, "finished": 1, "failed": len(failed)}
    done = {**running, "status": "done", "counts": ended, "jobs": [make_job(job_id="ok"), *failed]}
    return [running, running, done]


def test_watch_prints_a_line_per_change_when_not_a_terminal_then_names_the_failed_files():
    failed = make_job(job_id="x", status="failed", filename="a.pdf", words=None, code="corrupt_file")
    failed["source"] = {"key": "incoming/run/sub/a.pdf"}
    api = FakeApi({"/batches/b1": batch_replies([failed])})
    out, clock = io.StringIO(), FakeClock()
    code = watch_batch(api, "b1", 1.0, 60, out, io.StringIO(), clock, clock.sleep, prefix="incoming/run/")  # type: ignore[arg-type]
    lines = out.getvalue().splitlines()
    assert code == FAILED and len(lines) == 3
    assert lines[-1] == "failed: sub/a.pdf (corrupt_file)"


def test_watch_redraws_one_line_in_place_on_a_terminal():
    failed = [
        make_job(job_id=f"x{n}", status="failed", filename=f"f{n}.txt", code="timeout") for n in range(12)
    ]
    api = FakeApi({"/batches/b1": batch_replies(failed)})
    out, clock = Terminal(), FakeClock()
    assert watch_batch(api, "b1", 1.0, 60, out, io.StringIO(), clock, clock.sleep) == FAILED  # type: ignore[arg-type]
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 2 and text.count("\n") == 2, "counts on one line, then the names"
    assert text.splitlines()[-1].startswith("failed: f0.txt (timeout), f1.txt (timeout)")
    assert text.splitlines()[-1].endswith("f9.txt (timeout) and 2 more")


def test_watch_of_a_clean_batch_ends_ok_without_a_failure_line():
    api = FakeApi({"/batches/b1": batch_replies([])})
    out, clock = io.StringIO(), FakeClock()
    assert watch_batch(api, "b1", 1.0, 60, out, io.StringIO(), clock, clock.sleep) == OK  # type: ignore[arg-type]
    assert not any(line.startswith("failed:") for line in out.getvalue().splitlines())


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


def test_requeue_says_precisely_when_no_job_failed_with_the_code():
    jobs = [make_job(job_id="a", status="failed", code="corrupt_file"), make_job(job_id="b")]
    api = FakeApi({"/batches/b1": [{"total": 2, "jobs": jobs}]})
    err = io.StringIO()
    args = requeue_args("--batch", "b1", "--failed", "--code", "timeout")
    assert requeue(api, args, io.StringIO(), err) == OK  # type: ignore[arg-type]
    assert api.posted == []
    assert "no job of batch b1 failed with code 'timeout' (failed: corrupt_file 1)" in err.getvalue()
    clean = FakeApi({"/batches/b1": [{"total": 1, "jobs": [make_job(job_id="b")]}]})
    err = io.StringIO()
    assert requeue(clean, requeue_args("--batch", "b1", "--failed"), io.StringIO(), err) == OK  # type: ignore[arg-type]
    assert "batch b1 has no failed jobs (1 jobs)" in err.getvalue()


def test_requeue_dry_run_lists_ids_with_their_files_and_codes():
    jobs = [
        make_job(job_id="a", status="failed", filename="slow.pdf", code="timeout"),
        make_job(job_id="b", status="failed", filename="lost.txt", code="upload_missing"),
    ]
    api = FakeApi({"/batches/b1": [{"total": 2, "jobs": jobs}], "/jobs/c": [make_job(job_id="c")]})
    out = io.StringIO()
    assert requeue(api, requeue_args("--batch", "b1", "--failed", "--dry-run"), out, io.StringIO()) == OK  # type: ignore[arg-type]
    assert out.getvalue() == "a\tslow.pdf\ttimeout\nb\tlost.txt\tupload_missing\n" and api.posted == []
    out = io.StringIO()
    assert requeue(api, requeue_args("c", "--dry-run"), out, io.StringIO()) == OK  # type: ignore[arg-type]
    assert out.getvalue() == "c\ta.txt\n"


def test_status_of_an_unknown_id_exits_1_with_the_api_message():
    from cli.commands import status

    api = FakeApi({"/jobs/nope": [ApiFailure("No job 'nope'.", "not_found", 404)]})
    out, err = io.StringIO(), io.StringIO()
    assert status(api, parse(["status", "nope"], NO_ENV), out, err) == FAILED  # type: ignore[arg-type]
    assert out.getvalue() == "" and err.getvalue() == "filejobs: not_found: No job 'nope'. (HTTP 404)\n"


def test_short_status_shows_the_richer_result_when_present():
    job = make_job(filename="scan.pdf", words=240, pages=3)
    job["result"].update(
        reading_minutes=1.0, pages_without_text=[2, 3], sha256="ab" * 32,
        language={"code": "en", "confidence": 0.97},
    )  # fmt: skip
    assert short_job(job) == (
        f"j1 finished scan.pdf: 240 words, 3 pages, 1 min to read, language en (97%), sha256 {'ab' * 32}; "
        "no text on pages 2 and 3 (a scan? it needs OCR)"
    )
    assert short_job(make_job(words=5)) == "j1 finished a.txt: 5 words", "absent fields are left out"


def test_labels_are_relative_to_the_current_directory_when_under_it(tmp_path):
    from pathlib import Path

    from cli.files import label

    assert label(tmp_path / "docs" / "a.txt", cwd=tmp_path) == "docs/a.txt"
    assert label(Path("docs/b.txt"), cwd=tmp_path) == "docs/b.txt"
    assert label(Path("/elsewhere/c.txt"), cwd=tmp_path) == "/elsewhere/c.txt"


class UploadApi:
    """Presigns every file but `refused`, takes every PUT, starts every job."""

    def __init__(self, refused: str) -> None:
        self.refused, self.started = refused, 0

    def post(self, path: str, body: dict) -> dict:
        if body["filename"] == self.refused:
            raise ApiFailure(f"{body['filename']!r}: only .txt ...", "unsupported_type", 415)
        return {"job_id": f"id-{body['filename']}", "upload": {"url": "http://s3/x", "headers": {}}}

    def put_upload(self, url: str, headers: dict, body) -> None:
        b"".join(body) if not isinstance(body, bytes) else body

    def call(self, method: str, path: str, **kw) -> dict:
        self.started += 1
        return {"job_id": path.split("/")[2], "status": "queued"}


def test_submit_of_many_files_draws_one_bar_and_a_line_per_failure(tmp_path, monkeypatch):
    from cli.submit import send_all

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    for n in range(20):
        (tmp_path / "docs" / f"f{n:02}.txt").write_text("word " * n)
    (tmp_path / "docs" / "bad.exe").write_bytes(b"MZ")
    paths = sorted((tmp_path / "docs").iterdir())
    out, err = io.StringIO(), Terminal()
    entries = send_all(UploadApi("bad.exe"), paths, True, out, err)  # type: ignore[arg-type]
    assert err.getvalue().count("\n") == 2, "a line for the failure, and the bar's own"
    assert "filejobs: docs/bad.exe: unsupported_type:" in err.getvalue()
    assert err.getvalue().endswith("100% 21/21 files 952 B/952 B  docs/f19.txt\n")
    assert out.getvalue().splitlines()[0] == "id-f00.txt\tdocs/f00.txt", "the same relative path as the bar"
    assert [name for name, _ in entries][:2] == ["docs/bad.exe", "docs/f00.txt"]
    quiet = io.StringIO()
    send_all(UploadApi("bad.exe"), paths, True, quiet, io.StringIO(), ids=False)  # type: ignore[arg-type]
    assert quiet.getvalue() == "", "--wait prints the table instead"


def write_run_file(path, **values: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"export {key}='{value}'\n" for key, value in values.items()))
    return path


def test_the_run_file_fills_in_when_filejobs_api_is_unset(tmp_path):
    from cli.runenv import ENV_FILE, candidates, with_run_settings

    run = write_run_file(
        tmp_path / ENV_FILE, FILEJOBS_API="http://127.0.0.1:8123", AWS_ACCESS_KEY_ID="embedded",
        AWS_SECRET_ACCESS_KEY="s e c", AWS_ENDPOINT_URL="http://127.0.0.1:8334", REDIS_URL="redis://x",
    )  # fmt: skip
    assert candidates(tmp_path, repository=tmp_path / "repo") == [run, tmp_path / "repo" / ENV_FILE]
    merged = with_run_settings({"AWS_ACCESS_KEY_ID": "someone-else", "HOME": "/root"}, [run])
    assert merged["FILEJOBS_API"] == "http://127.0.0.1:8123" and merged["AWS_ACCESS_KEY_ID"] == "embedded"
    assert merged["AWS_SECRET_ACCESS_KEY"] == "s e c" and "REDIS_URL" not in merged
    args = parse(["drop", "d"], merged)
    assert args.api == "http://127.0.0.1:8123" and args.settings_from == str(run)
    assert args.s3_endpoint == "http://127.0.0.1:8334" and args.s3_env["AWS_ACCESS_KEY_ID"] == "embedded"
    given = {"FILEJOBS_API": "https://jobs.example.com"}
    assert with_run_settings(given, [run]) == given, "FILEJOBS_API set: the file is not read"
    assert parse(["--api", "http://other:1", "stats"], merged).settings_from is None


def test_an_unreachable_run_from_the_file_says_where_the_url_came_from(tmp_path):
    from cli.runenv import ENV_FILE

    run = write_run_file(tmp_path / ENV_FILE, FILEJOBS_API="http://127.0.0.1:1")
    err = io.StringIO()
    assert main(["status", "j1"], NO_ENV, io.StringIO(), err, run_files=[run]) == API_ERROR
    assert "cannot reach the API at http://127.0.0.1:1" in err.getvalue()
    assert f"FILEJOBS_API came from {run}: is ./scripts/run still running?" in err.getvalue()


def test_drop_without_credentials_says_what_it_needs(tmp_path):
    from botocore.exceptions import NoCredentialsError

    from cli import drop

    class NoKeys:
        def upload_file(self, *args, **kw):
            raise NoCredentialsError()

    (tmp_path / "a.txt").write_text("x")
    err = io.StringIO()
    args = parse(["drop", str(tmp_path), "--no-progress"], NO_ENV)
    assert drop.run(None, args, io.StringIO(), err, s3=NoKeys()) == FAILED  # type: ignore[arg-type]
    assert "needs S3 credentials" in err.getvalue() and "source .embedded/env" in err.getvalue()
