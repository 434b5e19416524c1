"""The embedded run's own files in its data folder: secrets made once and kept, and the shell exports."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shlex
from pathlib import Path
from typing import IO

SECRETS_FILE = "secrets.json"
ENV_FILE = "env"
ACCESS_KEY = "filejobs"
# What the run generates on its first start and reuses on every later one (a restart keeps its data).
GENERATED = ("AWS_SECRET_ACCESS_KEY", "EVENTS_TOKEN", "ID_SECRET")


class DataDirError(RuntimeError):
    """The data folder cannot be used; the message says why in one line."""


def check_writable(data: Path) -> None:
    """Create `data` if needed and make sure this process can write in it."""
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(f"the data folder {data} is not writable ({exc.strerror})") from None


def lock(data: Path) -> IO[str]:
    """Hold `<data>/run.lock` while this run lives: two runs on one data folder would corrupt it."""
    handle = open(data / "run.lock", "w")  # noqa: SIM115 - held open until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise DataDirError(f"another run is using the data folder {data}; stop it or pass --data") from None
    return handle


def load_secrets(data: Path) -> dict[str, str]:
    """The run's credentials and tokens: read from `data`, the missing ones generated and saved (0600)."""
    path = data / SECRETS_FILE
    try:
        saved = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError) as exc:
        raise DataDirError(f"{path} is unreadable ({exc}); remove it to make new secrets") from None
    values = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, **{k: v for k, v in saved.items() if isinstance(v, str)}}
    missing = [name for name in GENERATED if not values.get(name)]
    for name in missing:
        values[name] = secrets.token_urlsafe(24)
    if missing or not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(values, out, indent=1)
    return values


def exports(env: dict[str, str], api_url: str) -> dict[str, str]:
    """The variables a shell needs to reach this run: the AWS CLI / boto3 and the `filejobs` CLI."""
    return {
        "AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
        "AWS_ENDPOINT_URL": env["S3_ENDPOINT_URL"],
        "AWS_DEFAULT_REGION": env.get("AWS_REGION", "us-east-1"),
        "FILEJOBS_API": api_url,
    }


def export_lines(values: dict[str, str]) -> str:
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in values.items())


def write_env_file(data: Path, values: dict[str, str]) -> Path:
    """`<data>/env`: the same exports as the banner, for `source` (and for the CLI to read)."""
    path = data / ENV_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Written by ./scripts/run on each start: `source` it to reach the embedded run.\n")
        out.write(export_lines(values) + "\n")
    return path
