"""Faults as a user meets them: killed workers, a restarted Redis, a vanished bucket — nothing lost."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
import requests

from infra.processes import Service, wait_until
from tests.client import Api
from tests.faultproxy import FaultProxy
from tests.integration.conftest import make_stack

pytestmark = [pytest.mark.faults, pytest.mark.slow]
FAST_RECOVERY = {"WORKER_HEARTBEAT_SECONDS": "2", "MAX_ATTEMPTS": "4", "MAX_UPLOAD_BYTES": str(8 << 20)}
# A control word every 5 bytes, the RTF reader's slowest input (~2 MB/s here): a work horse is busy
# for about a second (a plain text run would take milliseconds), well inside the stacks' 20 s limit.
SLOW_RTF = b"{\\rtf1\\ansi " + b"\\b s\\b0 w " * 250_000 + b"}"
SLOWER_RTF = b"{\\rtf1\\ansi " + b"\\b s\\b0 w " * 700_000 + b"}"  # seconds: past a 1 s limit


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def horse_of(worker: Service) -> int | None:
    """The work horse of a worker: RQ forks it into a process group of its own."""
    for child in children(worker.proc.pid) if worker.running else []:
        try:
            if os.getpgid(child) == child:
                return child
        except ProcessLookupError:
            continue
    return None


def kill_entirely(worker: Service) -> None:
    """SIGKILL a worker and its work horse, as when its container or machine dies."""
    horse = horse_of(worker)
    worker.kill()
    if horse:
        try:
            os.kill(horse, signal.SIGKILL)
        except ProcessLookupError:
            pass


def upload_slow(api: Api, data: bytes = SLOW_RTF) -> str:
    return api.upload_one("slow.rtf", data)["job_id"]


def busy_single_worker(stack, api: Api) -> str:
    """Leave one worker running and give it a slow job; returns the job once it has started."""
    for worker in stack.workers[1:]:
        worker.stop()
    job_id = upload_slow(api)
    wait_until(lambda: api.job(job_id).json()["status"] == "started", 30, "job started")
    return job_id


def upload_all(api: Api, count: int, size_words: int = 2000) -> list[str]:
    body = ("lorem ipsum " * (size_words // 2)).encode()
    return [api.upload_one(f"f{n}.txt", body)["job_id"] for n in range(count)]


def finish_counts(stack) -> Counter:
    """How many times each job was recorded finished, from every process's `job_finished` log lines."""
    counts: Counter = Counter()
    for path in (stack.base_dir / "logs").glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"event": "job_finished"' in line:
                counts[json.loads(line)["job_id"]] += 1
    return counts


def assert_each_finished_once(api: Api, s3, job_ids: list[str], timeout: float, stack=None) -> list[dict]:
    jobs = [api.wait(job_id, timeout=timeout) for job_id in job_ids]
    assert [job["status"] for job in jobs] == ["finished"] * len(job_ids), [
        j for j in jobs if j["status"] != "finished"
    ]
    keys = {
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="jobs", Prefix="results/")
        for item in page.get("Contents", [])
    }
    assert {f"results/{job_id}.json" for job_id in job_ids} <= keys
    if stack is not None:  # a job finished by two attempts would log (and count) its end twice
        counts = finish_counts(stack)
        assert {job_id: counts[job_id] for job_id in job_ids} == dict.fromkeys(job_ids, 1)
    return jobs


@pytest.fixture
def fault_stack(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "faults", workers=2, **FAST_RECOVERY)
    yield stack
    stack.stop()


def test_200_jobs_while_workers_are_sigkilled_at_random(fault_stack):
    stack, api, s3 = fault_stack, Api(fault_stack.base_url), fault_stack.s3_client()
    # Every tenth file keeps a parser busy for a while, so kills land on jobs in flight.
    job_ids = [
        api.upload_one(f"f{n}.rtf", SLOW_RTF[: 1 << 20] + b"}")["job_id"]
        if n % 10 == 0
        else upload_all(api, 1)[0]
        for n in range(200)
    ]
    kills, rng = 0, random.Random(7)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and kills < 12:
        time.sleep(rng.uniform(0.2, 0.8))
        worker = rng.choice([w for w in stack.workers if w.running])
        horse = horse_of(worker)
        if horse and rng.random() < 0.5:
            os.kill(horse, signal.SIGKILL)
        else:
            kill_entirely(worker)
            stack.workers.remove(worker)
            stack.start_worker()
        kills += 1
    jobs = assert_each_finished_once(api, s3, job_ids, timeout=180, stack=stack)
    retried = sum(job["attempts"] > 1 for job in jobs)
    stuck = sum(job["status"] not in ("finished", "failed") for job in jobs)
    print(f"\nfaults injected: {kills} SIGKILLs; jobs 200; finished 200 with one result object each;"
          f" retried after a kill {retried}; stuck {stuck}")  # fmt: skip


def test_killed_workers_job_is_retried_within_a_minute(fault_stack):
    stack, api = fault_stack, Api(fault_stack.base_url)
    job_id = busy_single_worker(stack, api)
    kill_entirely(stack.workers[0])
    killed_at = time.monotonic()
    stack.start_worker()
    wait_until(lambda: api.job(job_id).json()["attempts"] >= 2, 60, "retry after the kill")
    stuck_for = time.monotonic() - killed_at
    job = api.wait(job_id, timeout=60)
    assert job["status"] == "finished" and job["attempts"] == 2
    print(f"\nkilled worker's job stayed in started {stuck_for:.1f} s")
    assert stuck_for < 60


def test_a_worker_killed_during_a_group_loses_no_job_and_finishes_none_twice(tmp_path_factory):
    """Four small slow files of one upload share an RQ job; its worker dies on the second."""
    env = {**FAST_RECOVERY, "TASK_GROUP_FILES": "4", "TASK_GROUP_MAX_BYTES": str(2 << 20)}
    stack = make_stack(tmp_path_factory, "group-faults", workers=1, **env)
    try:
        api, s3 = Api(stack.base_url), stack.s3_client()
        reply = api.upload(*[(f"g{n}.rtf", SLOW_RTF[: 1 << 20] + b"}") for n in range(4)])
        assert reply.status_code == 202, reply.text
        job_ids = [job["job_id"] for job in reply.json()["jobs"]]
        statuses = lambda: [api.job(job_id).json()["status"] for job_id in job_ids]  # noqa: E731
        wait_until(lambda: statuses()[:2] == ["finished", "started"], 60, "the group's second job running")
        connection = redis.Redis.from_url(stack.env["REDIS_URL"])
        current = connection.hget(f"rq:worker:{stack.workers[0].name}", "current_job") or b""
        assert current.startswith(b"group-"), current  # the four files are one RQ job
        killed = stack.workers.pop(0)
        kill_entirely(killed)
        stack.start_worker()
        jobs = assert_each_finished_once(api, s3, job_ids, timeout=120, stack=stack)
        attempts = [job["attempts"] for job in jobs]
        assert attempts[0] == 1 and max(attempts) <= 2 and sum(a == 2 for a in attempts) <= 1, attempts
        assert not list(connection.scan_iter("group:*"))  # the group's list went with its RQ job
        print(f"\nworker killed during a group of 4: attempts {attempts}, each finished once")
    finally:
        stack.stop()


def horse_running(stack, job_id: str) -> int | None:
    """The work horse processing `job_id`, found through RQ's worker registrations."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    for rq_worker in Worker.all(connection=connection, serializer=JSONSerializer):
        if rq_worker.get_current_job_id() == job_id:
            service = next((w for w in stack.workers if w.running and w.proc.pid == rq_worker.pid), None)
            return horse_of(service) if service else None
    return None


def test_poison_file_fails_after_the_configured_attempts(fault_stack):
    """A file whose work horse dies every time: the configured attempts, then `failed`; others drain."""
    stack, api = fault_stack, Api(fault_stack.base_url)
    poison = upload_slow(api)
    others = upload_all(api, 10)
    kills = 0
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and api.job(poison).json()["status"] not in ("finished", "failed"):
        horse = horse_running(stack, poison)
        if horse:
            try:
                os.kill(horse, signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    job = api.wait(poison, timeout=10)
    assert job["status"] == "failed" and job["error"]["code"] == "internal", job
    assert job["attempts"] == int(FAST_RECOVERY["MAX_ATTEMPTS"]) <= kills
    assert all(api.wait(job_id)["status"] == "finished" for job_id in others)
    print(f"\npoison file: {kills} SIGKILLs of its parsing process, {job['attempts']} attempts, then failed")


def test_graceful_stop_finishes_the_current_job(fault_stack):
    stack, api = fault_stack, Api(fault_stack.base_url)
    job_id = busy_single_worker(stack, api)
    stack.workers[0].send(signal.SIGTERM)
    queued_later = upload_all(api, 1)[0]
    stack.workers[0].proc.wait(60)
    job = api.job(job_id).json()
    assert job["status"] == "finished" and job["attempts"] == 1
    assert api.job(queued_later).json()["status"] == "queued"


def test_redis_restarted_during_a_100_job_run(fault_stack):
    stack, api, s3 = fault_stack, Api(fault_stack.base_url), fault_stack.s3_client()
    job_ids = upload_all(api, 100, size_words=20000)
    time.sleep(0.5)
    stack.redis.stop()  # SIGTERM: Redis syncs its append-only file, as on a normal restart
    reply = api.job(job_ids[0])
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "unavailable"
    health = requests.get(stack.base_url + "/healthz", timeout=20)
    assert health.status_code == 503 and health.json()["checks"]["redis"] == "failing"
    time.sleep(3)
    stack.start_redis()
    assert_each_finished_once(api, s3, job_ids, timeout=180, stack=stack)
    print("\nRedis restarted during 100 jobs: 100 results, 0 lost")


def test_crash_without_the_queue_is_repaired_from_the_bucket(fault_stack):
    """Uploads acknowledged but gone from Redis (a crash past the last fsync) are found again."""
    stack, api = fault_stack, Api(fault_stack.base_url)
    s3 = stack.s3_client()
    s3.put_object(Bucket="jobs", Key="incoming/after-crash/a.txt", Body=b"one two")
    redis.Redis.from_url(stack.env["REDIS_URL"]).flushall()
    from core.ids import object_job_id

    etag = s3.head_object(Bucket="jobs", Key="incoming/after-crash/a.txt")["ETag"].strip('"')
    job_id = object_job_id(stack.env.get("ID_SECRET"), "jobs", "incoming/after-crash/a.txt", etag, 7)
    wait_until(lambda: api.job(job_id).status_code == 200, 30, "reconciler found the drop")
    job = api.wait(job_id)
    assert job["status"] == "finished" and job["result"]["words"] == 2, job


@pytest.fixture
def proxied_stack(tmp_path_factory):
    """A stack whose functions and workers reach S3 through a proxy the test can take down."""
    from infra.stack import Stack

    stack = Stack(
        tmp_path_factory.mktemp("proxied"), {**os.environ, **FAST_RECOVERY, "JOB_TIMEOUT_SECONDS": "20"}
    )
    stack.start_redis()
    stack.start_s3()
    proxy = FaultProxy(stack.s3_port).up()
    stack.env["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy.port}"
    stack.start_functions()
    stack.start_worker()
    stack.start_worker()
    yield stack, proxy
    stack.stop()
    proxy.down()


def test_bucket_down_for_10_seconds_during_a_run(proxied_stack):
    stack, proxy = proxied_stack
    api = Api(stack.base_url)
    job_ids = upload_all(api, 40, size_words=20000)
    proxy.down()
    reply = api.upload(("late.txt", b"x"))
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "unavailable"
    time.sleep(10)
    proxy.up()
    stack.env["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{stack.s3_port}"  # the test reads past the proxy
    assert_each_finished_once(api, stack.s3_client(), job_ids, timeout=180, stack=stack)
    print("\nbucket down 10 s during 40 jobs: 40 results, 0 lost")


def test_redis_full_answers_503_and_evicts_nothing(fault_stack):
    stack, api = fault_stack, Api(fault_stack.base_url)
    kept = api.process("kept.txt", b"still here afterwards")
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    client.config_set("maxmemory", "1")  # every write is now refused, as with a full Redis
    try:
        reply = api.upload(("more.txt", b"no room"))
        assert reply.status_code == 503 and reply.json()["error"]["code"] == "unavailable"
    finally:
        client.config_set("maxmemory", "0")
    assert api.job(kept["job_id"]).json()["status"] == "finished"


def test_a_pickled_job_in_redis_is_never_executed(fault_stack, tmp_path):
    """Workers read jobs as JSON only: a pickle payload pushed into the queue runs no code."""
    from rq import Queue
    from rq.registry import FailedJobRegistry

    marker = tmp_path / "pwned"
    connection = redis.Redis.from_url(fault_stack.env["REDIS_URL"])
    queue = Queue("jobs", connection=connection)
    pickled = queue.enqueue("os.system", f"touch {marker}")  # pickle serializer
    # Poll until a worker has taken it (and refused it), then look: no fixed sleep before the check.
    failed = FailedJobRegistry(queue=queue)
    wait_until(lambda: pickled.id in failed.get_job_ids(), 30, "a worker refused the pickled job")
    assert not marker.exists()
    api = Api(fault_stack.base_url)
    assert api.process("after.txt", b"workers still fine")["status"] == "finished"


def test_acknowledged_upload_lost_with_redis_is_found_in_the_bucket(fault_stack):
    """An upload answered 202 whose record and queue entry a crash lost is processed all the same."""
    stack, api = fault_stack, Api(fault_stack.base_url)
    for worker in stack.workers:
        worker.stop()
    job_id = api.upload_one("acked.txt", b"acknowledged before the crash")["job_id"]
    redis.Redis.from_url(stack.env["REDIS_URL"]).flushall()
    assert api.job(job_id).status_code == 404
    stack.start_worker()
    job = wait_for_job(api, job_id, timeout=60)
    assert job["status"] == "finished" and job["result"]["words"] == 4


def wait_for_job(api: Api, job_id: str, timeout: float) -> dict:
    wait_until(lambda: api.job(job_id).status_code == 200, timeout, "the reconciler found the upload")
    return api.wait(job_id)


def test_a_file_past_the_time_limit_fails_with_timeout_and_the_worker_goes_on(tmp_path_factory):
    stack = make_stack(tmp_path_factory, "timeout", workers=1, JOB_TIMEOUT_SECONDS="1", **FAST_RECOVERY)
    try:
        api = Api(stack.base_url)
        slow = api.wait(upload_slow(api, SLOWER_RTF), timeout=60)
        assert slow["status"] == "failed" and slow["error"]["code"] == "timeout" and slow["attempts"] == 1
        assert api.process("next.txt", b"the worker goes on")["result"]["words"] == 4
    finally:
        stack.stop()
