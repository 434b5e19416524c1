"""The contract's error codes and the one error type the processing side raises."""

from __future__ import annotations

UNSUPPORTED_TYPE = "unsupported_type"
CONTENT_MISMATCH = "content_mismatch"
CORRUPT_FILE = "corrupt_file"
ENCRYPTED_PDF = "encrypted_pdf"
TOO_LARGE = "too_large"
TIMEOUT = "timeout"
UPLOAD_MISSING = "upload_missing"
INTERNAL = "internal"
CANCELLED = "cancelled"

JOB_ERROR_CODES = (
    UNSUPPORTED_TYPE,
    CONTENT_MISMATCH,
    CORRUPT_FILE,
    ENCRYPTED_PDF,
    TOO_LARGE,
    TIMEOUT,
    UPLOAD_MISSING,
    INTERNAL,
    CANCELLED,
)
# The failures a retry may cure (the contract lets only these be retried).
RETRYABLE_CODES = (TIMEOUT, INTERNAL, UPLOAD_MISSING)


class JobError(Exception):
    """A job failed for a reason the user can act on; `code` is one of the contract's codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
