"""What a newcomer meets first: the README's examples and links, the contract's copy, a clean `git status`."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.readme import README, ROOT, Block, runnable, script, shell_blocks

# What `./scripts/run` and `./scripts/test` write into the repository (and pip's editable install).
WRITTEN = [
    ".venv/bin/python",
    ".embedded/env",
    ".embedded/redis/appendonly.aof",
    "test-artifacts/page.png",
    "filejobs.egg-info/PKG-INFO",
    "cli/__pycache__/api.cpython-311.pyc",
    ".pytest_cache/README.md",
    ".hypothesis/examples/x",
    ".ruff_cache/CACHEDIR.TAG",
    "bench/results/latest.json",
]
HARD_CODED = re.compile(r"(127\.0\.0\.1|localhost):\d+")
FIX = (
    "write it to run as pasted after `source .embedded/env` ($FILEJOBS_API, $AWS_ENDPOINT_URL, shell "
    "variables for ids), or mark it `<!-- readme-test: skip (why) -->` on the line above (tests/readme.py)"
)


def test_shell_blocks_are_found_with_their_markers():
    text = (
        "intro\n```sh\necho one\n```\n"
        "<!-- readme-test: skip (needs Docker) -->\n```sh\ndocker compose up\n```\n"
        "<!-- readme-test: needs aws -->\n```bash\naws s3 ls\n```\n```json\n{}\n```\n"
    )
    blocks = shell_blocks(text)
    assert blocks == [
        Block(line=2, code="echo one"),
        Block(line=6, code="docker compose up", skip="(needs Docker)"),
        Block(line=10, code="aws s3 ls", needs=("aws",)),
    ]
    assert [block.line for block in runnable(blocks)] == [2, 10]
    assert "BLOCK=10" in script(runnable(blocks)) and script([]).startswith("set -euo pipefail")


def test_readme_examples_name_no_fixed_address():
    """The run takes other ports when 8000 or 8333 is taken: examples use $FILEJOBS_API and the env file."""
    for block in runnable(shell_blocks(README.read_text())):
        assert not HARD_CODED.search(block.code), f"README line {block.line} hard-codes an address: {FIX}"
        assert "<" not in re.sub(r"#.*|<<<|< \S+|<&", "", block.code), (
            f"README line {block.line} has a <placeholder> a reader would have to fill in: {FIX}"
        )


def test_readme_opens_with_the_two_commands():
    first = shell_blocks(README.read_text())[0]
    assert [line.split()[0] for line in first.code.splitlines()] == ["./scripts/run", "./scripts/test"]
    assert "sets itself up on first use" in README.read_text()


def test_readme_links_point_into_the_repository():
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text()):
        if re.match(r"[a-z]+://", target):
            continue
        assert (ROOT / target).exists(), f"README links {target}, which is not in the repository"


def test_the_contract_copy_is_in_step_with_the_shared_one():
    shared = next((p for p in (ROOT.parent / "shared", ROOT.parents[1] / "shared") if p.is_dir()), None)
    if shared is None or not (shared / "CONTRACT.md").exists():
        pytest.skip("no shared/CONTRACT.md beside the repository")
    assert (ROOT / "docs" / "CONTRACT.md").read_text() == (shared / "CONTRACT.md").read_text(), (
        f"docs/CONTRACT.md differs from {shared / 'CONTRACT.md'}: copy it over"
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="no git")
def test_what_the_two_commands_write_is_ignored_by_git():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *WRITTEN],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    unignored = [line.split("\t")[-1] for line in done.stdout.splitlines() if line.startswith("::")]
    assert unignored == [], f"git status would show {unignored}"
