# The functions and the workers share this image; compose picks the command (gunicorn, `python -m worker`,
# `python -m infra.minio_init`). Build context: the repository root (see .dockerignore).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY core ./core
COPY functions ./functions
COPY worker ./worker
COPY infra ./infra
COPY web ./web
COPY cli ./cli

# Not root; the code stays owned by root, so the processes cannot change it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
USER 10001:10001

EXPOSE 8000

# Limits and body timeouts: infra/gunicorn_conf.py; gevent so event streams and long polls hold no thread.
CMD ["gunicorn", "--config", "python:infra.gunicorn_conf", "--worker-class", "gevent", "--worker-connections", "2000", "--bind", "0.0.0.0:8000", "functions.app:create_app()"]
