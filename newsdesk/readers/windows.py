"""One big JSONL file read by several tasks at once, its records numbered as one reader would.

A window is a run of whole lines of the file, with the count of lines and records before it.
Finding the cuts takes one pass over the bytes (newlines, and which lines are blank), far
cheaper than parsing them; each task then seeks to its window and parses only that. Only a
plain UTF-8 file is cut (no gzip, no BOM, no other encoding): there a byte offset is a line
start, and every later window decodes as the first one does. Anything else is read whole.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from newsdesk.foundations.decoding import BadInput, choose_encoding
from newsdesk.readers.files import (
    CHUNK,
    Item,
    Limits,
    buffered,
    guarded,
    jsonl_records,
    suffix_of,
)

SCAN_BYTES = 16 * 2**20  # read at a time while looking for the cuts
_GZIP = b"\x1f\x8b"
_NONBLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what bytes.strip() leaves


@dataclass(frozen=True, slots=True)
class Window:
    """Bytes [start, end) of a file, whole lines, after `lines` lines and `records` records."""

    start: int
    end: int
    lines: int
    records: int


def _line_ends(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bool]]:
    """(offset after each line, whether the JSONL reader counts it as a record: not blank, or
    longer than `limit`)."""
    offset = start = 0  # of the chunk, and of the line being read
    nonblank = False
    while chunk := stream.read(SCAN_BYTES):
        at = 0
        while True:
            newline = chunk.find(b"\n", at)
            stop = len(chunk) if newline < 0 else newline
            nonblank = nonblank or _NONBLANK.search(chunk, at, stop) is not None
            if newline < 0:
                break
            end = offset + newline
            yield end + 1, nonblank or end - start > limit
            start, at, nonblank = end + 1, newline + 1, False
        offset += len(chunk)
    if offset > start:
        yield offset, nonblank or offset - start > limit


def _cuttable(path: Path, size: int, limits: Limits) -> bool:
    """A plain UTF-8 JSONL file that ingest may read in parts (else it reads it whole and
    reports whatever is wrong with it)."""
    if suffix_of(path) not in (".jsonl", ".ndjson") or path.name.lower().endswith(".gz"):
        return False
    if not 0 < size <= limits.input_bytes:
        return False
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    if head.startswith(_GZIP):
        return False
    try:
        return choose_encoding(head, complete=len(head) < 64 * 1024) == ("utf-8", 0)
    except BadInput:
        return False


def windows(path: Path, limits: Limits, records: int, size: int) -> list[Window]:
    """Cuts of a JSONL file into windows of `records` records or about `size` bytes, at line
    ends; an empty list when the file is to be read whole (not cuttable, or one window)."""
    try:
        length = path.stat().st_size
        if not _cuttable(path, length, limits):
            return []
        cuts: list[Window] = []
        begin = lines_before = records_before = lines = counted = 0
        with path.open("rb") as stream:
            for end, is_record in _line_ends(stream, limits.record_bytes):
                lines += 1
                counted += is_record
                if end < length and (counted - records_before >= records or end - begin >= size):
                    cuts.append(Window(begin, end, lines_before, records_before))
                    begin, lines_before, records_before = end, lines, counted
    except OSError:  # the whole-file reader says why, naming the file
        return []
    if not cuts or counted == 0:
        return []
    return [*cuts, Window(begin, length, lines_before, records_before)]


class _Span(io.RawIOBase):
    """At most `length` bytes of a stream."""

    def __init__(self, raw: IO[bytes], length: int) -> None:
        self.raw, self.left = raw, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(min(len(buffer), self.left, CHUNK))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def read_window(path: Path, window: Window, limits: Limits) -> Iterator[Item]:
    """The records of one window, as reading the whole file would give them; a failure is a
    one-line reason naming the file and the record where reading stopped."""

    def records() -> Iterator[Item]:
        with path.open("rb") as raw:
            raw.seek(window.start)
            data = buffered(_Span(raw, window.end - window.start))
            yield from jsonl_records(str(path), data, "utf-8", limits, window.lines, window.records)

    yield from guarded(str(path), records(), window.records - 1)
