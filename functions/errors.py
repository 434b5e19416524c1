"""One error type for the HTTP side, rendered as the contract's JSON in one place."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, Response, current_app, jsonify
from redis.exceptions import OutOfMemoryError, RedisError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    414: "too_large",
    415: "unsupported_type",
    429: "rate_limited",
    431: "too_large",
}


class ApiError(Exception):
    """A request the functions refuse; `code` is a contract code, `http_status` the HTTP status."""

    def __init__(self, http_status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.extra = extra


def error_response(http_status: int, code: str, message: str, **extra: object) -> tuple[Response, int]:
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), http_status


def _api_error(exc: ApiError) -> tuple[Response, int]:
    response, status = error_response(exc.http_status, exc.code, exc.message, **exc.extra)
    if "retry_after" in exc.extra:
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    return response, status


def _body_too_large(exc: RequestEntityTooLarge) -> tuple[Response, int]:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    message = f"The request body is larger than the limit of {limit} bytes, or has too many parts."
    return error_response(413, "too_large", message)


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    code = _HTTP_CODES.get(status, "bad_request" if status < 500 else "internal")
    response, status = error_response(status, code, exc.description or exc.name)
    if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response, status


def redis_out_of_memory(exc: BaseException) -> bool:
    """Whether Redis refused a write for lack of memory (redis-py strips "OOM"; scripts keep it)."""
    return isinstance(exc, OutOfMemoryError) or "maxmemory" in str(exc)


def _redis_down(exc: RedisError) -> tuple[Response, int]:
    log.warning("redis unavailable: %s", exc)
    if redis_out_of_memory(exc):
        message = "The job store (Redis) is out of memory and refuses writes; try again later."
        return error_response(503, "unavailable", message, service="redis", reason="out_of_memory")
    return error_response(503, "unavailable", "The job store (Redis) is not answering.", service="redis")


def _s3_down(exc: Exception) -> tuple[Response, int]:
    log.warning("object storage unavailable: %s", exc)
    return error_response(503, "unavailable", "The object storage is not answering.", service="s3")


def _slow_body(exc: TimeoutError) -> tuple[Response, int]:
    # Raised by the socket timeout infra/gunicorn_conf.py sets on request bodies (storage timeouts
    # arrive as BotoCoreError or RedisError, handled above).
    response, status = error_response(408, "bad_request", "The request body arrived too slowly.")
    response.headers["Connection"] = "close"
    return response, status


def _unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("unhandled error")
    return error_response(500, "internal", "Something went wrong on our side; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(RequestEntityTooLarge, _body_too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RedisError, _redis_down)
    app.register_error_handler(BotoCoreError, _s3_down)
    app.register_error_handler(ClientError, _s3_down)
    app.register_error_handler(TimeoutError, _slow_body)
    app.register_error_handler(Exception, _unexpected)
