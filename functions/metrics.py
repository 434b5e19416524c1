"""`GET /metrics`: requests and upload bytes of this process, and the queue's state read from Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.utils import utcparse

from core import stats, tasks
from core.ids import FILE_TYPES
from core.services import Services

bp = Blueprint("metrics", __name__)
# Label values come from these sets only: made-up methods and paths cannot grow the series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER = "other"


class QueueCollector:
    """Reads the queue and job statistics from Redis at scrape time."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def _oldest_age(self) -> float:
        queue = self.services.queue
        oldest = queue.connection.lindex(queue.key, 0)
        if oldest is None:
            return 0.0
        enqueued = queue.connection.hget(Job.key_for(oldest.decode()), "enqueued_at")
        if not enqueued:
            return 0.0
        return max(0.0, time.time() - utcparse(enqueued.decode()).timestamp())

    def collect(self) -> Iterator:
        queue, redis = self.services.queue, self.services.clients.redis
        depth = GaugeMetricFamily("filejobs_queue_depth", "Jobs waiting in the queue", labels=["state"])
        depth.add_metric(["queued"], queue.count)
        depth.add_metric(["started"], StartedJobRegistry(queue=queue).count)
        scheduled = ScheduledJobRegistry(queue=queue).get_job_ids()
        chores = sum(1 for job_id in scheduled if job_id.startswith(tasks.EXPIRY_ID_PREFIX))
        depth.add_metric(["scheduled"], len(scheduled) - chores)
        depth.add_metric(["failed"], FailedJobRegistry(queue=queue).count)
        yield depth
        yield GaugeMetricFamily(
            "filejobs_upload_expiries_scheduled",
            "Presigned uploads whose expiry check is scheduled (housekeeping, not a backlog)",
            value=chores,
        )
        yield GaugeMetricFamily(
            "filejobs_queue_oldest_age_seconds", "Age of the oldest queued job", value=self._oldest_age()
        )
        ended = CounterMetricFamily("filejobs_jobs_ended", "Jobs ended, by status", labels=["status"])
        for status, count in stats.read_hash(redis, stats.ENDED_KEY).items():
            ended.add_metric([status], count)
        yield ended
        failures = CounterMetricFamily("filejobs_job_failures", "Failed jobs, by error code", labels=["code"])
        for code, count in stats.read_hash(redis, stats.FAILURES_KEY).items():
            failures.add_metric([code], count)
        yield failures
        yield self._durations(redis)

    def _durations(self, redis) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "filejobs_job_duration_seconds", "Processing time of finished jobs", labels=["file_type"]
        )
        for file_type in FILE_TYPES:
            values = stats.read_hash(redis, stats.duration_key(file_type))
            if not values:
                continue
            family.add_metric([file_type], stats.cumulative_buckets(values), sum_value=values.get("sum", 0.0))
        return family


def install(app: Flask, services: Services) -> None:
    """Count requests by route and status, and upload bytes; export them with the queue's state."""
    registry = CollectorRegistry()
    requests_total = Counter(
        "filejobs_http_requests", "HTTP requests", ["route", "method", "status"], registry=registry
    )
    upload_bytes = Counter("filejobs_upload_bytes", "Bytes received by POST /uploads", registry=registry)
    registry.register(QueueCollector(services))
    app.extensions["metrics"] = registry

    @app.after_request
    def count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else OTHER
        method = request.method if request.method in METHODS else OTHER
        requests_total.labels(route, method, str(response.status_code)).inc()
        if route == "/uploads" and request.method == "POST" and response.status_code == 202:
            upload_bytes.inc(request.content_length or 0)
        return response


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(current_app.extensions["metrics"]), mimetype=CONTENT_TYPE_LATEST)
