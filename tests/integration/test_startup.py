"""Starting the processes as a user would: on an empty S3 server, and a worker in burst mode."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from infra.processes import ROOT, Service, python_argv, wait_until
from infra.stack import Stack
from tests.client import Api


def test_functions_create_the_bucket_and_a_burst_worker_drains_the_queue(tmp_path):
    stack = Stack(tmp_path, {**os.environ, "DOTENV": "0"}, s3_server="moto")
    try:
        stack.start_redis()
        argv = python_argv("-m", "moto.server", "-H", "127.0.0.1", "-p", str(stack.s3_port))
        stack.s3 = Service("s3", argv, stack.env, stack.log("s3")).start()
        url = stack.env["S3_ENDPOINT_URL"]
        wait_until(
            lambda: requests.get(url, timeout=1).status_code < 500, 30, "moto S3 server", stack.s3.proc
        )
        stack.start_functions(python_argv("-m", "functions"))  # no bucket yet: the dev server makes it
        assert requests.get(stack.base_url + "/healthz", timeout=10).json()["checks"]["s3"] == "ok"
        api = Api(stack.base_url)
        job_ids = [api.upload_one(f"{n}.txt", b"one two three")["job_id"] for n in range(5)]
        burst = subprocess.run(
            [sys.executable, "-m", "worker", "--burst"],
            env=stack.env,
            cwd=ROOT,
            timeout=120,
            capture_output=True,
        )
        assert burst.returncode == 0
        assert [api.job(job_id).json()["status"] for job_id in job_ids] == ["finished"] * 5
    finally:
        stack.stop()


def test_a_worker_with_an_unknown_pdf_engine_refuses_to_start_naming_it():
    env = {**os.environ, "DOTENV": "0", "PDF_ENGINE": "pdfium"}
    reply = subprocess.run(
        [sys.executable, "-m", "worker", "--burst"],
        env=env,
        cwd=ROOT,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert reply.returncode != 0
    assert "worker: PDF_ENGINE='pdfium' is invalid: must be one of: pypdf, pypdfium2" in reply.stderr
