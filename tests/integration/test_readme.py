"""The README's shell examples, pasted as written into bash after `source .embedded/env`, against a stack."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.runfiles import exports, write_env_file
from infra.stack import Stack
from tests.builders import make_json, make_pdf, make_rtf, make_txt
from tests.readme import README, ROOT, runnable, script, shell_blocks

TOOLS = ("bash", "curl", "jq", "openssl", "split", "seq")
ERROR_REPLY = re.compile(r'"error":\s*\{')


def reader_folder(folder: Path, stack: Stack) -> Path:
    """A folder like the repository after `./scripts/run`: `.embedded/env`, `.venv`, and the files the
    examples name (report.pdf, big.pdf, notes/, docs/)."""
    (folder / ".embedded").mkdir()
    write_env_file(folder / ".embedded", exports(stack.env, stack.base_url))  # as ./scripts/run does
    (folder / ".venv").symlink_to(ROOT / ".venv")
    (folder / "report.pdf").write_bytes(make_pdf(["A short report", "on two pages"]))
    (folder / "big.pdf").write_bytes(make_pdf([f"page {n} of a bigger file" for n in range(40)]))
    (folder / "notes").mkdir()
    (folder / "notes" / "todo.txt").write_bytes(make_txt("buy milk\ncall the bank"))
    (folder / "notes" / "list.json").write_bytes(make_json({"items": ["one two", "three"]}))
    (folder / "docs" / "old").mkdir(parents=True)
    (folder / "docs" / "memo.rtf").write_bytes(make_rtf("A memo in rich text"))
    (folder / "docs" / "old" / "plan.txt").write_bytes(make_txt("the old plan"))
    return folder


def reader_env() -> dict[str, str]:
    """The shell of someone who has not set anything for this project."""
    drop = ("FILEJOBS_", "AWS_", "S3_", "REDIS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def test_the_readme_examples_run_as_written_after_sourcing_the_runs_env(stack, tmp_path):
    blocks = runnable(shell_blocks(README.read_text()))
    needed = {*TOOLS, *(need for block in blocks for need in block.needs)}
    missing = sorted(tool for tool in needed if shutil.which(tool) is None)
    if missing:
        pytest.skip(f"the README's examples need {', '.join(missing)} (.ci/run installs them)")
    folder = reader_folder(tmp_path, stack)
    done = subprocess.run(
        ["bash", "-c", script(blocks)], cwd=folder, env=reader_env(),
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, (
        f"{output[-4000:]}\nA README block failed as pasted; fix it, or mark it "
        "`<!-- readme-test: skip (why) -->` if it cannot run against a started run (see tests/readme.py)."
    )
    sections = dict(part.split("\n", 1) for part in done.stdout.split("### README line ")[1:])
    assert len(sections) == len(blocks), sections.keys()
    for line, text in sections.items():
        assert not ERROR_REPLY.search(text), f"the block at README line {line} got an error reply:\n{text}"
    assert '"words"' in sections[str(blocks[0].line)], "the first example ends with a result"
    finished = re.findall(r'"status":\s*"finished"', done.stdout)
    assert len(finished) >= 2, "the uploads' jobs finished"
    assert re.search(r'"status":\s*"done"', done.stdout), "the batch ended"
    assert "failed 0" in done.stdout and "finished" in done.stdout, "the CLI's drop and submit went well"
