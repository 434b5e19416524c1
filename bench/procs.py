"""Process measurements: peak RSS and CPU of one child, CPU and RSS of whole process trees."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT

TICKS = os.sysconf("SC_CLK_TCK")
GNU_TIME = "/usr/bin/time"  # Debian package `time`
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    """One finished child process: wall time, CPU time, peak RSS, and its standard output."""

    wall: float
    cpu: float
    maxrss_mb: float
    returncode: int
    stdout: str


def run_measured(argv: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> Measured:
    """Run argv to the end under GNU time, which reports the child's own peak RSS and CPU time.

    (Our own wait4 would not do: a child forked from this big process inherits its RSS high-water mark.)
    """
    with tempfile.NamedTemporaryFile() as usage, tempfile.TemporaryFile() as out:
        wrapped = [GNU_TIME, "-o", usage.name, "-f", "%M %U %S", *argv]
        start = time.perf_counter()
        proc = subprocess.run(
            wrapped, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, timeout=timeout
        )
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[:4]} exited with {proc.returncode}: {text[-500:]}")
        maxrss_kb, user, system = Path(usage.name).read_text().split()[-3:]
    return Measured(wall, float(user) + float(system), int(maxrss_kb) / 1024, proc.returncode, text)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def tree(roots: Iterable[int]) -> list[int]:
    """The roots and all their live descendants."""
    kids, found, todo = _children(), [], list(roots)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += kids.get(pid, [])
    return found


def tree_cpu(roots: Iterable[int]) -> float:
    """CPU seconds (user + system) of the trees, including their reaped children (cutime, cstime)."""
    total = 0
    for pid in tree(roots):
        fields = _stat_fields(pid)
        if fields:
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def tree_rss(roots: Iterable[int]) -> int:
    """Resident bytes of the trees now."""
    total = 0
    for pid in tree(roots):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError):
            pass
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def wait_idle(roots: list[int], quiet: float = 0.3, timeout: float = 5.0) -> None:
    """Wait until the trees use (almost) no CPU for `quiet` seconds, e.g. after start-up imports."""
    deadline = time.monotonic() + timeout
    before = tree_cpu(roots)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = tree_cpu(roots)
        if now - before <= 2 / TICKS:
            return
        before = now


class RssSampler:
    """Samples the resident size of process trees in a thread; `peak` is the largest seen."""

    def __init__(self, roots: list[int], interval: float = 0.01) -> None:
        self.roots, self.interval, self.peak = roots, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.roots))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_interleaved(
    contenders: dict[str, list[str]], repeats: int, env: dict[str, str] | None = None, timeout: float = 300
) -> dict[str, list[Measured]]:
    """Run each contender `repeats` times, round-robin, so a noisy moment hits them all alike."""
    runs: dict[str, list[Measured]] = {case: [] for case in contenders}
    for _ in range(repeats):
        for case, argv in contenders.items():
            runs[case].append(run_measured(argv, env=env, timeout=timeout))
    return runs
