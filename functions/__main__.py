"""`python -m functions`: the development server on $HOST:$PORT (production: gunicorn)."""

from __future__ import annotations

import sys

from core.settings import load_for_process


def main() -> int:
    settings = load_for_process("functions")
    from functions.app import create_app

    create_app(settings).run(host=settings.host, port=settings.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
