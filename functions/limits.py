"""The request limits of core/limits.py applied to the current Flask request, as contract errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request

from core import limits
from functions.errors import ApiError

T = TypeVar("T")


def enforce(check: Callable[..., T], *args: Any) -> T:
    """Run one check of core/limits.py; its LimitError becomes the ApiError the contract names."""
    try:
        return check(*args)
    except limits.LimitError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None


def json_body() -> Any:
    """The request's JSON body, read only up to MAX_JSON_BYTES and checked for depth before parsing."""
    if (request.content_length or 0) > limits.MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"A JSON body may be at most {limits.MAX_JSON_BYTES} bytes.")
    data = request.stream.read(limits.MAX_JSON_BYTES + 1)
    return enforce(limits.parse_json, data)


def check_filename(name: str, what: str = "filename") -> str:
    """`name` if it fits in 1,024 bytes of UTF-8, else a 400 (no other work done on it)."""
    return enforce(limits.check_name_length, name, what)
