"""A big JSONL file read in windows by several tasks gives exactly what one reader gives."""

from __future__ import annotations

import gzip
import hashlib
import json
from itertools import pairwise
from pathlib import Path

import pytest

from newsdesk.foundations.runner import process_runner
from newsdesk.foundations.workspace import Workspace
from newsdesk.readers.files import Limits, read_file
from newsdesk.readers.windows import read_window, windows
from newsdesk.stages.ingest import FILES, INGESTED_FILES, ingest
from schemas import tables

LIMITS = Limits(record_bytes=400)


def _line(n: int) -> str:
    return json.dumps({"text": f"Story {n}: the council met on day {n}.\u2028 It agreed."})


def _awkward_lines() -> list[bytes]:
    """Every kind of line the JSONL reader treats on its own: records, blank and
    whitespace-only lines, CRLF ends, malformed JSON, a non-object, an over-long line, bytes
    that are not UTF-8."""
    lines: list[bytes] = []
    for n in range(60):
        kind = n % 9
        if kind == 1:
            lines.append(b"")
        elif kind == 2:
            lines.append(b" \t\x0b\x0c ")
        elif kind == 3:
            lines.append(_line(n).encode() + b"\r")
        elif kind == 4:
            lines.append(b'{"text": "cut sh')
        elif kind == 5:
            lines.append(b"[1, 2]")
        elif kind == 6:
            lines.append(json.dumps({"text": "x" * 500}).encode())  # over 400 bytes
        elif kind == 7:
            lines.append('{"text": "café déjà \xff'.encode() + str(n).encode() + b' \xff"}')
        else:
            lines.append(_line(n).encode())
    return lines


@pytest.mark.parametrize("records, size", [(1, 10**9), (4, 10**9), (7, 10**9), (10**9, 300)])
@pytest.mark.parametrize("last_newline", [True, False])
def test_windows_read_as_the_whole_file_does(
    tmp_path: Path, records: int, size: int, last_newline: bool
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join(_awkward_lines()) + (b"\n" if last_newline else b""))
    whole = list(read_file(path, LIMITS))
    cuts = windows(path, LIMITS, records, size)
    assert len(cuts) > 3
    assert cuts[0].start == 0 and cuts[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in pairwise(cuts))
    in_parts = [item for cut in cuts for item in read_window(path, cut, LIMITS)]
    assert in_parts == whole  # same records, numbers, reasons and line numbers
    if records < 10**9:  # cut by records: no window holds more
        numbers = [[i.record for i in read_window(path, cut, LIMITS)] for cut in cuts]
        assert max(len(set(n)) for n in numbers) <= records


def _noise(n: int) -> bytes:
    """A record of hex digits: gzip leaves it long, with newline bytes here and there."""
    return json.dumps({"text": hashlib.sha256(str(n).encode()).hexdigest() * 4}).encode()


@pytest.mark.parametrize(
    "name, data",
    [
        ("feed.jsonl.gz", gzip.compress(b"".join(_line(n).encode() + b"\n" for n in range(50)))),
        ("feed.jsonl", b"\xef\xbb\xbf" + b"".join(_line(n).encode() + b"\n" for n in range(50))),
        ("feed.jsonl", "".join(_line(n) + "\n" for n in range(50)).encode("utf-16")),
        ("feed.jsonl", b"\n \n" * 50),  # no record at all: the whole-file reader says so
        ("feed.json", b"".join(_line(n).encode() + b"\n" for n in range(50))),
        ("feed.jsonl", gzip.compress(b"".join(_noise(n) + b"\n" for n in range(200)))),
        ("feed.jsonl", b"".join(_line(n).encode() + b"\x00\x01\n" for n in range(50))),
    ],
)
def test_only_plain_utf8_jsonl_is_cut(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert windows(path, LIMITS, 2, 10**9) == []


def test_a_file_of_blank_lines_is_read_whole_however_small_the_windows(tmp_path: Path) -> None:
    """In windows it would give nothing; read whole, it is quarantined as holding no record."""
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n \n" * 50)
    assert windows(path, LIMITS, 2, 10) == []


def test_a_file_over_the_input_limit_is_not_cut(tmp_path: Path) -> None:
    """It is read whole, so that it is quarantined as too large, not read in parts."""
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(_line(n) + "\n" for n in range(50)), "utf-8")
    size = path.stat().st_size
    assert len(windows(path, Limits(record_bytes=400, input_bytes=size), 2, 10**9)) == 25
    assert windows(path, Limits(record_bytes=400, input_bytes=size - 1), 2, 10**9) == []


def _ingested(workspace: Workspace) -> list[tuple[str, str, int]]:
    table = workspace.read("articles", tables.ARTICLES, ["article_id", "source_file", "record"])
    return sorted(zip(*(table[c].to_pylist() for c in table.column_names), strict=True))


def test_ingest_of_a_big_jsonl_in_windows_on_two_processes(tmp_path: Path) -> None:
    padding = " It rained." * 100  # about 1 KB a line: ingest expects more than shard_size
    lines = [json.dumps({"text": f"Story {n}.{padding}"}) for n in range(300)]
    lines[250] = lines[10]  # a duplicate in a later window of one kept in the first
    lines[100] = "not json"
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert len(windows(path, Limits(), 40, 10**9)) == 8  # ingest cuts it at shard_size

    whole = Workspace(str(tmp_path / "whole"))
    read_whole = ingest(whole, [path], shard_size=10**6)
    split = Workspace(str(tmp_path / "split"))
    tasks: list[int] = []

    def two_processes(name, work, units):  # type: ignore[no-untyped-def]
        tasks.append(len(units))
        return process_runner(2)(name, work, units)

    report = ingest(split, [path], shard_size=40, runner=two_processes)
    assert tasks == [8]  # one task per window

    assert _ingested(split) == _ingested(whole)
    assert (report.kept, report.duplicates, report.quarantined_records) == (298, 1, 1)
    assert report.read == report.records == 300 == read_whole.records
    dup = split.read("duplicates", tables.DUPLICATES).to_pylist()
    assert [(d["record"], d["duplicate_of"]) for d in dup] == [(250, f"{path}#10")]
    recorded = split.read(FILES, INGESTED_FILES).to_pylist()
    assert [(r["records"], r["kept"], r["quarantined"]) for r in recorded] == [(300, 298, 1)]

    again = ingest(split, [path], shard_size=40, runner=process_runner(2), reread=True)
    assert (again.kept, again.unchanged, again.duplicates) == (0, 298, 1)
    assert again.records == 300


def test_windows_larger_than_the_read_buffer_read_as_the_whole_file_does(tmp_path: Path) -> None:
    """A window of a few hundred KB is read through a buffer smaller than the window."""
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(_line(n) + "\n" for n in range(12_000)), "utf-8")  # about 800 KB
    whole = list(read_file(path, Limits()))
    cuts = windows(path, Limits(), 10**9, 300 * 1024)
    assert len(cuts) >= 2 and min(c.end - c.start for c in cuts[:-1]) > 256 * 1024
    assert [item for cut in cuts for item in read_window(path, cut, Limits())] == whole


def test_a_window_whose_file_is_gone_names_the_file_and_its_first_record(tmp_path: Path) -> None:
    """A file removed after it was cut (another task, a cleanup) is quarantined from the
    first record of each window on, as the whole-file reader would report it."""
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(_line(n) + "\n" for n in range(20)), "utf-8")
    cuts = windows(path, LIMITS, 5, 10**9)
    assert [c.records for c in cuts] == [0, 5, 10, 15]
    path.unlink()
    first, third = (list(read_window(path, cuts[i], LIMITS)) for i in (0, 2))
    assert [(q.source_file, q.record) for q in first] == [(str(path), -1)]  # the whole file
    assert [(q.source_file, q.record) for q in third] == [(str(path), 10)]
    assert third[0].reason.startswith("the rest is unreadable: ")


@pytest.mark.parametrize("scan_bytes", [1, 7, 64])
def test_cuts_found_across_scan_chunks_read_as_the_whole_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan_bytes: int
) -> None:
    """A file bigger than one scan chunk (16 MiB), here with chunks of a few bytes: lines
    and blank lines that straddle chunks, and a file that opens with blank lines."""
    import newsdesk.readers.windows as windows_module

    monkeypatch.setattr(windows_module, "SCAN_BYTES", scan_bytes)
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n \n" + b"\n".join(_awkward_lines()) + b"\n")
    whole = list(read_file(path, LIMITS))
    cuts = windows(path, LIMITS, 4, 10**9)
    assert len(cuts) > 3 and cuts[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in pairwise(cuts))
    assert [item for cut in cuts for item in read_window(path, cut, LIMITS)] == whole
