"""One JSON line per log event, with the same fields (job_id, batch_id, key, ...) on both sides."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

FIELDS = ("event", "job_id", "batch_id", "key", "file_type", "status", "code", "duration_ms", "attempt")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; `extra` fields named in FIELDS are kept at top level."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(process: str, level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (call once per process)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger(process).debug("logging configured")


def event(logger: logging.Logger, name: str, **fields: Any) -> None:
    """Log one event with its fields, e.g. event(log, "job_finished", job_id=..., duration_ms=...)."""
    message = name + "".join(f" {key}={value}" for key, value in fields.items() if value is not None)
    logger.info(message, extra={"event": name, **fields})
