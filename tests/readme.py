"""The README's shell examples as a reader pastes them: every ```sh block, with the marker above it.

A block runs as written after `source .embedded/env` unless the line above it says otherwise:
`<!-- readme-test: skip (why) -->` (it starts something, needs Docker, takes minutes) or
`<!-- readme-test: needs aws -->` (it runs only where that program is on the PATH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*readme-test:\s*(skip|needs)\b\s*(.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    """One fenced shell block: where it starts, its text, and what its marker asks."""

    line: int
    code: str
    skip: str | None = None
    needs: tuple[str, ...] = ()


def shell_blocks(text: str) -> list[Block]:
    """Every ```sh (or ```bash, ```shell) block of a Markdown text, in order."""
    blocks, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        if fence.group(1) in ("sh", "bash", "shell"):
            marker = MARKER.match(lines[index - 1].strip()) if index else None
            kind, detail = marker.groups() if marker else ("", "")
            blocks.append(
                Block(
                    line=index + 1,
                    code="\n".join(lines[index + 1 : end]),
                    skip=(detail or "skipped") if kind == "skip" else None,
                    needs=tuple(detail.split()) if kind == "needs" else (),
                )
            )
        index = end + 1
    return blocks


def runnable(blocks: list[Block]) -> list[Block]:
    """The blocks a test runs: all but the skipped ones."""
    return [block for block in blocks if block.skip is None]


def script(blocks: list[Block]) -> str:
    """One bash script of the blocks, in order, in one shell (variables carry over as for a reader),
    stopping at the first failing command and naming the block it was in."""
    parts = ["set -euo pipefail", "trap 'echo \"readme-test: failed in the block at line $BLOCK\" >&2' ERR"]
    for block in blocks:
        parts += [f"BLOCK={block.line}", f'echo "### README line {block.line}"', block.code]
    return "\n".join(parts) + "\n"
