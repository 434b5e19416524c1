"""The local S3 servers a stack can run: SeaweedFS (`weed mini`, on disk, signed) or moto (in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from infra.processes import Service, python_argv, wait_until
from infra.seaweed import (
    WeedError,
    WeedPorts,
    clean_env,
    pick_ports,
    prepare_home,
    startup_failure,
    weed_argv,
    weed_binary,
)

SERVERS = ("seaweedfs", "moto")
START_SECONDS = 30
PORT_RETRIES = 3


@dataclass(frozen=True)
class SeaweedSetup:
    """What one `weed mini` is started with; its files live in `home`."""

    home: Path
    access_key: str
    secret_key: str
    origins: tuple[str, ...]
    webhook: str | None = None
    token: str | None = None


def _answers(url: str) -> bool:
    return requests.get(url, timeout=1).status_code < 500


def start_moto(port: int, env: dict[str, str], log: Path) -> Service:
    """moto's S3 server on `port` (in memory, unsigned requests accepted)."""
    service = Service("s3", python_argv("-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)), env, log)
    service.start()
    wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), START_SECONDS, "moto S3 server", service.proc)
    return service


def start_weed_once(setup: SeaweedSetup, ports: WeedPorts, log: Path) -> Service:
    """`weed mini` with `ports`; WeedError naming the cause in one line if it does not come up."""
    prepare_home(setup.home, setup.access_key, setup.secret_key, setup.webhook, setup.token)
    argv = weed_argv(weed_binary(), setup.home, ports, setup.origins)
    offset = log.stat().st_size if log.exists() else 0
    # The filer reads notification.toml from its working directory.
    service = Service("s3", argv, clean_env(setup.home), log, cwd=setup.home).start()
    try:
        url = f"http://127.0.0.1:{ports.s3}"
        wait_until(lambda: _answers(url), START_SECONDS, "SeaweedFS", service.proc)
    except (RuntimeError, TimeoutError) as exc:
        service.kill()
        text = log.read_bytes()[offset:].decode(errors="replace")
        raise WeedError(f"SeaweedFS did not start: {startup_failure(text) if text else exc}") from None
    except BaseException:  # interrupted while it comes up (Ctrl-C, SIGTERM): leave nothing running
        service.kill()
        raise
    return service


def start_seaweedfs(
    setup: SeaweedSetup, ports: WeedPorts, log: Path, repick: bool = False
) -> tuple[Service, WeedPorts]:
    """`weed mini` on `ports`; with `repick`, on new free ones if another process took one meanwhile."""
    for attempt in range(1, PORT_RETRIES + 1):
        try:
            return start_weed_once(setup, ports, log), ports
        except WeedError as exc:
            if not repick or "Port allocation failed" not in str(exc) or attempt == PORT_RETRIES:
                raise
            ports = pick_ports()
    raise AssertionError("unreachable")
