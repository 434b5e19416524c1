"""The parsing child: forked after preload(), it shares the language model and fits under its cap."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import pytest

from core.settings import Limits
from tests.builders import make_txt
from tests.languages import PARAGRAPHS
from worker import language
from worker.analyze import preload
from worker.isolation import IsolatedParser

MB = 1 << 20


def status_kb(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status in KiB (VmRSS, VmSize...)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@pytest.fixture(scope="module")
def parser() -> Iterator[IsolatedParser]:
    preload()
    parser = IsolatedParser(Limits(), timeout=60)
    yield parser
    parser.close()


def test_the_model_is_loaded_before_the_child_is_forked(
    parser: IsolatedParser, tmp_path: pathlib.Path
) -> None:
    assert language.identifier.cache_info().currsize == 1
    path = tmp_path / "a.txt"
    path.write_bytes(make_txt(PARAGRAPHS["sv"][0]))
    assert parser.parse(path, "txt")["language"]["code"] == "sv"
    # The child was forked holding the model: its resident set already counts it at the start.
    assert parser.start_rss > 60 * MB


# What `python -m worker` holds when it forks its parsing child: everything it imports, preloaded.
WORKER_CHILD = """
import json, pathlib
import worker.__main__
from core.settings import Limits
from worker.analyze import preload
from worker.isolation import IsolatedParser
preload()
parser = IsolatedParser(Limits(), timeout=60)
lines = pathlib.Path(f"/proc/{parser.pid}/status").read_text().splitlines()
status = dict(line.split(":", 1) for line in lines)
print(json.dumps({name: int(status[name].split()[0]) * 1024 for name in ("VmSize", "VmRSS")}))
parser.close()
"""


def test_the_child_leaves_most_of_its_address_space_cap_to_the_file() -> None:
    reply = subprocess.run([sys.executable, "-c", WORKER_CHILD], capture_output=True, text=True, timeout=120)
    assert reply.returncode == 0, reply.stderr
    child = json.loads(reply.stdout)
    # Measured here: ~265 MB of address space and ~120 MB resident (numpy, the model, pypdf...).
    assert child["VmSize"] < 0.4 * Limits().memory_bytes, f"VmSize {child['VmSize'] / MB:.0f} MB"
    assert child["VmRSS"] < 200 * MB, f"VmRSS {child['VmRSS'] / MB:.0f} MB"


def test_a_child_capped_just_above_its_start_still_detects(tmp_path: pathlib.Path) -> None:
    preload()
    probe = IsolatedParser(Limits(memory_bytes=0), timeout=60)
    try:
        start = status_kb(probe.pid, "VmSize") * 1024
    finally:
        probe.close()
    capped = IsolatedParser(Limits(memory_bytes=start + 64 * MB), timeout=60)
    path = tmp_path / "b.txt"
    path.write_bytes(make_txt(" ".join(PARAGRAPHS["it"]) * 20))
    try:
        assert capped.parse(path, "txt")["language"]["code"] == "it"  # no model pages to allocate
    finally:
        capped.close()
