"""The HTTP API as the command line sees it: JSON in and out, errors as one exception."""

from __future__ import annotations

import re
from typing import IO, Any

import requests

# requests' own exceptions say which host failed; the message adds what the user can do about it.
UNREACHABLE = "cannot reach the API at {base} ({reason}); {hint}"
CHECK_SETTINGS = "check --api or FILEJOBS_API"


class ApiFailure(Exception):
    """A request that failed: `status` is the HTTP status (None when nothing answered)."""

    def __init__(self, message: str, code: str = "error", status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status else ""
        return f"{self.code}: {self.message}{status}"


def failure_of(reply: requests.Response) -> ApiFailure:
    """The contract's `{"error": {"code", "message"}}`, S3's XML error, or the start of whatever came."""
    try:
        error = reply.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("code"):
        return ApiFailure(str(error.get("message") or error["code"]), str(error["code"]), reply.status_code)
    xml = {tag: re.search(f"<{tag}>(.*?)</{tag}>", reply.text, re.S) for tag in ("Code", "Message")}
    if xml["Code"]:
        message = xml["Message"].group(1) if xml["Message"] else reply.reason
        return ApiFailure(message, xml["Code"].group(1), reply.status_code)
    text = " ".join(reply.text.split())[:200] or reply.reason or "no body"
    return ApiFailure(text, "http_error", reply.status_code)


class Api:
    """A session on one deployment: base URL, optional API key, a timeout on every request."""

    def __init__(
        self, base: str, api_key: str | None = None, timeout: float = 30.0, hint: str = CHECK_SETTINGS
    ) -> None:
        self.base = base.rstrip("/")
        self.timeout, self.hint = timeout, hint
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "filejobs-cli"
        if api_key:
            self.http.headers["X-API-Key"] = api_key

    def call(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201, 202), **kw: Any) -> Any:
        """Send a request; the reply's JSON on an `ok` status, else ApiFailure."""
        reply = self.send(method, path, **kw)
        if reply.status_code not in ok:
            raise failure_of(reply)
        try:
            return reply.json() if reply.content else None
        except ValueError:
            # Usually a proxy or a wrong --api answering with a page of its own.
            message = f"{method} {path} did not answer JSON: {' '.join(reply.text.split())[:120]!r}"
            raise ApiFailure(message, "bad_reply", reply.status_code) from None

    def send(self, method: str, path: str, **kw: Any) -> requests.Response:
        """The raw reply, whatever its status; ApiFailure only when nothing answered."""
        try:
            return self.http.request(method, self.base + path, timeout=self.timeout, **kw)
        except requests.Timeout as exc:
            message = f"{method} {path} took more than {self.timeout:g} s ({type(exc).__name__})"
            raise ApiFailure(message, "timeout") from None
        except requests.RequestException as exc:
            reason = type(exc).__name__
            message = UNREACHABLE.format(base=self.base, reason=reason, hint=self.hint)
            raise ApiFailure(message, "unreachable") from None

    def get(self, path: str, **params: Any) -> Any:
        """GET `path` with query `params`; the JSON reply."""
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST a JSON `body` to `path`; the JSON reply."""
        return self.call("POST", path, json=body)

    def put_upload(self, url: str, headers: dict[str, str], body: IO[bytes] | bytes) -> None:
        """PUT a file to a presigned URL: no API key there (S3 is a third party), body streamed."""
        try:
            reply = requests.put(url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            message = f"the upload to the bucket failed ({type(exc).__name__})"
            raise ApiFailure(message, "upload_failed") from None
        if reply.status_code not in (200, 201, 204):
            raise failure_of(reply)
