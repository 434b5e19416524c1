"""The MinIO setup's pure parts: which prefixes are watched and the notification configuration sent."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from core.settings import Settings
from infra import init_run, minio_init
from infra.init_run import InitError, wait_for
from infra.minio_init import notification_config, watched_prefixes


def make_settings(**env: str) -> Settings:
    return Settings.from_env({"S3_ENDPOINT_URL": "http://minio:9000", **env})


def rules(config: dict[str, Any]) -> list[tuple[str, list[str], str]]:
    return [
        (item["QueueArn"], item["Events"], item["Filter"]["Key"]["FilterRules"][0]["Value"])
        for item in config["QueueConfigurations"]
    ]


def client_error(status: int, code: str) -> ClientError:
    response = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "ListBuckets")  # type: ignore[arg-type]


def test_default_settings_watch_the_drop_prefix_and_uploads() -> None:
    config = notification_config(make_settings())
    assert rules(config) == [
        ("arn:minio:sqs::PRIMARY:webhook", ["s3:ObjectCreated:*"], "incoming/"),
        ("arn:minio:sqs::PRIMARY:webhook", ["s3:ObjectCreated:*"], "uploads/"),
    ]


def test_each_configuration_has_a_distinct_id_and_only_a_prefix_rule() -> None:
    items = notification_config(make_settings(DROP_PREFIX="drops/2026/"))["QueueConfigurations"]
    assert len({item["Id"] for item in items}) == len(items)
    assert all(item["Filter"]["Key"]["FilterRules"][0]["Name"] == "prefix" for item in items)
    assert all(len(item["Filter"]["Key"]["FilterRules"]) == 1 for item in items)


def test_drop_prefix_is_normalized_by_the_settings() -> None:
    assert watched_prefixes(make_settings(DROP_PREFIX="/drops").drop_prefix) == ["drops/", "uploads/"]


@pytest.mark.parametrize("drop", ["uploads/", "uploads/batch/"])
def test_overlapping_prefixes_collapse_to_the_shorter_one(drop: str) -> None:
    assert watched_prefixes(drop) == ["uploads/"]


def test_a_drop_prefix_that_only_looks_like_uploads_is_kept() -> None:
    assert watched_prefixes("up/") == ["up/", "uploads/"]


@pytest.mark.parametrize("drop", ["results/", "results/batches/"])
def test_a_drop_prefix_over_results_is_refused(drop: str) -> None:
    with pytest.raises(InitError, match="results"):
        watched_prefixes(drop)


def test_the_configuration_is_the_same_every_time() -> None:
    settings = make_settings(DROP_PREFIX="drops/")
    assert notification_config(settings) == notification_config(settings)


def test_wait_for_retries_connection_errors_then_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init_run.time, "sleep", lambda _: None)
    outcomes: list[Exception | None] = [EndpointConnectionError(endpoint_url="x"), client_error(503, "Slow")]
    outcomes.append(None)

    def probe() -> None:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    wait_for(probe, attempts=3, pause=0)
    assert outcomes == []


def test_wait_for_gives_up_after_the_last_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init_run.time, "sleep", lambda _: None)
    calls = []

    def probe() -> None:
        calls.append(1)
        raise EndpointConnectionError(endpoint_url="http://minio:9000")

    with pytest.raises(InitError, match="after 4 attempt"):
        wait_for(probe, attempts=4, pause=0)
    assert len(calls) == 4


def test_wait_for_does_not_retry_bad_credentials() -> None:
    calls = []

    def probe() -> None:
        calls.append(1)
        raise client_error(403, "InvalidAccessKeyId")

    with pytest.raises(InitError, match="InvalidAccessKeyId"):
        wait_for(probe, attempts=5, pause=0)
    assert len(calls) == 1


def test_run_refuses_aws() -> None:
    with pytest.raises(InitError, match="S3_ENDPOINT_URL"):
        minio_init.run(Settings.from_env({}))


def test_main_reports_bad_settings_with_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOTENV", "0")
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "-1")
    with pytest.raises(SystemExit, match="MAX_UPLOAD_BYTES"):
        minio_init.main()
