"""Redis per one-file upload: keys and bytes while in flight (queued), after the end, and once
ENDED_RECORD_TTL_SECONDS has passed; a failed job's; the commands each side sends (INFO commandstats, so
commands run inside Lua scripts count too)."""

from __future__ import annotations

import time
from collections import Counter

from bench.common import Context, Result, rounded, wait_for
from bench.data import small_texts
from bench.httpload import job_id, multipart, post_all
from bench.systems import Ours

NAME = "redismem"
NEEDS_STACK = True
TOP = 8
# Short here, so that the run sees finished uploads' records expire (the default is an hour).
ENDED_TTL_SECONDS = 15
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # named .txt: fails content_mismatch


def _used(system: Ours) -> tuple[int, int]:
    """(keys, bytes) of the system's database: DBSIZE and the sum of MEMORY USAGE over every key."""
    redis = system.redis
    keys = list(redis.scan_iter(count=1000))
    with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.memory_usage(key, samples=0)
        sizes = pipe.execute()
    return len(keys), sum(size or 0 for size in sizes)


def _commands(system: Ours) -> Counter:
    stats = system.redis.info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()})


def _row(
    result: Result, case: str, n: int, base: tuple[int, int], now: tuple[int, int], calls: Counter
) -> None:
    calls = Counter(
        {name: count for name, count in calls.items() if name.split("|")[0] not in ("info", "scan", "memory")}
    )
    top = ", ".join(f"{name} {count / n:.1f}" for name, count in calls.most_common(TOP))
    result.add(
        case, **{"keys/job": rounded((now[0] - base[0]) / n, 2), "bytes/job": rounded((now[1] - base[1]) / n),
                 "Redis cmd/job": rounded(sum(calls.values()) / n, 1), "top commands per job": top},
    )  # fmt: skip


def run(ctx: Context) -> Result:
    n = ctx.pick(400, 200)
    result = Result(NAME)
    result.notes.append(
        f"{n} one-file txt uploads (POST /uploads, 8 in flight) with no worker running (in flight: queued), "
        "then 2 workers drain them (ended); keys and MEMORY USAGE summed over the database, per job, the "
        "empty database's subtracted; commands from INFO commandstats (including those inside scripts); "
        f"ENDED_RECORD_TTL_SECONDS={ENDED_TTL_SECONDS} for the run (default 3600), then a tenth as many "
        "uploads that fail (content_mismatch)"
    )
    system = Ours(ctx.env, "redismem", {"ENDED_RECORD_TTL_SECONDS": str(ENDED_TTL_SECONDS)})
    try:
        system.reset()
        url = system.start_app()
        empty, calls0 = _used(system), _commands(system)
        sent = post_all(url, [multipart(f"m-{i}.txt", body) for i, body in enumerate(small_texts(n))], 8)
        ids = [i for i in map(job_id, sent) if i]
        calls1 = _commands(system)
        _row(result, "in flight (queued): upload side", n, empty, _used(system), calls1 - calls0)
        system.start_workers(2)
        # A cheap counter is polled (a few commands a poll), not every job's record.
        wait_for(lambda: system.ended_count() >= len(ids), max(120.0, n / 5), "jobs ending", 0.5)
        ended_at = time.monotonic()
        ended = system.ended(ids)  # before the first records expire
        system.stop_workers()
        calls2 = _commands(system)
        _row(result, "ended (finished): worker side", n, empty, _used(system), calls2 - calls1)
        finished = sum(status == "finished" for status, _ in ended.values())
        result.notes.append(f"{len(ids)} of {n} uploads accepted; {finished} finished")
        time.sleep(max(0.0, ENDED_TTL_SECONDS + 1 - (time.monotonic() - ended_at)))
        _row(result, "after ENDED_RECORD_TTL_SECONDS", n, empty, _used(system), Counter())
        failed_row(result, system, url, max(1, n // 10))
    finally:
        system.close()
    return result


def failed_row(result: Result, system: Ours, url: str, n: int) -> None:
    """Uploads that fail: their records stay RECORD_TTL_SECONDS, for a retry and GET /jobs/<id>."""
    base, calls0 = _used(system), _commands(system)
    sent = post_all(url, [multipart(f"bad-{i}.txt", PNG) for i in range(n)], 4)
    ids = [i for i in map(job_id, sent) if i]
    before = system.ended_count()
    system.start_workers(1)
    wait_for(lambda: system.ended_count() >= before + len(ids), 120, "failed jobs ending", 0.5)
    system.stop_workers()
    _row(result, "failed (content_mismatch): both sides", n, base, _used(system), _commands(system) - calls0)
    failed = sum(status == "failed" for status, _ in system.ended(ids).values())
    result.notes.append(f"{len(ids)} of {n} bad uploads accepted; {failed} failed")
