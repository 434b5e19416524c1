"""The embedded run's settings file (`.embedded/env`): where `filejobs` finds the API when nothing says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dotenv import dotenv_values

ENV_FILE = Path(".embedded") / "env"
REPOSITORY = Path(__file__).resolve().parent.parent
# What a run's file may describe: the API and the bucket it writes to.
RUN_KEYS = (
    "FILEJOBS_API",
    "FILEJOBS_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "S3_BUCKET",
)
SOURCE_KEY = "FILEJOBS_SETTINGS_FROM"


def candidates(cwd: Path, repository: Path = REPOSITORY) -> list[Path]:
    """`.embedded/env` of the current directory, then of the repository `filejobs` was installed from."""
    paths = [cwd / ENV_FILE, repository / ENV_FILE]
    return list(dict.fromkeys(path.resolve() for path in paths))


def read_env_file(path: Path) -> dict[str, str]:
    """The file's `export NAME=value` lines (dotenv syntax) that name a run setting."""
    values = dotenv_values(path)
    return {key: value for key, value in values.items() if key in RUN_KEYS and value is not None}


def with_run_settings(env: Mapping[str, str], files: Sequence[Path]) -> dict[str, str]:
    """`env`, or, when it has no FILEJOBS_API, `env` overlaid with the first run file that names one.

    A run's file describes one deployment, so it is taken as a whole (its bucket credentials win over
    stray AWS_* variables that belong to some other account)."""
    merged = dict(env)
    if merged.get("FILEJOBS_API"):
        return merged
    for path in files:
        if path.is_file():
            settings = read_env_file(path)
            if settings.get("FILEJOBS_API"):
                return {**merged, **settings, SOURCE_KEY: str(path)}
    return merged
