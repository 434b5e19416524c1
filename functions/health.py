"""`GET /healthz` (Redis and the bucket answer) and `GET /config` (the limits the page applies)."""

from __future__ import annotations

from flask import Blueprint

from core.ids import FILE_TYPES
from core.services import Services
from functions.context import services
from functions.errors import redis_out_of_memory

bp = Blueprint("health", __name__)


PROBE_KEY = "healthz:probe"


def _check(name: str, probe) -> tuple[str, str | None]:
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", named in the reply
        return name, "out of memory" if redis_out_of_memory(exc) else f"{type(exc).__name__}"
    return name, None


def _redis_writes(svc: Services) -> None:
    # A write, not a PING: a full Redis (noeviction) still answers PING but refuses every job.
    svc.clients.redis.set(PROBE_KEY, "1", ex=60)


def checks(svc: Services) -> dict[str, str | None]:
    bucket = svc.settings.s3_bucket
    return dict(
        [
            _check("redis", lambda: _redis_writes(svc)),
            _check("s3", lambda: svc.clients.s3.head_bucket(Bucket=bucket)),
        ]
    )


def limits(svc: Services) -> dict:
    return {
        "max_upload_bytes": svc.settings.max_upload_bytes,
        "max_multipart_bytes": svc.settings.max_multipart_bytes,
        "file_types": list(FILE_TYPES),
    }


@bp.get("/healthz")
def healthz():
    svc = services()
    failed = {name: reason for name, reason in checks(svc).items() if reason}
    status = {name: ("ok" if name not in failed else "failing") for name in ("redis", "s3")}
    if failed:
        reasons = ", ".join(f"{name} ({reason})" for name, reason in failed.items())
        message = f"Not healthy: {reasons} not answering or refusing writes."
        return {
            "status": "unavailable",
            "checks": status,
            "error": {"code": "unavailable", "message": message},
        }, 503
    return {"status": "ok", "checks": status, "limits": limits(svc)}


@bp.get("/config")
def config():
    svc = services()
    return {"limits": limits(svc), "presign_expires_seconds": svc.settings.presign_expires_seconds}
