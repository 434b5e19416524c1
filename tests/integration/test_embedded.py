"""`./scripts/run` as a user runs it, on SeaweedFS: events, signatures, restarts, and how it fails."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from core.ids import object_job_id
from core.settings import NO_ID_SECRET
from infra.processes import ROOT, free_port
from infra.seaweed import pick_ports
from tests.client import Api

pytestmark = pytest.mark.slow
UP = "Embedded run is up"
ENV = {"RECONCILE_INTERVAL_SECONDS": "3600", "DOTENV": "0", "PYTHONUNBUFFERED": "1"}


class Run:
    """One `python -m infra.embedded` process on its own ports and data folder."""

    def __init__(self, data: Path, *args: str, out: Path | None = None) -> None:
        self.data = data
        self.port, self.s3_port = free_port(), pick_ports().s3
        argv = [sys.executable, "-m", "infra.embedded", "--data", str(data), "--workers", "1",
                "--port", str(self.port), "--s3-port", str(self.s3_port), *args]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "REDIS_"))}
        self.out = out or data.parent / "run.out"
        self.offset = self.out.stat().st_size if self.out.exists() else 0
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env={**env, **ENV}, stdout=self.out.open("ab"), stderr=subprocess.STDOUT
        )

    def text(self) -> str:
        """What this run printed (the file also holds earlier runs' output)."""
        return self.out.read_bytes()[self.offset :].decode(errors="replace")

    def wait_up(self, timeout: float = 90) -> Run:
        deadline = time.monotonic() + timeout
        while UP not in self.text():
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.2)
        return self

    def exports(self) -> dict[str, str]:
        lines = (self.data / "env").read_text().splitlines()
        pairs = [line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")]
        return {name: value.strip("'") for name, value in pairs}

    def s3(self, key: str | None = None, secret: str | None = None):
        env = self.exports()
        return boto3.client(
            "s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
            aws_access_key_id=key or env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=secret or env["AWS_SECRET_ACCESS_KEY"],
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 1}),
        )  # fmt: skip

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(60)


def drop_job_id(run: Run, key: str, body: bytes, etag: str) -> str:
    """The id the run gives a dropped object: keyed with the ID_SECRET it generated in its data folder."""
    secret = json.loads((run.data / "secrets.json").read_text())["ID_SECRET"]
    return object_job_id(secret, "jobs", key, etag, len(body))


def wait_for(check, timeout: float, what: str) -> float:
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < timeout, f"{what} not within {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - began


def test_restart_keeps_jobs_and_results_and_events_make_each_drop_one_job(tmp_path):
    run = Run(tmp_path / "data").wait_up()
    try:
        api = Api(f"http://127.0.0.1:{run.port}")
        uploaded = [api.upload_one(f"{n}.txt", b"one two three " * (n + 1))["job_id"] for n in range(3)]
        s3 = run.s3()
        bodies = {f"incoming/twenty/{n:02} file.txt": f"word {n} ".encode() * (n + 1) for n in range(20)}
        dropped = {drop_job_id(run, k, b, s3.put_object(Bucket="jobs", Key=k, Body=b)["ETag"].strip('"'))
                   for k, b in bodies.items()}  # fmt: skip
        took = wait_for(lambda: all(api.job(j).status_code == 200 for j in dropped), 10, "20 event jobs")
        assert took < 2.0, f"events made the 20 jobs in {took:.2f} s"
        for job_id in [*uploaded, *dropped]:
            assert api.wait(job_id)["status"] == "finished"
        assert run.stop() == 0
        run = Run(tmp_path / "data").wait_up()
        api = Api(f"http://127.0.0.1:{run.port}")
        for job_id in [*uploaded, *dropped]:
            assert api.job(job_id).json()["status"] == "finished"
            assert api.http.get(api.url(f"/jobs/{job_id}/result"), timeout=10).status_code == 200
        results = run.s3().list_objects_v2(Bucket="jobs", Prefix="results/obj-")["Contents"]
        assert len(results) == 20, "each dropped file made exactly one job"
        for app in ("functions", "worker-1", "reconciler", "callbacks"):  # all have the run's ID_SECRET
            assert NO_ID_SECRET not in (run.data / "logs" / f"{app}.log").read_text(), app
    finally:
        run.stop()


def test_unsigned_and_wrongly_signed_requests_get_403(tmp_path):
    run = Run(tmp_path / "data").wait_up()
    try:
        endpoint = run.exports()["AWS_ENDPOINT_URL"]
        assert requests.get(f"{endpoint}/jobs?list-type=2", timeout=10).status_code == 403
        assert requests.put(f"{endpoint}/jobs/results/x.json", data=b"{}", timeout=10).status_code == 403
        for key, secret in (("filejobs", "made-up-secret"), ("made-up", "made-up-secret")):
            with pytest.raises(ClientError) as refused:
                run.s3(key, secret).put_object(Bucket="jobs", Key="results/x.json", Body=b"{}")
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    finally:
        run.stop()


def test_a_dead_s3_server_is_named_by_healthz_logged_and_restarted_with_its_data(tmp_path):
    run = Run(tmp_path / "data").wait_up()
    try:
        api = Api(f"http://127.0.0.1:{run.port}")
        job_id = api.upload_one("kept.txt", b"kept words")["job_id"]
        assert api.wait(job_id)["status"] == "finished"
        weed = subprocess.run(["pgrep", "-f", f"weed mini -dir={run.data}"], capture_output=True, text=True)
        os.kill(int(weed.stdout.split()[0]), signal.SIGKILL)
        reply = requests.get(api.url("/healthz"), timeout=30)
        assert reply.status_code == 503 and reply.json()["checks"]["s3"] == "failing"
        assert "s3" in reply.json()["error"]["message"]
        wait_for(lambda: requests.get(api.url("/healthz"), timeout=30).ok, 60, "S3 back")
        assert "exited with code -9; restarting it" in (run.data / "logs" / "run.log").read_text()
        # The S3 endpoint answers before its volume server has re-registered: reads come back soon after.
        result = api.url(f"/jobs/{job_id}/result")
        wait_for(lambda: api.http.get(result, timeout=10).status_code == 200, 30, "the result readable again")
    finally:
        run.stop()


def one_line_failure(run: Run) -> str:
    assert run.proc.wait(60) == 1
    lines = [line for line in run.text().splitlines() if line.startswith("scripts/run:")]
    return lines[-1]


def test_a_taken_s3_port_is_named_in_one_line_and_nothing_is_left_running(tmp_path):
    taken = pick_ports().s3
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", taken))
        blocker.listen()
        run = Run(tmp_path / "data", "--s3-port", str(taken))
        line = one_line_failure(run)
    assert f"port {taken}" in line and "taken" in line
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", run.port))  # the functions never started


def test_an_unwritable_data_folder_is_named_in_one_line(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    run = Run(tmp_path / "file" / "data", out=tmp_path / "run.out")
    assert "is not writable" in one_line_failure(run)
