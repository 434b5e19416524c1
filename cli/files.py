"""Finding the files to send: named files as given, folders searched for the four supported types."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CONTENT_TYPES = {
    ".txt": "text/plain",
    ".json": "application/json",
    ".rtf": "application/rtf",
    ".pdf": "application/pdf",
}
MISSING = "no such file or folder"
UNSUPPORTED = "not a .txt, .json, .rtf or .pdf file"


def content_type(path: Path) -> str:
    """The Content-Type the API expects for the file's extension (octet-stream for others)."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def supported(path: Path) -> bool:
    """Whether the extension is one of the four the system counts."""
    return path.suffix.lower() in CONTENT_TYPES


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to send, (path, reason) skipped): a named file is always sent, the API judges it."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            files.append(path)

    for given in map(Path, paths):
        if given.is_dir():
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                if supported(path):
                    add(path)
                else:
                    skipped.append((path, UNSUPPORTED))
        elif given.is_file():
            add(given)
        else:
            skipped.append((given, MISSING))
    return files, skipped


def drop_keys(folder: Path, prefix: str) -> list[tuple[Path, str]]:
    """(file, key) for every file under `folder`, keyed by its path relative to it under `prefix`."""
    found = sorted(p for p in folder.rglob("*") if p.is_file())
    return [(path, prefix + path.relative_to(folder).as_posix()) for path in found]


def label(path: Path, cwd: Path | None = None) -> str:
    """How a file is named in every line: relative to the current directory when under it, else as given."""
    if path.is_absolute():
        try:
            return path.relative_to(cwd or Path.cwd()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
