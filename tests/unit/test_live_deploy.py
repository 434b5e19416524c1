"""The deployment files serve event streams as the README says: gevent workers, nginx not buffering."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_compose import nginx_location

ROOT = Path(__file__).resolve().parents[2]


def test_nginx_passes_event_streams_unbuffered_and_holds_them_open():
    for path in ("/jobs/abc/events", "/batches/b1/events"):
        block = nginx_location(path)
        assert "proxy_buffering off" in block and "proxy_read_timeout 3600s" in block
    assert "proxy_buffering off" not in nginx_location("/jobs/abc")


def test_every_functions_command_uses_gevent_workers():
    for name in ("docker-compose.yml", "Dockerfile", "infra/k8s/functions.yaml"):
        text = (ROOT / name).read_text()
        assert "gevent" in text, name
