"""docker-compose.yml, Dockerfile, nginx.conf and .env.example checked against the code, without Docker."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from core.services import Services
from core.settings import Settings, env_names
from functions import web
from functions.app import MULTIPART_SLACK_BYTES, create_app
from infra.minio_init import WEBHOOK_ARN

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
SEAWEEDFS_TEXT = (ROOT / "docker-compose.seaweedfs.yml").read_text()
SERVICES: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)["services"]
APP_SERVICES = ("functions", "worker", "reconciler", "init")
STANDARD_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}  # read by boto3, not by the settings
# Settings the compose topology decides rather than .env: gunicorn binds itself, the image holds web/.
NOT_IN_COMPOSE = {"HOST", "PORT", "WEB_DIR"}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
UNUSED_URLS = {"REDIS_URL": "redis://127.0.0.1:1/0", "S3_ENDPOINT_URL": "http://127.0.0.1:1"}


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def resolve(value: Any, env: dict[str, str]) -> str:
    """What compose makes of `value` with `env` as .env: `${X:-d}` and `${X:?e}`, empty counts as unset."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        given = env.get(name, "")
        if given or op is None:
            return given
        if op == ":?":
            raise AssertionError(f"{name} is required: {arg}")
        return arg

    return INTERPOLATION.sub(one, str(value))


def app_env(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    values = SERVICES[service]["environment"]
    return {name: resolve(value, env_example() if env is None else env) for name, value in values.items()}


def command(service: str) -> list[str]:
    cmd = SERVICES[service]["command"]
    return cmd if isinstance(cmd, list) else cmd.split()


def option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def dockerfile_cmd() -> list[str]:
    lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(lines[-1][4:])


def bytes_of(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()  # type: ignore[union-attr]
    return int(number) << {"": 0, "k": 10, "m": 20, "g": 30}[unit.lower()]


@pytest.fixture(scope="module")
def app_routes() -> list[tuple[str, set[str], str]]:
    """(rule, methods, endpoint) of every route; building the clients does not connect."""
    settings = Settings.from_env(UNUSED_URLS)
    app = create_app(settings, Services.build(settings))
    return [(r.rule, set(r.methods or ()), r.endpoint) for r in app.url_map.iter_rules()]


def served(routes: list[tuple[str, set[str], str]], url: str, method: str = "GET") -> bool:
    path = urlsplit(url).path
    return any(
        re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", re.escape(rule)), path) and method in m
        for rule, m, _ in routes
    )


def test_commands_run_modules_that_exist() -> None:
    for service in SERVICES:
        if "build" not in SERVICES[service]:
            continue
        cmd = command(service)
        if cmd[0] == "gunicorn":
            module, factory = cmd[-1].split(":")
            assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))
            continue
        assert cmd[:2] == ["python", "-m"], service
        spec = importlib.util.find_spec(cmd[2])
        assert spec is not None, f"{service}: no module {cmd[2]}"
        if spec.submodule_search_locations:  # a package runs its __main__
            assert importlib.util.find_spec(f"{cmd[2]}.__main__"), f"{service}: {cmd[2]} has no __main__"


def test_the_image_runs_the_functions_like_compose_does() -> None:
    assert dockerfile_cmd() == command("functions")
    assert command("functions")[-1] == "functions.app:create_app()"


def test_the_image_holds_every_package() -> None:
    copied = re.findall(r"^COPY (\S+) ", (ROOT / "Dockerfile").read_text(), re.M)
    skipped = {"tests", "bench", "scripts"}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - skipped
    assert packages | {"web", "requirements.txt"} <= set(copied)


def test_app_services_share_one_environment() -> None:
    assert all(app_env(service) == app_env("functions") for service in APP_SERVICES)
    assert all("build" in SERVICES[service] for service in APP_SERVICES)


def test_app_environment_names_only_variables_the_code_reads() -> None:
    unknown = set(SERVICES["functions"]["environment"]) - set(env_names()) - STANDARD_ENV
    assert not unknown, f"not read by core/settings.py: {sorted(unknown)}"


def test_every_setting_is_configurable_in_compose() -> None:
    missing = set(env_names()) - NOT_IN_COMPOSE - set(SERVICES["functions"]["environment"])
    assert not missing, f"add to x-app-env in docker-compose.yml and to .env.example: {sorted(missing)}"


@pytest.mark.parametrize("dotenv", ["example", "secrets only"])
def test_the_environment_is_valid_settings(dotenv: str) -> None:
    secrets = {k: v for k, v in env_example().items() if k in ("MINIO_ROOT_PASSWORD", "EVENTS_TOKEN")}
    env = app_env("functions", env_example() if dotenv == "example" else secrets)
    settings = Settings.from_env(env)
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.redis_url.startswith("redis://redis:")
    assert settings.events_token


def test_secrets_have_no_default() -> None:
    for name in ("MINIO_ROOT_PASSWORD", "EVENTS_TOKEN"):
        assert f"${{{name}:?" in COMPOSE_TEXT and f"${{{name}:-" not in COMPOSE_TEXT


def test_images_are_pinned() -> None:
    for service, spec in SERVICES.items():
        if "image" in spec:
            name, _, tag = spec["image"].rpartition(":")
            assert name and "/" not in tag and tag not in ("", "latest"), f"{service}: {spec['image']}"
    assert SERVICES["minio"]["image"].split(":")[-1].startswith("RELEASE.")


def test_the_functions_port_is_the_one_gunicorn_binds(app_routes) -> None:
    port = option(command("functions"), "--bind").rsplit(":", 1)[1]
    assert [p.rsplit(":", 1)[1] for p in SERVICES["functions"]["ports"]] == [port]
    health = SERVICES["functions"]["healthcheck"]["test"][-1]
    url = re.search(r"'(http://[^']+)'", health).group(1)  # type: ignore[union-attr]
    assert urlsplit(url).port == int(port) and served(app_routes, url)
    webhook = urlsplit(SERVICES["minio"]["environment"]["MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY"])
    assert (webhook.hostname, webhook.port) == ("functions", int(port))
    assert f"http://functions:{port};" in (ROOT / "infra" / "nginx.conf").read_text()


def test_the_webhook_reaches_the_events_function(app_routes) -> None:
    minio = SERVICES["minio"]["environment"]
    assert served(app_routes, minio["MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY"], "POST")
    assert minio["MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY"] == "on"
    token = SERVICES["functions"]["environment"]["EVENTS_TOKEN"]
    assert minio["MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_PRIMARY"] == token
    assert minio["MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_PRIMARY"].startswith("/data/")  # on the volume
    assert any(v.endswith(":/data") for v in SERVICES["minio"]["volumes"])
    assert int(minio["MINIO_NOTIFY_WEBHOOK_QUEUE_LIMIT_PRIMARY"]) >= 10_000
    assert WEBHOOK_ARN.split(":")[-2] == "PRIMARY"  # the target the _PRIMARY variables define


def test_the_worker_scales() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["stop_grace_period"]


def test_redis_is_durable_and_never_evicts() -> None:
    cmd = command("redis")
    assert option(cmd, "--appendonly") == "yes"
    assert option(cmd, "--maxmemory-policy") == "noeviction"


def test_services_start_in_order() -> None:
    for service in set(APP_SERVICES) - {"init"}:
        needs = SERVICES[service]["depends_on"]
        assert needs["redis"]["condition"] == "service_healthy"
        assert needs["init"]["condition"] == "service_completed_successfully"
    assert SERVICES["init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert SERVICES["init"]["restart"] == "no"
    for spec in SERVICES.values():
        for needed, how in spec.get("depends_on", {}).items():
            assert how["condition"] != "service_healthy" or "healthcheck" in SERVICES[needed]


def test_env_example_lists_exactly_the_variables_compose_reads() -> None:
    used = {match.group(1) for match in INTERPOLATION.finditer(COMPOSE_TEXT + SEAWEEDFS_TEXT)}
    assert used == set(env_example())


def test_env_example_defaults_match_the_code() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    fields = Settings.__dataclass_fields__.values()
    defaults = {field.metadata["env"]: field.default for field in fields}
    for comment, line in zip(lines, lines[1:]):
        stated = re.search(r"\(default (\d+)", comment)
        name = line.split("=")[0]
        if stated and name in defaults:
            assert int(stated.group(1)) == defaults[name], name


def nginx_conf() -> str:
    return (ROOT / "infra" / "nginx.conf").read_text()


def nginx_location(path: str) -> str:
    """The body of the location block nginx picks for `path` (exact, ^~ prefix, regex, longest prefix)."""
    blocks = re.findall(r"location\s+(=|~\*?|\^~)?\s*([^@\s]\S*)\s*\{([^}]*)\}", nginx_conf())
    exact = [body for mod, pattern, body in blocks if mod == "=" and pattern == path]
    matching = [(len(p), mod, body) for mod, p, body in blocks if mod in ("", "^~") and path.startswith(p)]
    prefixes = sorted(matching, reverse=True)
    if exact or (prefixes and prefixes[0][1] == "^~"):
        return exact[0] if exact else prefixes[0][2]
    for mod, pattern, body in blocks:
        if mod.startswith("~") and re.search(pattern, path, re.I if mod == "~*" else 0):
            return body
    return prefixes[0][2] if prefixes else ""


def test_nginx_proxies_every_api_route_and_serves_the_page(app_routes) -> None:
    for rule, _, endpoint in app_routes:
        if endpoint != "static" and not endpoint.startswith("web."):
            path = re.sub(r"<[^>]+>", "x", rule)
            assert "proxy_pass" in nginx_location(path), f"nginx does not pass {rule} to the functions"
    for page in ("/", "/index.html", "/web/app.js"):
        assert "proxy_pass" not in nginx_location(page)


def test_nginx_sends_the_headers_the_functions_send(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html>")
    env = app_env("functions")
    settings = Settings.from_env({**env, **UNUSED_URLS, "WEB_DIR": str(tmp_path)})
    page = create_app(settings, Services.build(settings)).test_client().get("/")
    web_env = app_env("web")
    conf = re.sub(r"\$\{(\w+)\}", lambda m: web_env[m.group(1)], nginx_conf())
    sent = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', conf))
    assert sent == {name: page.headers[name] for name in sent}
    assert {"Content-Security-Policy", "X-Content-Type-Options"} <= set(sent)
    assert web.CSP.split("{s3}")[0] in sent["Content-Security-Policy"]


def test_nginx_template_fills_in_only_its_own_variables() -> None:
    web_env = SERVICES["web"]["environment"]
    wanted = set(re.findall(r"\$\{(\w+)\}", nginx_conf()))
    keep = set(re.findall(r"\$([a-z_]+)", nginx_conf()))  # nginx's own variables
    envsubst = re.compile(web_env["NGINX_ENVSUBST_FILTER"])
    assert wanted <= set(web_env) and all(envsubst.search(name) for name in wanted)
    assert not any(envsubst.search(name) for name in keep)


def test_nginx_leaves_oversized_uploads_to_the_functions() -> None:
    limit = bytes_of(app_env("web")["APP_MAX_BODY_SIZE"])
    assert limit >= int(app_env("functions")["MAX_UPLOAD_BYTES"]) + MULTIPART_SLACK_BYTES
    assert "client_max_body_size ${APP_MAX_BODY_SIZE};" in nginx_conf()
