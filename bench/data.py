"""Generated inputs: large UTF-8 text files, small text uploads, and multi-page PDFs."""

from __future__ import annotations

import random
import zlib
from pathlib import Path

from tests.builders import assemble_pdf

# Mostly ASCII words with a few accented and CJK ones, as in ordinary European text.
_ASCII_WORDS = 3000
_WIDE_WORDS = ("café", "naïve", "über", "año", "Ωμέγα", "东京", "façade", "Zürich", "smörgåsbord", "résumé")
WIDE_EVERY = 200  # about one word in this many is non-ASCII


def vocabulary(rng: random.Random) -> list[str]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [
        12,
        9,
        8,
        7.5,
        7,
        6.7,
        6.3,
        6,
        5.9,
        4.3,
        4,
        2.8,
        2.8,
        2.4,
        2.4,
        2.2,
        2,
        2,
        1.9,
        1.5,
        1,
        0.8,
        0.2,
        0.2,
        0.1,
        0.1,
    ]
    words = {"".join(rng.choices(letters, weights, k=rng.randint(1, 11))) for _ in range(_ASCII_WORDS)}
    return sorted(words)


def text_block(
    rng: random.Random, size: int, ascii_only: bool = False, words: list[str] | None = None
) -> str:
    """About `size` bytes of lines of 6-16 words."""
    words, lines, total = words or vocabulary(rng), [], 0
    while total < size:
        line = rng.choices(words, k=rng.randint(6, 16))
        if not ascii_only and rng.random() < 16 / WIDE_EVERY:
            line[rng.randrange(len(line))] = rng.choice(_WIDE_WORDS)
        text = " ".join(line).capitalize() + ".\n"
        lines.append(text)
        total += len(text.encode())
    return "".join(lines)


def write_text(path: Path, size: int, seed: int = 7, ascii_only: bool = False) -> Path:
    """A UTF-8 text file of at least `size` bytes (a few MB of varied lines, repeated), made once."""
    if path.exists() and path.stat().st_size >= size:
        return path
    block = text_block(random.Random(seed), 4_000_000, ascii_only).encode()
    with path.open("wb") as out:
        written = 0
        while written < size:
            out.write(block)
            written += len(block)
    return path


def small_texts(count: int, seed: int = 11, size: int = 3000) -> list[bytes]:
    """`count` distinct small text uploads of about `size` bytes."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    return [
        text_block(rng, rng.randint(size // 2, size * 3 // 2), words=words).encode() for _ in range(count)
    ]


def _page_stream(rng: random.Random, words: list[str], lines: int) -> bytes:
    ops = ["BT", "/F1 10 Tf", "12 TL", "50 780 Td"]
    for _ in range(lines):
        text = " ".join(rng.choices(words, k=rng.randint(7, 12)))
        ops.append(f"({text}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def write_pdf(path: Path, pages: int, seed: int = 3, lines_per_page: int = 45) -> Path:
    """A valid PDF of `pages` text pages (Helvetica, Flate-compressed content), made once."""
    if path.exists():
        return path
    rng, words = random.Random(seed), vocabulary(random.Random(seed))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for _ in range(pages):
        content = zlib.compress(_page_stream(rng, words, lines_per_page))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content)
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R "
            b">> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Count {pages} /Kids [{' '.join(kids)}] >>".encode()
    path.write_bytes(assemble_pdf(objects))
    return path


def write_rtf(path: Path, size: int, seed: int = 5) -> Path:
    """A Word-like RTF document of about `size` bytes: formatted paragraphs, \\'xx and \\uN, tables."""
    rng = random.Random(seed)
    words = vocabulary(rng)[:400] + ["caf\\'e9", "na\\'efve", "\\u8212?", "\\u1055\\'3f\\u1088\\'3f"]
    head = (
        b"{\\rtf1\\ansi\\ansicpg1252\\uc1\\deff0{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}"
        b"{\\f1\\fswiss\\fcharset204 Arial;}}{\\colortbl;\\red0\\green0\\blue0;}"
        b"{\\*\\generator Microsoft Word;}\\viewkind4\r\n"
    )
    parts, written = [head], len(head)
    while written < size:
        if rng.random() < 0.1:
            cells = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(3)]
            chunk = "\\trowd\\cellx3000\\cellx6000\\cellx9000\\pard\\intbl " + "".join(
                c + "\\cell " for c in cells
            )
            chunk += "\\row\r\n"
        else:
            picked = [rng.choice(words) for _ in range(rng.randint(20, 60))]
            styled = ["{\\b " + w + "}" if rng.random() < 0.05 else w for w in picked]
            chunk = "\\pard\\plain\\ql\\f0\\fs24 " + " ".join(styled) + "\\par\r\n"
        data = chunk.encode("ascii", "ignore")
        parts.append(data)
        written += len(data)
    path.write_bytes(b"".join(parts) + b"}")
    return path
