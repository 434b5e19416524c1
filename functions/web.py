"""The static page at `/` and its assets at `/web/<path>`, served with a strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, send_from_directory

from functions.context import services

bp = Blueprint("web", __name__)
DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Without an endpoint the bucket is AWS: presigned URLs name `<bucket>.s3.<region>.amazonaws.com`.
AWS_S3_SOURCE = "https://*.amazonaws.com"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' {s3}; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
# Set explicitly: the system's mime.types may call JavaScript `application/x-javascript` or nothing,
# and browsers refuse ES modules that are not served as JavaScript (nosniff is on).
MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


def _web_dir() -> Path:
    configured = services().settings.web_dir
    return Path(configured) if configured else DEFAULT_WEB_DIR


def s3_source(endpoint: str | None) -> str:
    """The CSP source for the public S3 endpoint: its origin (scheme, host, port), no path."""
    if not endpoint:
        return AWS_S3_SOURCE
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else AWS_S3_SOURCE


def content_security_policy() -> str:
    return CSP.format(s3=s3_source(services().settings.public_endpoint_url))


def _send(name: str):
    response = send_from_directory(_web_dir(), name, max_age=0)
    mimetype = MIME_TYPES.get(Path(name).suffix.lower())
    if mimetype:
        response.mimetype = mimetype
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
def index():
    return _send("index.html")


@bp.get("/web/<path:name>")
def asset(name: str):
    return _send(name)
