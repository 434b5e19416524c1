"""`python -m cli` as a user runs it, against the real stack (functions, workers, Redis, moto S3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.stack import CREDENTIALS, Stack

ROOT = Path(__file__).resolve().parents[2]


def run_cli(stack: Stack, *args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    """The command line in a child process, pointed at the stack through FILEJOBS_API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILEJOBS_", "AWS_"))}
    env.update(CREDENTIALS, FILEJOBS_API=stack.base_url)
    argv = [sys.executable, "-m", "cli", *args]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def table_rows(stdout: str) -> dict[str, list[str]]:
    """The --wait table's rows by file name (the lines after the FILE header)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("FILE "))
    return {Path(line.split()[0]).name: line.split()[1:] for line in lines[start + 1 :]}


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
    ids = dict(line.split("\t")[::-1] for line in done.stdout.splitlines() if "\t" in line)
    assert len(ids) == 3
    rows = table_rows(done.stdout)
    assert rows == {
        "one.txt": ["finished", "3"],
        "two.json": ["finished", "4"],
        "extra.txt": ["finished", "2"],
    }

    job_id = ids[str(docs / "one.txt")]
    status = run_cli(stack, "status", job_id)
    assert status.returncode == 0, status.stderr
    job = json.loads(status.stdout)
    assert (job["job_id"], job["status"], job["result"]["words"]) == (job_id, "finished", 3)
    short = run_cli(stack, "status", "--short", job_id)
    assert short.stdout.strip() == f"{job_id} finished one.txt: 3 words"


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


def test_an_unknown_job_exits_3_with_the_api_message(stack):
    done = run_cli(stack, "status", "0" * 32)
    assert done.returncode == 3 and done.stdout == ""
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
