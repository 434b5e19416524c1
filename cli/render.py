"""What the command line prints: tables, one-line summaries, metrics (pure functions of the API's JSON)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

JOB_HEADERS = ("FILE", "STATUS", "WORDS", "LANG", "ERROR", "JOB")
BATCH_COUNTS = ("finished", "failed", "started", "queued")
# Samples of Python's and the process's default collectors, creation times and histogram buckets:
# noise in a summary for a person (the _count and _sum of each histogram stay).
DEFAULT_COLLECTORS = ("python_", "process_")
NOISE_SUFFIXES = ("_created", "_bucket")
# name{labels} value [timestamp]; label values may hold spaces.
PAGES_NAMED = 10
SAMPLE = re.compile(r"^([A-Za-z_:][\w:]*(?:\{.*\})?)\s+(\S+)(?:\s+-?\d+)?$")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns, two spaces apart, no trailing spaces."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def error_code(job: dict[str, Any]) -> str:
    """The job's error code, or ''."""
    return (job.get("error") or {}).get("code") or ""


def words(job: dict[str, Any]) -> str:
    """The job's word count, or '' before it has one."""
    count = (job.get("result") or {}).get("words")
    return "" if count is None else str(count)


def language_code(job: dict[str, Any]) -> str:
    """The language code of the job's text ('de'), or '' when it has none."""
    language = (job.get("result") or {}).get("language")
    return str(language.get("code") or "") if isinstance(language, dict) else ""


def jobs_table(entries: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """(file as the user named it, job) rows: file, status, words, language, error code, job id."""
    rows = [
        (
            name,
            job.get("status", "?"),
            words(job),
            language_code(job),
            error_code(job),
            job.get("job_id") or "",
        )
        for name, job in entries
    ]
    return table(JOB_HEADERS, rows)


def listing(numbers: Sequence[object], shown: int = PAGES_NAMED) -> str:
    """'2, 3 and 9' / '1, 2, 3 … and 7 more'."""
    items = [str(number) for number in numbers]
    if len(items) > shown:
        return f"{', '.join(items[:shown])} and {len(items) - shown} more"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def result_details(result: dict[str, Any]) -> list[str]:
    """The richer result's fields that are present: pages, reading time, language, sha256."""
    details = []
    if "pages" in result:
        details.append(f"{result['pages']} pages")
    if isinstance(result.get("reading_minutes"), int | float):
        details.append(f"{result['reading_minutes']:g} min to read")
    language = result.get("language")
    if isinstance(language, dict) and language.get("code"):
        confidence = language.get("confidence")
        sure = f" ({confidence:.0%})" if isinstance(confidence, int | float) else ""
        details.append(f"language {language['code']}{sure}")
    if result.get("sha256"):
        details.append(f"sha256 {result['sha256']}")
    return details


def short_job(job: dict[str, Any]) -> str:
    """'<id> finished report.pdf: 1234 words, 3 pages, ...' or '<id> failed x.pdf: corrupt_file (message)'."""
    head = f"{job.get('job_id', '?')} {job.get('status', '?')} {job.get('filename') or ''}".rstrip()
    result, error = job.get("result") or {}, job.get("error") or {}
    if error:
        return f"{head}: {error.get('code')} ({error.get('message', '')})"
    if "words" not in result:
        return head
    line = f"{head}: " + ", ".join([f"{result['words']} words", *result_details(result)])
    scans = result.get("pages_without_text")
    if scans:
        line += f"; no text on page{'s' if len(scans) > 1 else ''} {listing(scans)} (a scan? it needs OCR)"
    return line


def batch_line(batch: dict[str, Any]) -> str:
    """'<id> running: 7/10 ended (finished 6, failed 1, started 2, queued 1)'."""
    counts = batch.get("counts") or {}
    ended = counts.get("finished", 0) + counts.get("failed", 0)
    detail = ", ".join(f"{name} {counts.get(name, 0)}" for name in BATCH_COUNTS)
    return f"{batch.get('batch_id')} {batch.get('status')}: {ended}/{batch.get('total', 0)} ended ({detail})"


def job_name(job: dict[str, Any], prefix: str = "") -> str:
    """A job's file as the user knows it: its key under the dropped folder, else its filename."""
    key = (job.get("source") or {}).get("key") or ""
    if prefix and key.startswith(prefix):
        return key[len(prefix) :]
    return job.get("filename") or key or job.get("job_id", "?")


def failed_line(jobs: Sequence[dict[str, Any]], prefix: str = "", shown: int = PAGES_NAMED) -> str:
    """'failed: a.pdf (corrupt_file), b/c.txt (timeout)' naming at most `shown` files."""
    names = [f"{job_name(job, prefix)} ({error_code(job) or '?'})" for job in jobs]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"failed: {', '.join(names[:shown])}{more}"


def nothing_to_requeue(jobs: Sequence[dict[str, Any]], batch_id: str, code: str | None) -> str:
    """Why a batch has nothing to retry: no failed job at all, or none failed with `code`."""
    failed = Counter(error_code(job) for job in jobs if job.get("status") == "failed")
    if not failed:
        return f"batch {batch_id} has no failed jobs ({len(jobs)} jobs); nothing to requeue"
    others = ", ".join(f"{name or '?'} {count}" for name, count in sorted(failed.items()))
    return f"no job of batch {batch_id} failed with code {code!r} (failed: {others}); nothing to requeue"


def parse_metrics(text: str) -> list[tuple[str, str]]:
    """(name with labels, value) of the samples in Prometheus' text format worth showing a person."""
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith(DEFAULT_COLLECTORS):
            continue
        match = SAMPLE.match(line)
        if match and not match.group(1).split("{")[0].endswith(NOISE_SUFFIXES):
            samples.append((match.group(1), match.group(2)))
    return samples


def health_lines(health: dict[str, Any]) -> list[str]:
    """The /healthz reply as `key: value` lines."""
    checks = ", ".join(f"{name} {state}" for name, state in (health.get("checks") or {}).items())
    lines = [f"health: {health.get('status', '?')} ({checks})"]
    limits = health.get("limits") or {}
    if limits:
        types = ", ".join(limits.get("file_types", []))
        lines.append(f"limits: max_upload_bytes {limits.get('max_upload_bytes')}; file types {types}")
    return lines
