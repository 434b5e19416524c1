"""gunicorn settings for the functions, shared by compose, the image and the embedded run.

    gunicorn -c python:infra.gunicorn_conf 'functions.app:create_app()'

Slow bodies: gthread waits for a request's first bytes off the thread pool, but a body is read on a
request thread. Every read of a body therefore times out after BODY_READ_TIMEOUT_SECONDS (the
connection is dropped with 408), so stalled or trickling clients cannot hold the threads for long.
In compose, nginx also buffers each request body before passing it on (proxy_request_buffering, on
by default), so slow clients there never reach gunicorn at all.
"""

from __future__ import annotations

worker_class = "gthread"
workers = 2
threads = 8
# A request thread silent this long is restarted (the worker's heartbeat, not a per-request limit).
timeout = 60
graceful_timeout = 10
keepalive = 5
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket: it lives at one path per user, which every other gunicorn on the machine shares.
control_socket_disable = True
BODY_READ_TIMEOUT_SECONDS = 5.0


def pre_request(worker, req) -> None:
    """Bound every read of this request's body: a client silent for 5 s is dropped, not waited for."""
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if sock is not None:
        sock.settimeout(BODY_READ_TIMEOUT_SECONDS)
