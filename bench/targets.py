"""The issue's targets, judged from figures of one run (each ratio's baseline was measured in that run)."""

from __future__ import annotations

from typing import Any

from bench.common import ratio


def _row(benchmarks: dict[str, Any], bench: str, case: str) -> dict[str, Any]:
    rows = benchmarks.get(bench, {}).get("rows", [])
    return next((row for row in rows if row["case"] == case), {})


def _ratio(benchmarks: dict[str, Any], bench: str, name: str) -> float | None:
    return benchmarks.get(bench, {}).get("ratios", {}).get(name)


def _target(name: str, value: float | None, goal: str, met: bool) -> dict[str, Any]:
    return {"target": name, "measured": value, "goal": goal,
            "met": None if value is None else ("yes" if met else "no")}  # fmt: skip


def evaluate(benchmarks: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target: measured value, goal, met (yes / no / None when not measured)."""
    b, rows = benchmarks, []
    count_ratio = _ratio(b, "counting", "ours/wc -w MB/s")
    ours_count = next((r for r in b.get("counting", {}).get("rows", []) if r["case"].startswith("ours")), {})
    rss = ours_count.get("peak RSS MB")
    rows.append(_target("counting MB/s vs wc -w", count_ratio, "≥ 1.5×", (count_ratio or 0) >= 1.5))
    rows.append(_target("counting peak RSS MB", rss, "≤ 64", rss is not None and rss <= 64))
    celery_q = _ratio(b, "queue", "ours/Celery prefork jobs/s")
    rq_q = _ratio(b, "queue", "ours/RQ Worker jobs/s")
    rows.append(_target("queue jobs/s vs Celery prefork", celery_q, "≥ 0.8×", (celery_q or 0) >= 0.8))
    rows.append(_target("queue jobs/s vs RQ default Worker", rq_q, "≥ 4×", (rq_q or 0) >= 4))
    ours2 = _row(b, "endtoend", "ours ×2")
    ceiling = _ratio(b, "s3", "S3 ceiling jobs/s")
    vs_ceiling = ratio(ours2.get("jobs/s"), ceiling)
    rows.append(
        _target("end-to-end jobs/s vs S3 ceiling (2 workers)", vs_ceiling, "≥ 0.7×", (vs_ceiling or 0) >= 0.7)
    )
    vs_celery = _ratio(b, "endtoend", "ours/Celery jobs/s ×2")
    rows.append(
        _target("end-to-end jobs/s vs Celery (2 workers)", vs_celery, "≥ 1.2×", (vs_celery or 0) >= 1.2)
    )
    cpu = _ratio(b, "endtoend", "ours/Celery CPU-ms/job ×2")
    rows.append(
        _target("end-to-end CPU-ms/job vs Celery (2 workers)", cpu, "≤ 1.0×", cpu is not None and cpu <= 1)
    )
    for c in (8, 32):
        up = _ratio(b, "upload", f"ours/minimal req/s c={c}")
        rows.append(_target(f"upload req/s vs minimal endpoint, c={c}", up, "≥ 0.8×", (up or 0) >= 0.8))
    pdf = _ratio(b, "pdf", "time 2 workers/1 worker")
    rows.append(
        _target("1,000-page PDF time, 2 workers / 1 worker", pdf, "≤ 0.6×", pdf is not None and pdf <= 0.6)
    )
    growth = next(
        (v for k, v in b.get("memory", {}).get("ratios", {}).items() if k.startswith("worker RSS")), None
    )
    rows.append(
        _target(
            "worker RSS growth 10 MB → 200 MB txt (MB)", growth, "≤ 20", growth is not None and growth <= 20
        )
    )
    rows += live_targets(b)
    return rows


def live_targets(b: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 15: change-to-client latency (two loads), idle SSE watchers, conditional pollers."""
    live = b.get("live", {}).get("ratios", {})
    rows = []
    for prefix, load in (("", "steady pace"), ("released: ", "batches released at once")):
        sse, wait = live.get(f"{prefix}SSE p95 ms"), live.get(f"{prefix}long poll p95 ms")
        poll = live.get(f"{prefix}page polling p95 ms")
        rows += [
            _target(f"change → SSE client p95 ms ({load})", sse, "≤ 200", (sse or 1e9) <= 200),
            _target(f"change → long-poll client p95 ms ({load})", wait, "≤ 200", (wait or 1e9) <= 200),
            _target(f"change → polling page p95 ms ({load}, baseline)", poll, "≥ 1000", (poll or 0) >= 1000),
        ]
    cpu, rss, share = (
        live.get("idle watchers CPU %"),
        live.get("idle watchers RSS MB"),
        live.get("conditional 304 %"),
    )
    return rows + [
        _target("1,000 idle SSE watchers: CPU % of a core", cpu, "≤ 5", cpu is not None and cpu <= 5),
        _target("1,000 idle SSE watchers: RSS MB", rss, "≤ 150", rss is not None and rss <= 150),
        _target("1,000 conditional pollers: 304 %", share, "≥ 99", share is not None and share >= 99),
    ]
