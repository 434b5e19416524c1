"""Checks of what requests send, shared by the views: files' names, types and sizes, callback URLs."""

from __future__ import annotations

from core import callbacks
from core.ids import file_type_of
from functions.context import services
from functions.errors import ApiError


def check_file(filename: str, size: int, limit: int) -> str:
    """The file type of an acceptable file, else an ApiError with the contract's code."""
    file_type = file_type_of(filename)
    if file_type is None:
        raise ApiError(
            415, "unsupported_type", f"{filename!r}: only .txt, .json, .rtf and .pdf are accepted."
        )
    if size > limit:
        raise ApiError(
            413, "too_large", f"{filename!r} is {size} bytes; the limit is {limit} bytes.", limit=limit
        )
    return file_type


def callback_url(given: object) -> str | None:
    """The submitter's `callback_url`, checked, or None when none was given."""
    if given in (None, ""):
        return None
    try:
        settings = services().settings
        return callbacks.check_url(given, settings.callback_secret, settings.callback_allow_private)
    except callbacks.CallbackError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
