"""Redis and S3 clients, built once per process from the settings and passed to whoever needs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from redis import BlockingConnectionPool, Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from core.settings import Settings

REDIS_SOCKET_TIMEOUT = 5.0
REDIS_MAX_CONNECTIONS = 64
S3_CONNECT_TIMEOUT = 3.0
S3_READ_TIMEOUT = 20.0


def make_redis(settings: Settings, **overrides: Any) -> Redis:
    """A Redis client whose every call has a timeout and retries dropped connections briefly."""
    options: dict[str, Any] = {
        # A request waits for a free connection rather than failing: under gevent many more requests
        # than connections run at once (event streams, long polls).
        "max_connections": REDIS_MAX_CONNECTIONS,
        "timeout": REDIS_SOCKET_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "health_check_interval": 30,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), 3),
    }
    options.update(overrides)
    return Redis(connection_pool=BlockingConnectionPool.from_url(settings.redis_url, **options))


def _s3_config(pool_size: int, attempts: int) -> Config:
    # SigV4 everywhere: MinIO needs it and moto answers browser preflights only for SigV4 URLs.
    return Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        # botocore's standard mode backs off exponentially with jitter (capped at 20 s) between attempts.
        retries={"max_attempts": attempts, "mode": "standard"},
        max_pool_connections=pool_size,
        # boto3 >= 1.36 adds CRC checksums to every upload and validates them on every download by
        # default; several S3-compatible servers reject or mangle those headers, so only when required.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def make_s3(
    settings: Settings, endpoint_url: str | None = None, pool_size: int = 16, attempts: int = 3
) -> Any:
    """An S3 client for `endpoint_url` (default: the internal endpoint), trying each call `attempts` times."""
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint_url or settings.s3_endpoint_url,
        region_name=settings.aws_region or "us-east-1",
        config=_s3_config(pool_size, attempts),
    )


@dataclass(frozen=True)
class Clients:
    """The clients one process uses: Redis, S3, and S3 for URLs signed for the public endpoint."""

    settings: Settings
    redis: Redis
    s3: Any
    public_s3: Any

    @classmethod
    def build(cls, settings: Settings, s3_attempts: int = 3) -> Clients:
        """Clients for one process; workers ride out storage outages with more S3 attempts."""
        s3 = make_s3(settings, attempts=s3_attempts)
        public = settings.public_endpoint_url
        public_s3 = s3 if public == settings.s3_endpoint_url else make_s3(settings, endpoint_url=public)
        return cls(settings=settings, redis=make_redis(settings), s3=s3, public_s3=public_s3)
