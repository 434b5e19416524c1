"""`python -m cli` / `filejobs`: parse the command line, run one command, map failures to exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from cli import cancel, commands, drop, live, submit
from cli.api import CHECK_SETTINGS, Api, ApiFailure
from cli.args import API_ERROR, parse
from cli.runenv import candidates, with_run_settings

Command = Callable[..., int]
COMMANDS: dict[str, Command] = {
    "submit": submit.run,
    "status": commands.status,
    "watch": live.watch,
    "drop": drop.run,
    "requeue": commands.requeue,
    "stats": commands.stats,
    "cancel": cancel.run,
}


def hint(settings_from: str | None) -> str:
    """What to check when nothing answers at the API's URL."""
    if settings_from:
        return f"FILEJOBS_API came from {settings_from}: is ./scripts/run still running?"
    return CHECK_SETTINGS


def main(
    argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None,
    out: TextIO | None = None, err: TextIO | None = None, run_files: Sequence[Path] | None = None,
) -> int:  # fmt: skip
    """Run one command; its exit code (3 when the API failed or could not be reached).

    Without FILEJOBS_API in `env`, the first of `run_files` (default: the embedded run's `.embedded/env`
    in the current directory, then in the repository) that names one fills in."""
    files = candidates(Path.cwd()) if run_files is None else run_files
    env = with_run_settings(os.environ if env is None else env, files)
    args = parse(sys.argv[1:] if argv is None else argv, env)
    out, err = out or sys.stdout, err or sys.stderr
    api = Api(args.api, args.api_key, args.http_timeout, hint(args.settings_from))
    try:
        return COMMANDS[args.command](api, args, out, err)
    except ApiFailure as exc:
        print(f"filejobs: {exc}", file=err)
        return API_ERROR
    except KeyboardInterrupt:
        print("filejobs: interrupted", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
