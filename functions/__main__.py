"""`python -m functions`: the development server on $HOST:$PORT (production: gunicorn)."""

from __future__ import annotations

import sys

from dotenv import load_dotenv

from core.settings import Settings, SettingsError


def main() -> int:
    load_dotenv()
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"functions: {exc}", file=sys.stderr)
        return 2
    from functions.app import create_app

    create_app(settings).run(host=settings.host, port=settings.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
