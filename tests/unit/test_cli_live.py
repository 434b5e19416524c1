"""The CLI's multipart plan and resume record, the event-stream parser and the in-place status line."""

from __future__ import annotations

import base64
import hashlib
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from cli.args import parse
from cli.live import LiveLine, summary
from cli.parts import Resume, checksum, cut, load_resume, resume_file, save_resume, whole_held
from cli.sse import Event, split_lines
from cli.sse import parse as parse_events

MiB = 1024 * 1024


@given(part_size=st.integers(1, 32 * MiB), whole=st.integers(0, 50), rest=st.floats(0, 1, exclude_max=True))
def test_parts_cover_the_file_exactly_once_in_order(part_size, whole, rest):
    size = whole * part_size + int(rest * part_size)
    parts = cut(size, part_size)
    assert [p.number for p in parts] == list(range(1, len(parts) + 1))
    assert sum(p.length for p in parts) == size
    assert all(a.start + a.length == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert all(p.length == part_size for p in parts[:-1]) and 0 <= parts[-1].length <= part_size


def test_only_whole_parts_count_as_held():
    parts = cut(20 * MiB, 8 * MiB)  # 8, 8, 4 MiB
    held = [
        {"part_number": 1, "etag": '"a"', "size": 8 * MiB},
        {"part_number": 2, "etag": '"b"', "size": 5},  # not this plan's part 2
        {"part_number": 3, "etag": '"c"', "size": 4 * MiB},
        {"part_number": 9, "etag": '"z"', "size": 8 * MiB},  # beyond the last part
    ]
    assert whole_held(parts, held) == {1: '"a"', 3: '"c"'}


def test_checksum_is_the_base64_sha256_s3_expects():
    assert base64.b64decode(checksum(b"abc")) == hashlib.sha256(b"abc").digest()
    assert checksum(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_the_resume_record_is_per_file_version_and_api(tmp_path):
    file = tmp_path / "big.txt"
    file.write_bytes(b"x")
    first = resume_file(tmp_path / "state", "http://a", file, 1, 100)
    assert first == resume_file(tmp_path / "state", "http://a", file, 1, 100)
    assert first != resume_file(tmp_path / "state", "http://b", file, 1, 100)
    assert first != resume_file(tmp_path / "state", "http://a", file, 1, 101)
    record = Resume("http://a", str(file), 1, 100, "j1", "u1", 8 * MiB)
    assert load_resume(first) is None
    save_resume(first, record)
    assert load_resume(first) == record
    first.write_text("{not json")
    assert load_resume(first) is None


def test_events_as_the_standard_parses_them():
    lines = [
        ": heartbeat",
        "id: 1",
        "event: status",
        'data: {"status":',
        'data: "queued"}',
        "",
        "retry: 100",
        "",
        "data:no space",
        "id: 2",
        "",
    ]
    assert list(parse_events(lines)) == [
        Event("status", '{"status":\n"queued"}', "1"),
        Event("message", "no space", "2"),
    ]


def test_the_last_id_carries_over_a_reconnect():
    assert list(parse_events(["event: status", "data: {}", ""], last_id="7")) == [Event("status", "{}", "7")]


@given(st.data())
def test_lines_survive_any_chunking(data):
    text = 'id: 1\r\nevent: status\ndata: {"name": "r\u00e9sum\u00e9 \u4e2d\u6587"}\n\n: ping\n'
    raw = text.encode()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert list(split_lines(chunks)) == text.replace("\r\n", "\n").split("\n")[:-1]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_status_line_is_redrawn_in_place_on_a_terminal():
    tty = Tty()
    line = LiveLine(tty)
    for text in ("1/3 ended", "1/3 ended", "3/3 ended"):
        line.show(text)
    line.close()
    assert tty.getvalue() == "\r\x1b[K1/3 ended\r\x1b[K3/3 ended\n"


def test_the_status_line_prints_each_change_elsewhere_or_nothing():
    plain = io.StringIO()
    line = LiveLine(plain)
    for text in ("a", "a", "b"):
        line.show(text)
    line.close()
    assert plain.getvalue() == "a\nb\n"
    quiet = io.StringIO()
    LiveLine(quiet, only_on_tty=True).show("a")
    assert quiet.getvalue() == ""


def test_summary_counts_the_jobs_of_a_submit():
    entries = [
        ("a", {"job_id": "1", "status": "finished"}),
        ("b", {"job_id": "2", "status": "queued"}),
        ("c", {"status": "refused"}),
    ]
    assert summary(entries) == "1/2 ended (finished 1, failed 0, started 0, queued 1)"


def test_submit_parallel_resume_dir_and_cancel_options():
    args = parse(["submit", "big.pdf", "--parallel", "8"], {"HOME": "/home/u"})
    assert (args.parallel, args.resume_dir) == (8, "/home/u/.cache/filejobs/uploads")
    assert parse(["submit", "x"], {"XDG_CACHE_HOME": "/c"}).resume_dir == "/c/filejobs/uploads"
    assert parse(["submit", "x"], {"FILEJOBS_RESUME_DIR": "/r"}).parallel == 4
    assert parse(["cancel", "abc"], {}).id == "abc"
    assert json.dumps(vars(parse(["cancel", "abc"], {})))  # plain values only
