"""`python -m cli` as a user runs it, against the real stack (functions, workers, Redis, moto S3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.stack import CREDENTIALS, Stack
from tests.languages import PARAGRAPHS

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    stack: Stack | None, *args: str, timeout: float = 150, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """The command line in a child process, pointed at the stack through FILEJOBS_API (unless None)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILEJOBS_", "AWS_"))}
    if stack is not None:
        env.update(CREDENTIALS, FILEJOBS_API=stack.base_url)
    env["PYTHONPATH"] = str(ROOT)
    argv = [sys.executable, "-m", "cli", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def table(stdout: str) -> dict[str, dict[str, str]]:
    """The --wait table's rows by file name, each cell under its column's header."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("FILE "))
    header = lines[start]
    columns = [(name, header.index(name)) for name in header.split()]
    rows = {}
    for line in lines[start + 1 :]:
        cells = {
            name: line[begin : columns[i + 1][1] if i + 1 < len(columns) else None].strip()
            for i, (name, begin) in enumerate(columns)
        }
        rows[Path(cells.pop("FILE")).name] = cells
    return rows


def table_rows(stdout: str) -> dict[str, list[str]]:
    """Status, then words or error code, of each row."""
    return {name: [r["STATUS"], r["WORDS"] or r["ERROR"]] for name, r in table(stdout).items()}


def test_submit_wait_prints_word_counts_then_status_reads_the_job(stack, tmp_path):
    docs = tmp_path / "docs"
    (docs / "deeper").mkdir(parents=True)
    (docs / "one.txt").write_text("alpha beta gamma")
    (docs / "deeper" / "two.json").write_text(json.dumps({"t": "four five", "n": 1, "l": ["six seven"]}))
    (docs / "notes.md").write_text("not sent")
    (tmp_path / "extra.txt").write_bytes("héllo wörld".encode())
    done = run_cli(stack, "submit", "--wait", "--timeout", "120", str(docs), str(tmp_path / "extra.txt"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" in done.stderr and "notes.md" in done.stderr
    assert "\t" not in done.stdout, "with --wait the table is the output, not a line per job"
    ids = {name: row["JOB"] for name, row in table(done.stdout).items()}
    assert len(ids) == 3 and all(len(job_id) == 32 for job_id in ids.values())
    rows = table_rows(done.stdout)
    assert rows == {
        "one.txt": ["finished", "3"],
        "two.json": ["finished", "4"],
        "extra.txt": ["finished", "2"],
    }

    job_id = ids["one.txt"]
    status = run_cli(stack, "status", job_id)
    assert status.returncode == 0, status.stderr
    job = json.loads(status.stdout)
    assert (job["job_id"], job["status"], job["result"]["words"]) == (job_id, "finished", 3)
    short = run_cli(stack, "status", "--short", job_id)
    assert short.stdout.strip().startswith(f"{job_id} finished one.txt: 3 words, 0 min to read, sha256 ")


def test_submit_wait_names_the_language_of_a_text(stack, tmp_path):
    (tmp_path / "brief.txt").write_text(PARAGRAPHS["nl"][2], encoding="utf-8")
    done = run_cli(stack, "submit", "--wait", "--timeout", "120", str(tmp_path / "brief.txt"))
    assert done.returncode == 0, done.stdout + done.stderr
    row = table(done.stdout)["brief.txt"]
    assert (row["STATUS"], row["LANG"]) == ("finished", "nl")
    short = run_cli(stack, "status", "--short", row["JOB"])
    assert ", language nl (" in short.stdout


def test_submit_wait_exits_1_and_names_the_error_codes(stack, tmp_path):
    (tmp_path / "fake.pdf").write_bytes(b"this is not a pdf at all")
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    (tmp_path / "ok.txt").write_text("fine")
    paths = [str(tmp_path / name) for name in ("fake.pdf", "tool.exe", "ok.txt")]
    done = run_cli(stack, "submit", "--wait", *paths)
    assert done.returncode == 1, done.stdout + done.stderr
    rows = table_rows(done.stdout)
    assert rows == {
        "fake.pdf": ["failed", "content_mismatch"],
        "tool.exe": ["refused", "unsupported_type"],
        "ok.txt": ["finished", "1"],
    }
    assert "tool.exe: unsupported_type:" in done.stderr and "(HTTP 415)" in done.stderr


def test_an_unknown_job_exits_1_with_the_api_message(stack):
    done = run_cli(stack, "status", "0" * 32)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("filejobs: not_found: ") and "(HTTP 404)" in done.stderr


def test_drop_then_batch_watches_until_done(stack, tmp_path):
    for n in range(3):
        (tmp_path / f"f{n}.txt").write_text("word " * (n + 1))
    prefix = "incoming/cli-drop/"
    done = run_cli(stack, "drop", str(tmp_path), "--s3-endpoint", stack.env["S3_ENDPOINT_URL"],
                   "--prefix", prefix, "--batch", "--timeout", "120")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [f"s3://jobs/{prefix}f{n}.txt" for n in range(3)]
    assert lines[3].startswith("batch b")
    assert lines[-1].endswith(" done: 3/3 ended (finished 3, failed 0, started 0, queued 0)")


def test_stats_prints_health_and_degrades_without_metrics(stack):
    done = run_cli(stack, "stats")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("health: ok (redis ok, s3 ok)")
    assert "metrics:" in done.stdout


def test_without_filejobs_api_the_runs_env_file_is_used(stack, tmp_path):
    """`filejobs status <id>` right after ./scripts/run, on whatever port it took: .embedded/env says."""
    lines = {
        "FILEJOBS_API": stack.base_url,
        "AWS_ENDPOINT_URL": stack.env["S3_ENDPOINT_URL"],
        "AWS_ACCESS_KEY_ID": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    (tmp_path / ".embedded").mkdir()
    (tmp_path / ".embedded" / "env").write_text("".join(f"export {k}='{v}'\n" for k, v in lines.items()))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("one two three")
    submitted = run_cli(None, "submit", "docs/a.txt", cwd=tmp_path)
    assert submitted.returncode == 0, submitted.stderr
    job_id, name = submitted.stdout.strip().split("\t")
    assert name == "docs/a.txt"
    status = run_cli(None, "status", job_id, cwd=tmp_path)
    assert status.returncode == 0 and json.loads(status.stdout)["job_id"] == job_id, status.stderr
    dropped = run_cli(None, "drop", "docs", "--prefix", "incoming/from-env-file/", "--batch", cwd=tmp_path)
    assert dropped.returncode == 0, dropped.stdout + dropped.stderr
    assert dropped.stdout.splitlines()[-1].endswith(
        "done: 1/1 ended (finished 1, failed 0, started 0, queued 0)"
    )
