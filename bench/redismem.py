"""Redis per one-file upload: keys and bytes while in flight (queued) and after the end, and the commands
each side sends (INFO commandstats, so commands run inside Lua scripts count too)."""

from __future__ import annotations

from collections import Counter

from bench.common import Context, Result, rounded, wait_for
from bench.data import small_texts
from bench.httpload import job_id, multipart, post_all
from bench.systems import Ours

NAME = "redismem"
NEEDS_STACK = True
TOP = 8


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
        "empty database's subtracted; commands from INFO commandstats (including those inside scripts)"
    )
    system = Ours(ctx.env, "redismem")
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
        system.stop_workers()
        calls2 = _commands(system)
        _row(result, "ended (finished): worker side", n, empty, _used(system), calls2 - calls1)
        ended = system.ended(ids)
        finished = sum(status == "finished" for status, _ in ended.values())
        result.notes.append(f"{len(ids)} of {n} uploads accepted; {finished} finished")
    finally:
        system.close()
    return result
