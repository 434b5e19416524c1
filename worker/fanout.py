"""Big PDFs spread over workers: page ranges become jobs of their own; the last to end makes the result.

The job reads the page count, puts the ranges after the first at the front of the queue as part
jobs, and counts the first range itself meanwhile. Each part's counts are kept in Redis; whichever
part stores the last range assembles the analysis and finishes the job, so two workers halve a long PDF.
"""

from __future__ import annotations

import json
from typing import Any

from core.layout import parts_key
from core.services import Services
from worker.analyze import completed
from worker.count import Counts, sum_counts

PART_PAGES = 100
# Smaller PDFs are read in one pass without asking for their page count first.
PROBE_BYTES = 256 << 10


def plan(page_count: int) -> list[tuple[int, int]]:
    """The page ranges after the first one, PART_PAGES pages each."""
    starts = range(PART_PAGES, page_count, PART_PAGES)
    return [(start, min(start + PART_PAGES, page_count)) for start in starts]


def assemble(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The analysis of the whole PDF from its parts' per-page counts, in page order."""
    parts = sorted(parts, key=lambda p: p["start"])
    pages = [counts for part in parts for counts in part["counts"]]
    total = sum_counts(Counts(*counts) for counts in pages)
    analysis = {
        **total._asdict(),
        "pages": len(pages),
        "page_words": [counts[0] for counts in pages],
        "pages_without_text": [page for part in parts for page in part.get("pages_without_text", [])],
    }
    return completed(analysis, parts[0].get("sha256"))


def store_part(svc: Services, job_id: str, part: dict[str, Any], total: int) -> dict[str, Any] | None:
    """Keep one part's counts; returns the whole analysis to the caller that stored the last part."""
    key = parts_key(job_id)
    with svc.clients.redis.pipeline() as pipe:
        pipe.hset(key, str(part["start"]), json.dumps(part))
        pipe.expire(key, svc.settings.record_ttl_seconds)
        pipe.hgetall(key)
        stored = pipe.execute()[2]
    if len(stored) < total:
        return None
    return assemble([json.loads(raw) for raw in stored.values()])


def fan_out(svc: Services, job_id: str, source: dict[str, Any], page_count: int, attempt: int) -> int:
    """Queue every range after the first (which the job counts itself); returns the number of parts."""
    ranges = plan(page_count)
    svc.tasks.parts(job_id, source, ranges, attempt)
    return len(ranges) + 1
