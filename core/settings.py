"""One frozen settings object, read once per process from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from core.tenants import parse_api_keys

MIN_ID_SECRET_CHARS = 16
NO_ID_SECRET = (
    "ID_SECRET is unset: ids of dropped objects are plain hashes that anyone who knows an object's"
    " bucket, key, ETag and size can compute. Set ID_SECRET (the same value for every process)."
)


class SettingsError(ValueError):
    """A variable of the environment has a value the system cannot run with."""


# PDF_ENGINE's values: pypdf (the default) or PDFium through pypdfium2.
PDF_ENGINES = ("pypdf", "pypdfium2")


@dataclass(frozen=True)
class Limits:
    """Processing limits a worker enforces on every file, whatever way it came in, and its PDF engine."""

    max_bytes: int = 52_428_800
    max_pdf_pages: int = 5_000
    max_text_chars: int = 200_000_000
    max_json_depth: int = 512
    memory_bytes: int = 1_073_741_824
    pdf_engine: str = "pypdf"


def _text(value: str) -> str:
    return value


def _optional(value: str) -> str | None:
    return value or None


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError("must be true or false")
    return lowered in ("1", "true", "yes", "on")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive integer")
    return number


def _port(value: str) -> int:
    number = int(value)
    if not 0 < number < 65536:
        raise ValueError("must be a TCP port (1-65535)")
    return number


def _api_keys(value: str) -> tuple[str, ...]:
    entries = _csv(value)
    parse_api_keys(entries)  # refuse bad names, empty or repeated keys at start
    return entries


def _prefix(value: str) -> str:
    value = value.lstrip("/")
    if not value:
        raise ValueError("must not be empty")
    value = value if value.endswith("/") else value + "/"
    managed = ("uploads/", "results/")
    if any(value.startswith(own) or own.startswith(value) for own in managed):
        raise ValueError("must not overlap uploads/ or results/, which the system writes itself")
    return value


def _pdf_engine(value: str) -> str:
    if value not in PDF_ENGINES:
        raise ValueError(f"must be one of: {', '.join(PDF_ENGINES)}")
    return value


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return value


def _http_url(value: str) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value or None


def _id_secret(value: str) -> str:
    if len(value) < MIN_ID_SECRET_CHARS:
        raise ValueError(
            f"must be at least {MIN_ID_SECRET_CHARS} characters, e.g. from"
            " python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    return value


def _setting(env: str, parse: Callable[[str], Any], default: Any) -> Any:
    return field(default=default, metadata={"env": env, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Everything configurable, named as in the contract (`env` metadata gives the variable)."""

    redis_url: str = _setting("REDIS_URL", _redis_url, "redis://127.0.0.1:6379/0")
    s3_endpoint_url: str | None = _setting("S3_ENDPOINT_URL", _http_url, None)
    s3_public_endpoint_url: str | None = _setting("S3_PUBLIC_ENDPOINT_URL", _http_url, None)
    s3_bucket: str = _setting("S3_BUCKET", _text, "jobs")
    aws_region: str | None = _setting("AWS_REGION", _optional, None)
    drop_prefix: str = _setting("DROP_PREFIX", _prefix, "incoming/")
    max_upload_bytes: int = _setting("MAX_UPLOAD_BYTES", _positive_int, 52_428_800)
    events_token: str | None = _setting("EVENTS_TOKEN", _optional, None)
    cors_origins: tuple[str, ...] = _setting("CORS_ORIGINS", _csv, ())
    api_keys: tuple[str, ...] = _setting("API_KEYS", _api_keys, ())
    rate_limit_per_minute: int | None = _setting("RATE_LIMIT_PER_MINUTE", _positive_int, None)
    presign_expires_seconds: int = _setting("PRESIGN_EXPIRES_SECONDS", _positive_int, 900)
    host: str = _setting("HOST", _text, "127.0.0.1")
    port: int = _setting("PORT", _port, 8000)
    queue_name: str = _setting("QUEUE_NAME", _text, "jobs")
    job_timeout_seconds: int = _setting("JOB_TIMEOUT_SECONDS", _positive_int, 120)
    max_attempts: int = _setting("MAX_ATTEMPTS", _positive_int, 5)
    record_ttl_seconds: int = _setting("RECORD_TTL_SECONDS", _positive_int, 7 * 24 * 3600)
    # A finished upload's record, once its result is in the bucket (GET /jobs/<id> then reads that).
    ended_record_ttl_seconds: int = _setting("ENDED_RECORD_TTL_SECONDS", _positive_int, 3600)
    # Small files of one multi-file upload or listing page share an RQ job, this many at most.
    task_group_files: int = _setting("TASK_GROUP_FILES", _positive_int, 10)
    task_group_max_bytes: int = _setting("TASK_GROUP_MAX_BYTES", _positive_int, 256 << 10)
    max_pdf_pages: int = _setting("MAX_PDF_PAGES", _positive_int, 5_000)
    max_text_chars: int = _setting("MAX_TEXT_CHARS", _positive_int, 200_000_000)
    max_json_depth: int = _setting("MAX_JSON_DEPTH", _positive_int, 512)
    worker_memory_bytes: int = _setting("WORKER_MEMORY_BYTES", _positive_int, 1_073_741_824)
    pdf_engine: str = _setting("PDF_ENGINE", _pdf_engine, "pypdf")
    heartbeat_seconds: int = _setting("WORKER_HEARTBEAT_SECONDS", _positive_int, 10)
    reconcile_interval_seconds: int = _setting("RECONCILE_INTERVAL_SECONDS", _positive_int, 5)
    web_dir: str | None = _setting("WEB_DIR", _optional, None)
    callback_secret: str | None = _setting("CALLBACK_SECRET", _optional, None)
    callback_queue: str = _setting("CALLBACK_QUEUE", _text, "callbacks")
    callback_allow_private: bool = _setting("CALLBACK_ALLOW_PRIVATE", _flag, False)
    max_multipart_bytes: int = _setting("MAX_MULTIPART_BYTES", _positive_int, 5 * 1024**3)
    multipart_expires_seconds: int = _setting("MULTIPART_EXPIRES_SECONDS", _positive_int, 86_400)
    callback_max_deliveries: int = _setting("CALLBACK_MAX_DELIVERIES", _positive_int, 5)
    callback_max_per_minute: int = _setting("CALLBACK_MAX_PER_MINUTE", _positive_int, 60)
    id_secret: str | None = _setting("ID_SECRET", _id_secret, None)

    def __post_init__(self) -> None:
        if self.api_keys and not self.events_token:
            # With tenants, an open /events would let anyone make jobs in any tenant's folder.
            raise SettingsError("EVENTS_TOKEN must be set when API_KEYS is set (POST /events needs it).")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: the process environment); unset or empty means default."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = spec.metadata["env"]
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                values[spec.name] = spec.metadata["parse"](raw)
            except ValueError as exc:
                raise SettingsError(f"{name}={raw!r} is invalid: {exc}") from None
        return cls(**values)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a process should say at start about settings that work but are weak."""
        return () if self.id_secret else (NO_ID_SECRET,)

    @property
    def public_endpoint_url(self) -> str | None:
        """The S3 endpoint written into URLs handed to browsers and scripts."""
        return self.s3_public_endpoint_url or self.s3_endpoint_url

    @cached_property
    def tenant_keys(self) -> dict[str, str]:
        """`API_KEYS` as {key: tenant name} (a bare key belongs to `default`)."""
        return parse_api_keys(self.api_keys)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_bytes=self.max_upload_bytes,
            max_pdf_pages=self.max_pdf_pages,
            max_text_chars=self.max_text_chars,
            max_json_depth=self.max_json_depth,
            memory_bytes=self.worker_memory_bytes,
            pdf_engine=self.pdf_engine,
        )


def env_names() -> tuple[str, ...]:
    """Every variable the settings read (used to check deployment files against the code)."""
    return tuple(spec.metadata["env"] for spec in fields(Settings))


def load_for_process(program: str) -> Settings:
    """Settings for a process entry point: `.env` first (unless DOTENV=0), exit 2 naming a bad variable."""
    if os.environ.get("DOTENV", "1") != "0":
        from dotenv import load_dotenv

        load_dotenv()
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"{program}: {exc}") from None
