"""Metrics and logs as an operator reads them: scraped over HTTP, one job followed through the logs."""

from __future__ import annotations

import json

from prometheus_client.parser import text_string_to_metric_families


def scrape(api) -> dict[str, list]:
    reply = api.http.get(api.url("/metrics"))
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(reply.text)}


def value(samples, **labels) -> float:
    return sum(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_show_requests_queue_and_outcomes(api):
    api.process("m.txt", b"count me in")
    api.process("m.pdf", b"not a pdf")
    families = scrape(api)
    assert value(families["filejobs_http_requests"], route="/uploads", status="202") >= 2
    assert value(families["filejobs_upload_bytes"]) > 0
    assert "filejobs_queue_depth" in families and "filejobs_queue_oldest_age_seconds" in families
    assert value(families["filejobs_jobs_ended"], status="finished") >= 1
    assert value(families["filejobs_job_failures"], code="content_mismatch") >= 1
    durations = families["filejobs_job_duration_seconds"]
    assert value([s for s in durations if s.name.endswith("_count")], file_type="txt") >= 1


def test_one_job_can_be_followed_through_the_json_logs(api, stack):
    job = api.process("follow.txt", b"follow this job")
    lines = []
    for name in ["functions", *[worker.name for worker in stack.workers]]:
        for raw in stack.log(name).read_text().splitlines():
            if raw.startswith("{") and job["job_id"] in raw:
                lines.append(json.loads(raw))
    events = {line.get("event") for line in lines if line.get("job_id") == job["job_id"]}
    assert {"upload_accepted", "job_started", "job_finished"} <= events
    finished = next(line for line in lines if line.get("event") == "job_finished")
    assert finished["duration_ms"] >= 0 and finished["file_type"] == "txt"
