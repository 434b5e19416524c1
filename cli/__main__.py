"""`python -m cli` / `filejobs`: parse the command line, run one command, map failures to exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from cli import commands, drop, submit
from cli.api import Api, ApiFailure
from cli.args import API_ERROR, parse

Command = Callable[..., int]
COMMANDS: dict[str, Command] = {
    "submit": submit.run,
    "status": commands.status,
    "watch": commands.watch,
    "drop": drop.run,
    "requeue": commands.requeue,
    "stats": commands.stats,
}


def main(
    argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None,
    out: TextIO | None = None, err: TextIO | None = None,
) -> int:  # fmt: skip
    """Run one command; its exit code (3 when the API failed or could not be reached)."""
    args = parse(sys.argv[1:] if argv is None else argv, os.environ if env is None else env)
    out, err = out or sys.stdout, err or sys.stderr
    api = Api(args.api, args.api_key, args.http_timeout)
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
