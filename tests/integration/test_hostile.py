"""The hostile corpus through real workers: each file ends with its code or its exact counts."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.client import Api
from tests.hostile import HOSTILE_NAMES, hostile_samples
from tests.integration.conftest import make_stack

pytestmark = pytest.mark.slow
MAX_PDF_PAGES = 50


@pytest.fixture(scope="module")
def hostile_api(tmp_path_factory):
    env = {
        "MAX_UPLOAD_BYTES": str(64 << 20),
        "MAX_PDF_PAGES": str(MAX_PDF_PAGES),
        "JOB_TIMEOUT_SECONDS": "30",
    }
    stack = make_stack(tmp_path_factory, "hostile", **env)
    yield Api(stack.base_url)
    stack.stop()


def test_every_hostile_file_ends_with_its_code_or_counts(hostile_api):
    samples = hostile_samples(MAX_PDF_PAGES)
    began = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        job_ids = list(pool.map(lambda s: hostile_api.upload_one(s.filename, s.data)["job_id"], samples))
    outcomes = {}
    for sample, job_id in zip(samples, job_ids, strict=True):
        job = hostile_api.wait(job_id, timeout=120)
        if sample.error:
            outcomes[sample.filename] = (job["error"] or {}).get("code"), sample.error
        else:
            got = {key: (job["result"] or {}).get(key) for key in sample.result}
            outcomes[sample.filename] = got, sample.result
    wrong = {name: pair for name, pair in outcomes.items() if pair[0] != pair[1]}
    assert not wrong, wrong
    # The workers took everything and are still there: the next ordinary file goes through.
    assert hostile_api.process("after.txt", b"still alive")["result"]["words"] == 2
    print(f"\nhostile corpus: {len(samples)} files, all as expected in {time.monotonic() - began:.1f} s")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_filenames_give_safe_keys(hostile_api, name):
    reply = hostile_api.upload((name, b"safe words"))
    assert reply.status_code == 202, reply.text
    job = reply.json()["jobs"][0]
    key_name = job["key"].split("/", 2)[2]
    assert job["key"].startswith(f"uploads/{job['job_id']}/") and "/" not in key_name
    assert key_name.endswith(".txt") and len(key_name.encode()) <= 200
    assert all(ch.isprintable() and ch not in "\u202e\x00" for ch in key_name)
    assert hostile_api.wait(job["job_id"])["result"]["words"] == 2
