"""infra/k8s/*.yaml checked against the code: commands, variables, probes, images, the KEDA queue key."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml
from redis import Redis
from rq import Queue

from core.settings import Settings, env_names
from core.tasks import make_queue

K8S = Path(__file__).resolve().parents[2] / "infra" / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml")) + sorted((K8S / "examples").glob("*.yaml"))
STANDARD_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"}
# gunicorn binds itself; the page is served elsewhere in a cluster.
NOT_IN_CLUSTER = {"HOST", "PORT", "WEB_DIR"}
WORKLOADS = ("Deployment", "StatefulSet")


def load_all() -> list[dict[str, Any]]:
    docs = []
    for path in MANIFESTS:
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    return docs


DOCS = load_all()


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in DOCS if doc["kind"] == kind}


def containers() -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], container)
        for doc in DOCS
        if doc["kind"] in WORKLOADS
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]


def app_containers() -> list[tuple[str, dict[str, Any]]]:
    return [(name, c) for name, c in containers() if c["image"].rsplit(":", 1)[0].endswith("/filejobs")]


def config_map() -> dict[str, str]:
    return of_kind("ConfigMap")["filejobs-config"]["data"]


def test_every_manifest_parses_and_names_no_namespace():
    assert {path.name for path in MANIFESTS} >= {
        "functions.yaml",
        "worker.yaml",
        "redis.yaml",
        "configmap.yaml",
    }
    for doc in DOCS:
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"], doc
        assert "namespace" not in doc["metadata"], doc["metadata"]


def test_images_have_pinned_tags():
    for name, container in containers():
        image = container["image"]
        repository, _, tag = image.rpartition(":")
        assert "@sha256:" in image or (repository and "/" not in tag and tag not in ("", "latest")), (
            name,
            image,
        )


def module_of(command: list[str]) -> tuple[str, str | None]:
    """The module a container runs, and the attribute gunicorn calls (`module:factory()`)."""
    if command[:2] == ["python", "-m"]:
        return command[2], None
    assert command[0] == "gunicorn", command
    module, _, factory = command[-1].partition(":")
    return module, factory.removesuffix("()")


def test_commands_run_modules_that_exist():
    run = {}
    for name, container in app_containers():
        module, attribute = module_of(container["command"])
        assert importlib.util.find_spec(module) is not None, (name, module)
        if attribute:
            assert importlib.util.find_spec("gunicorn") is not None
            assert callable(getattr(importlib.import_module(module), attribute)), (name, attribute)
        run[name] = module
    assert run == {
        "filejobs-functions": "functions.app",
        "filejobs-worker": "worker",
        "filejobs-reconciler": "worker.reconciler",
        "filejobs-callbacks": "worker",
    }


def test_every_variable_is_one_the_code_reads():
    known = set(env_names()) | STANDARD_ENV
    secret = of_kind("Secret")["filejobs-secrets"]
    assert set(config_map()) <= known and set(secret["stringData"]) <= known
    assert set(config_map()) | set(secret["stringData"]) == set(env_names()) - NOT_IN_CLUSTER | {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    }  # fmt: skip
    for name, container in app_containers():
        assert {env["name"] for env in container.get("env", [])} <= known, name
        refs = [(ref.get("configMapRef") or ref.get("secretRef"))["name"] for ref in container["envFrom"]]
        assert refs == ["filejobs-config", "filejobs-secrets"], name


def test_config_map_values_are_valid_settings():
    settings = Settings.from_env(config_map())
    assert settings.s3_endpoint_url is None and settings.queue_name == Settings().queue_name


def test_probes_hit_healthz_on_a_named_port():
    functions = dict(containers())["filejobs-functions"]
    assert {"readinessProbe", "livenessProbe"} <= set(functions)
    for name, container in containers():
        ports = {port["name"] for port in container.get("ports", [])}
        for probe in (container.get(key) for key in ("readinessProbe", "livenessProbe", "startupProbe")):
            if probe and "httpGet" in probe:
                assert probe["httpGet"]["path"] == "/healthz" and probe["httpGet"]["port"] in ports, name


def test_keda_scales_the_workers_on_rqs_list_for_the_default_queue():
    (scaled,) = of_kind("ScaledObject").values()
    target = of_kind("Deployment")[scaled["spec"]["scaleTargetRef"]["name"]]
    assert target["spec"]["template"]["spec"]["containers"][0]["command"] == ["python", "-m", "worker"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == Queue.redis_queue_namespace_prefix + Settings().queue_name
    # The key of the very queue the functions enqueue to (building it does not connect).
    queue = make_queue(Redis(port=1), Settings())
    assert queue.key == trigger["metadata"]["listName"]
    assert scaled["spec"]["minReplicaCount"] >= 1  # RQ's scheduler runs in the workers
    host = trigger["metadata"]["address"].split(":")[0]
    assert host.split(".")[0] in of_kind("Service")


def test_workers_get_time_to_finish_a_job():
    worker = of_kind("Deployment")["filejobs-worker"]["spec"]["template"]["spec"]
    assert worker["terminationGracePeriodSeconds"] >= 60


def test_functions_are_served_and_scaled_on_cpu():
    deployment = of_kind("Deployment")["filejobs-functions"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = of_kind("Service")["filejobs-functions"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpa = of_kind("HorizontalPodAutoscaler")["filejobs-functions"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "filejobs-functions"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"]


def test_every_service_selects_a_workload():
    pods = [doc["spec"]["template"]["metadata"]["labels"] for doc in DOCS if doc["kind"] in WORKLOADS]
    for name, service in of_kind("Service").items():
        assert any(service["spec"]["selector"].items() <= labels.items() for labels in pods), name


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_redis_keeps_an_append_only_file_on_a_volume_and_never_evicts():
    redis = of_kind("StatefulSet")["redis"]
    (container,) = redis["spec"]["template"]["spec"]["containers"]
    command = container["command"]
    assert option(command, "--appendonly") == "yes" and option(command, "--maxmemory-policy") == "noeviction"
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    (claim,) = redis["spec"]["volumeClaimTemplates"]
    assert mounts[claim["metadata"]["name"]] == option(command, "--dir")
    assert Settings.from_env(config_map()).redis_url.startswith("redis://redis:6379/")


@pytest.mark.parametrize(
    "name", ["filejobs-functions", "filejobs-worker", "filejobs-reconciler", "filejobs-callbacks"]
)
def test_app_pods_run_unprivileged(name):
    spec = of_kind("Deployment")[name]["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsNonRoot"] and spec["serviceAccountName"] == "filejobs"
    assert spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_bucket_init_job_sets_up_the_bucket_with_the_apps_settings():
    job = of_kind("Job")["filejobs-bucket-init"]["spec"]["template"]["spec"]
    container = job["containers"][0]
    module, _ = module_of(container["command"])
    assert module == "infra.bucket_init" and importlib.util.find_spec(module) is not None
    refs = [(ref.get("configMapRef") or ref.get("secretRef"))["name"] for ref in container["envFrom"]]
    assert refs == ["filejobs-config", "filejobs-secrets"] and job["restartPolicy"] == "OnFailure"
    assert job["securityContext"]["runAsNonRoot"] and job["serviceAccountName"] == "filejobs"
