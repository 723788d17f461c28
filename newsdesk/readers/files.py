"""Readers: turn files of many formats into raw article records, or say why not.

Every input record becomes exactly one `RawRecord`, one `Quarantined` (it cannot become an
article: a one-line reason naming the file and record) or one `Skipped` (it is not meant to be
an article: hidden files, links leaving the input folder, special files, non-HTML WARC
records), so the ingest counts always add up.

Everything is read as a stream: a file's bytes are counted after decompression as they are
read, a single-record file or one record of a multi-record file (JSONL line, JSON array
element, CSV row, Parquet row, WARC record, archive member) is held in memory only up to
`Limits.record_bytes`, and no input is read past `Limits.input_bytes`.
"""

from __future__ import annotations

import codecs
import csv
import email.utils
import glob
import gzip
import io
import json
import os
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

import pyarrow.parquet as pq

from newsdesk.foundations import limits as default_limits
from newsdesk.foundations.decoding import (
    MARK,
    MARKER,
    REPLACE,
    BadInput,
    choose_encoding,
    counted_decode,
    decode_counted,
    looks_like_html,
    replaced,
    reset_replaced,
    take_marks,
)
from newsdesk.foundations.terminal import printable

SUPPORTED_SUFFIXES = (
    ".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv", ".parquet",
    ".warc", ".warc.gz", ".zip", ".tar", ".tar.gz",
)  # fmt: skip
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz")
SINGLE_RECORD_SUFFIXES = (".txt", ".text", ".html", ".htm")

# Record fields people use for the same thing, in order of preference.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "html": ("html", "raw_html"),
    "text": ("text", "content", "body", "article", "raw_text"),
    "url": ("url", "link", "uri"),
    "source": ("source", "site", "domain", "publisher"),
    "title": ("title", "headline"),
    "published_at": ("published_at", "date", "published", "pubdate", "datetime"),
    "language": ("language", "lang"),
    "record_id": ("id", "_id", "doc_id", "guid", "uuid"),
}

CHUNK = 2**20
RECORD_BYTES = int(default_limits.MAX_FILE_MB * 2**20)
INPUT_BYTES = int(default_limits.MAX_DECOMPRESSED_MB * 2**20)
RECORD_CHARS = default_limits.MAX_BODY_CHARS


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of an input is ever held or read; past a limit the input is quarantined."""

    record_bytes: int = RECORD_BYTES  # one article: a single-record file or one record of many
    input_bytes: int = INPUT_BYTES  # read from one file or archive, after decompression
    record_chars: int = RECORD_CHARS  # one article's text or HTML, decoded (as clean checks)


@dataclass(frozen=True, slots=True)
class RawRecord:
    source_file: str
    record: int
    format: str  # "html" or "text"
    content: str
    encoding: str = "utf-8"
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published_at: str | None = None  # "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC)
    language: str | None = None
    record_id: str | None = None  # the record's own id: JSONL/CSV id, WARC-Record-ID, member
    replaced: int = 0  # undecodable bytes or lone surrogates replaced by U+FFFD
    warnings: str | None = None  # optional fields dropped, and why


@dataclass(frozen=True, slots=True)
class Quarantined:
    source_file: str
    record: int  # -1: the whole file
    reason: str

    def __str__(self) -> str:
        where = self.source_file if self.record < 0 else f"{self.source_file}#{self.record}"
        return printable(f"{where}: {self.reason}")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is not an article by design; `count` records of one kind, if many."""

    source_file: str
    record: int  # -1: the whole file (or, with count > 1, records of the file)
    reason: str
    count: int = 1

    def __str__(self) -> str:
        where = self.source_file if self.record < 0 else f"{self.source_file}#{self.record}"
        return printable(f"{where}: {self.reason}")


Item = RawRecord | Quarantined | Skipped


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def suffix_of(path: Path) -> str:
    """The type of a file by its name; `x.jsonl.gz` is read as `.jsonl` (gzip is undone)."""
    name = path.name.lower()
    for compound in (".warc.gz", ".tar.gz"):
        if name.endswith(compound):
            return compound
    if name.endswith(".tgz"):
        return ".tar.gz"
    if name.endswith(".gz"):
        return Path(name[:-3]).suffix
    return path.suffix.lower()


# --- finding the inputs -------------------------------------------------------------------

_SPECIAL = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def _classify(path: Path, root: Path | None) -> str | None:
    """Why a path found in the input is not read (None: read it). Never opens the file."""
    if root is not None and path.name.startswith("."):
        return "hidden file"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "dangling symlink (or a symlink loop)"
        if root is not None and not target.is_relative_to(root.resolve()):
            return "symlink to a file outside the input folder"
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"cannot stat: {error.strerror}"
    for test, kind in _SPECIAL:
        if test(mode):
            return f"special file ({kind}), not a regular file"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def _glob_root(pattern: str) -> Path:
    """The folder a glob searches: its path up to the first component with a wildcard."""
    parts = Path(pattern).parts
    plain = [p for p in parts[: next((i for i, p in enumerate(parts) if glob.has_magic(p)), 0)]]
    return Path(*plain) if plain else Path(".")


def discover(
    inputs: Iterable[str | Path],
) -> tuple[list[Path], list[Quarantined], list[Skipped]]:
    """Expand files, folders and globs into the sorted files to read, and what is not read.

    Inside a folder (or a glob's folder), hidden files and folders, symlinks that dangle or
    leave that folder, symlinked folders and special files are skipped with a reason; a file
    named explicitly is read even if it is a symlink.
    """
    found: set[Path] = set()
    missing: list[Quarantined] = []
    skipped: dict[Path, Skipped] = {}

    def consider(path: Path, root: Path | None) -> None:
        reason = _classify(path, root)
        if reason is None:
            found.add(path)
        else:
            skipped.setdefault(path, Skipped(str(path), -1, reason))

    def walk(folder: Path) -> None:
        def failed(error: OSError) -> None:
            missing.append(Quarantined(str(error.filename), -1, f"unreadable folder: {error}"))

        for dirpath, dirnames, filenames in os.walk(folder, onerror=failed):
            here = Path(dirpath)
            for name in list(dirnames):
                sub = here / name
                if name.startswith("."):
                    skipped.setdefault(sub, Skipped(str(sub), -1, "hidden folder"))
                    dirnames.remove(name)
                elif sub.is_symlink():
                    reason = "symlink to a folder, not followed"
                    skipped.setdefault(sub, Skipped(str(sub), -1, reason))
                    dirnames.remove(name)
            for name in filenames:
                consider(here / name, folder)

    for item in inputs:
        text = str(item)
        if glob.has_magic(text):
            matches = [Path(m) for m in glob.glob(text, recursive=True)]
            if not matches:
                missing.append(Quarantined(text, -1, "no file matches this pattern"))
            root = _glob_root(text)
            for match in matches:
                if match.is_dir() and not match.is_symlink():
                    walk(match)
                else:
                    consider(match, root)
            continue
        path = Path(text)
        if path.is_dir():
            walk(path)
        elif path.exists() or path.is_symlink():
            consider(path, None)
        else:
            missing.append(Quarantined(text, -1, "no such file or folder"))
    skipped_list = [s for p, s in sorted(skipped.items()) if p not in found]
    return sorted(found), missing, skipped_list


# --- streams ------------------------------------------------------------------------------


class _Limited(io.RawIOBase):
    """Counts the bytes read through it and stops with BadInput past `limit`.

    A failure (past the limit, or a compressed stream cut short) first ends the stream where
    it happened, so the data before it reaches the reader intact, and is raised on the next
    read; `check()` raises it for a reader that stopped at that end.
    """

    def __init__(self, raw: IO[bytes], limit: int, what: str) -> None:
        self.raw, self.limit, self.what, self.count = raw, limit, what, 0
        self.error: BadInput | None = None

    def readable(self) -> bool:
        return True

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self.check()
        read = getattr(self.raw, "read1", self.raw.read)  # what is there, not a full buffer
        try:
            data = read(min(len(buffer), CHUNK))
        except EOFError:  # not passed on as such: readers such as warcio take it for the end
            self.error = BadInput("truncated: the compressed data ends early")
            return 0
        self.count += len(data)
        if self.count > self.limit:
            data = data[: max(0, len(data) - (self.count - self.limit))]
            self.error = BadInput(f"{self.what} over {_mib(self.limit)}; the rest is not read")
        buffer[: len(data)] = data
        return len(data)


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of it."""

    def __init__(self, prefix: bytes, raw: IO[bytes]) -> None:
        self.prefix, self.raw = prefix, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.prefix:
            size = min(len(buffer), len(self.prefix))
            buffer[:size] = self.prefix[:size]
            self.prefix = self.prefix[size:]
            return size
        data = self.raw.read(min(len(buffer), CHUNK))
        buffer[: len(data)] = data
        return len(data)


class _ToUtf8(io.RawIOBase):
    """A stream in another encoding, re-encoded to UTF-8 as it is read. Bytes it cannot
    decode become U+FFFD, and `replaced_on` counts them by the line they are on (1-based,
    lines ending at `\n`): a reader of the UTF-8 lines no longer sees them as bad bytes."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder(encoding)(errors=MARK)
        self.pending = b""
        self.done = False
        self.lines = 0  # newlines decoded so far
        self.replaced_on: dict[int, int] = {}

    def _utf8(self, text: str) -> bytes:
        marks = take_marks()
        if marks:
            pieces = text.split(MARKER)
            line = self.lines + 1
            for piece, size in zip(pieces, marks, strict=False):
                line += piece.count("\n")
                self.replaced_on[line] = self.replaced_on.get(line, 0) + size
            text = "\ufffd".join(pieces)
        self.lines += text.count("\n")
        return text.encode("utf-8", "surrogatepass")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending and not self.done:
            data = self.raw.read(CHUNK)
            self.done = not data
            self.pending = self._utf8(self.decoder.decode(data, final=self.done))
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def buffered(raw: io.RawIOBase) -> io.BufferedReader:
    """Every reader's stream buffer: readline of a long record needs few calls."""
    return io.BufferedReader(raw, buffer_size=256 * 1024)


def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    parts, total = [], 0
    while total < size:
        data = stream.read(min(CHUNK, size - total))
        if not data:
            break
        parts.append(data)
        total += len(data)
    return b"".join(parts)


def _inflated(stream: IO[bytes], limit: int, what: str) -> tuple[io.BufferedReader, _Limited]:
    """The stream, gunzipped when it starts like gzip, counted against `limit`; and its
    counter, whose `check()` says whether it ended early."""
    head = stream.read(2)
    raw: IO[bytes] = buffered(_Prefixed(head, stream))
    if head == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
    counter = _Limited(raw, limit, what)
    return buffered(counter), counter


# --- decoding -----------------------------------------------------------------------------


def _utf8_stream(stream: IO[bytes]) -> tuple[io.BufferedReader, str, dict[int, int]]:
    """A text stream of any supported encoding as UTF-8 bytes, the encoding it had, and
    the bytes replaced while re-encoding it, by line (filled as the stream is read)."""
    head = _read_up_to(stream, 64 * 1024)
    encoding, skip = choose_encoding(head, complete=len(head) < 64 * 1024)
    rest = buffered(_Prefixed(head[skip:], stream))
    if encoding == "utf-8":
        return rest, encoding, {}
    converted = _ToUtf8(rest, encoding)
    return buffered(converted), encoding, converted.replaced_on


# --- fields -------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_str(value: str) -> tuple[str, int]:
    """The string with lone surrogates (not storable as UTF-8) replaced, and how many."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.subn("\ufffd", value)
    return value, 0


def _short(value: object) -> str:
    text = repr(value)
    return printable(text if len(text) <= 40 else text[:37] + "...")


_DATE_FORMATS = (
    "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
    "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S %Z", "%a, %d %b %Y", "%b. %d, %Y",
)  # fmt: skip


def _iso(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        if not 1800 <= moment.year <= 2100:
            raise ValueError("year out of range")
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not 1800 <= moment.year <= 2100:
        raise ValueError("year out of range")
    return moment.isoformat()


def normalise_date(value: object) -> str | None:
    """A date to one ISO form: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SSZ` in UTC (a time without
    a zone is taken as UTC); raises ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return _iso(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since 1970
        if not 0 < seconds < 4_102_444_800:
            raise ValueError("number out of the range of Unix times")
        return _iso(datetime.fromtimestamp(seconds, UTC))
    if not isinstance(value, str):
        raise ValueError(f"a {type(value).__name__}, not a date")
    text = value.strip()
    if len(text) > 64:
        raise ValueError("too long for a date")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return _iso(date.fromisoformat(text))
    try:
        return _iso(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _iso(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    for form in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, form)
        except ValueError:
            continue
        return _iso(moment.date() if "%H" not in form else moment)
    raise ValueError("not a date")


def _pick(row: Mapping[str, object], name: str) -> tuple[str, object] | None:
    for alias in FIELD_ALIASES[name]:
        value = row.get(alias)
        if value is not None and value != "":
            return alias, value
    return None


def record_from_mapping(
    path: str, index: int, row: Mapping[str, object], max_chars: int | None = None
) -> RawRecord:
    """A JSON/CSV/Parquet row to a record; it needs an html or a text field holding text.

    A text of the wrong type quarantines the record; an optional field of the wrong type (or
    a date that is not one) is dropped with a warning.
    """
    picked = _pick(row, "html") or _pick(row, "text")
    if picked is None:
        raise BadInput("record has no html or text field with content")
    alias, value = picked
    if not isinstance(value, str):
        raise BadInput(f"field {alias!r} is a {type(value).__name__}, not text")
    if not value.strip():
        raise BadInput("record has no html or text field with content")
    if max_chars is not None and (reason := default_limits.body_too_long(len(value), max_chars)):
        raise BadInput(reason)
    content, replaced = clean_str(value)
    warnings: list[str] = []
    fields: dict[str, str | None] = {}
    for name in ("url", "source", "title", "language", "record_id", "published_at"):
        found = _pick(row, name)
        if found is None:
            fields[name] = None
            continue
        key, raw = found
        if name == "published_at":
            try:
                fields[name] = normalise_date(raw)
            except (ValueError, OverflowError, OSError) as error:
                warnings.append(f"{key} {_short(raw)} dropped: {error}")
                fields[name] = None
            continue
        if name == "record_id" and isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            warnings.append(f"{key} dropped: a {type(raw).__name__}, not text")
            fields[name] = None
            continue
        fields[name], count = clean_str(raw)
        replaced += count
    return RawRecord(
        source_file=path,
        record=index,
        format="html" if alias in FIELD_ALIASES["html"] else "text",
        content=content,
        replaced=replaced,
        warnings="; ".join(warnings) or None,
        **fields,  # type: ignore[arg-type]
    )


def _row_item(path: str, index: int, row: object, limits: Limits, where: str = "") -> Item:
    if not isinstance(row, Mapping):
        return Quarantined(path, index, f"{where}record is not an object")
    try:
        return record_from_mapping(path, index, row, limits.record_chars)
    except BadInput as error:
        return Quarantined(path, index, f"{where}{error}")


def _json_value(text: str | bytes) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise BadInput("JSON nested too deeply") from None
    except json.JSONDecodeError as error:
        raise BadInput(f"malformed JSON: {error.msg} at column {error.colno}") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise BadInput(f"malformed JSON: {str(error).splitlines()[0][:120]}") from None


# --- formats ------------------------------------------------------------------------------


def _lines(stream: IO[bytes], limit: int, number: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its newline, or None when longer than `limit`), split only
    at `\\n` bytes: U+2028, U+2029 and U+0085 inside JSON strings do not end a record.
    Numbering goes on from `number` (the lines before this stream)."""
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _encoded(item: Item, encoding: str) -> Item:
    """A record of a multi-record file says which encoding the file had."""
    if encoding != "utf-8" and isinstance(item, RawRecord):
        return replace(item, encoding=encoding)
    return item


def _read_jsonl(name: str, stream: IO[bytes], limits: Limits) -> Iterator[Item]:
    data, encoding, replaced_on = _utf8_stream(stream)
    return jsonl_records(name, data, encoding, limits, replaced_on=replaced_on)


def jsonl_records(
    name: str,
    data: IO[bytes],
    encoding: str,
    limits: Limits,
    lines_before: int = 0,
    index: int = 0,
    replaced_on: dict[int, int] | None = None,
) -> Iterator[Item]:
    """The records of JSONL lines in UTF-8, numbered from `index`; `lines_before` and `index`
    count the lines and records before `data`, for a part of a file read on its own
    (`readers.windows`). A blank line is not a record; a line over `record_bytes` is one,
    quarantined. `replaced_on` adds the bytes replaced by line before the lines were UTF-8
    (a file in another encoding)."""
    for number, line in _lines(data, limits.record_bytes, lines_before):
        where = f"line {number}: "
        if line is None:
            yield Quarantined(name, index, f"{where}record over {_mib(limits.record_bytes)}")
            index += 1
            continue
        if not line.strip():
            continue
        text, replaced = counted_decode(line, "utf-8")
        replaced += (replaced_on or {}).get(number, 0)
        try:
            row = _json_value(text)
        except BadInput as error:
            yield Quarantined(name, index, f"{where}{error}")
        else:
            item = _row_item(name, index, row, limits, where)
            if replaced and isinstance(item, RawRecord):
                item = _with_replaced(item, replaced)
            yield _encoded(item, encoding)
        index += 1


def _with_replaced(item: RawRecord, replaced: int) -> RawRecord:
    return replace(item, replaced=item.replaced + replaced)


def _json_rows(parsed: object) -> list[object]:
    return parsed if isinstance(parsed, list) else [parsed]


def _read_json(name: str, stream: IO[bytes], limits: Limits) -> Iterator[Item]:
    """A JSON object or array; one larger than a record is read element by element."""
    head = _read_up_to(stream, limits.record_bytes + 1)
    if len(head) <= limits.record_bytes:
        text, encoding, replaced = decode_counted(head)
        if not text.strip():
            raise BadInput("file holds only whitespace")
        for index, row in enumerate(_json_rows(_json_value(text))):
            item = _row_item(name, index, row, limits)
            if replaced and isinstance(item, RawRecord):  # the file's bad bytes, counted once
                item, replaced = _with_replaced(item, replaced), 0
            yield _encoded(item, encoding)
        return
    data, encoding, _ = _utf8_stream(buffered(_Prefixed(head, stream)))
    text_stream = io.TextIOWrapper(data, "utf-8", errors=REPLACE)
    for index, row in enumerate(_json_array_elements(text_stream, limits.record_bytes)):
        yield _encoded(_row_item(name, index, row, limits, f"element {index}: "), encoding)


def _json_array_elements(stream: IO[str], limit: int) -> Iterator[object]:
    """The elements of a top-level JSON array, parsed one at a time from a text stream."""
    decoder = json.JSONDecoder()
    buffer, pos, eof = "", 0, False

    def more(at_least: int = CHUNK) -> bool:
        nonlocal buffer, pos, eof
        data = stream.read(max(CHUNK, at_least))
        eof = not data
        buffer = buffer[pos:] + data
        pos = 0
        return bool(data)

    def skip_space() -> str:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer):
                return buffer[pos]
            if not more():
                return ""

    if skip_space() != "[":
        raise BadInput("a JSON file larger than one record must be an array of records")
    pos += 1
    index = 0
    while True:
        if skip_space() == "]" and index == 0:
            return
        while True:
            try:
                value, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as error:
                if eof:
                    raise BadInput(f"element {index}: malformed JSON: {error.msg}") from None
                if len(buffer) - pos > limit:
                    raise BadInput(
                        f"element {index} over {_mib(limit)}; the rest is not read"
                    ) from None
                more(len(buffer) - pos)
                continue
            except RecursionError:
                raise BadInput(f"element {index}: JSON nested too deeply") from None
            if end == len(buffer) and not eof and more(len(buffer) - pos):
                continue  # a number may go on in the next chunk
            break
        pos = end
        yield value
        index += 1
        following = skip_space()
        pos += 1
        if following == "]":
            return
        if following != ",":
            raise BadInput(f"after element {index - 1}: malformed JSON array")


def _read_csv(name: str, stream: IO[bytes], limits: Limits) -> Iterator[Item]:
    csv.field_size_limit(max(csv.field_size_limit(), limits.record_bytes))
    data, encoding, _ = _utf8_stream(stream)  # each row's bad bytes: `replaced()` below
    text = io.TextIOWrapper(data, "utf-8", errors=REPLACE, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput("file holds only whitespace") from None
    except csv.Error as error:
        raise BadInput(f"malformed CSV header: {error}") from None
    index = 0
    while True:
        reset_replaced()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Quarantined(name, index, f"row ending on line {reader.line_num}: {error}")
            index += 1
            continue
        if not any(cell.strip() for cell in row):
            continue
        item = _row_item(name, index, dict(zip(header, row, strict=False)), limits)
        if isinstance(item, Quarantined):
            item = Quarantined(name, index, f"row ending on line {reader.line_num}: {item.reason}")
        elif replaced():
            item = _with_replaced(item, replaced())
        yield _encoded(item, encoding)
        index += 1


def _read_parquet(name: str, source: str | IO[bytes], limits: Limits) -> Iterator[Item]:
    parquet = pq.ParquetFile(source)
    index = 0
    for batch in parquet.iter_batches(batch_size=64):
        for row in batch.to_pylist():
            yield _row_item(name, index, row, limits)
            index += 1


HTML_TYPES = ("text/html", "application/xhtml+xml")


def _read_warc(name: str, stream: io.BufferedReader, limits: Limits) -> Iterator[Item]:
    """Responses holding HTML become records; every other WARC record is skipped, counted."""
    from warcio.archiveiterator import ArchiveIterator

    if stream.peek(5)[:5] != b"WARC/":
        raise BadInput("not a WARC file: it does not start with a WARC/ version line")
    others: Counter[str] = Counter()

    def not_responses() -> Iterator[Skipped]:
        for kind, count in sorted(others.items()):
            yield Skipped(name, -1, f"WARC {kind} record, not a response", count)

    try:
        for index, entry in enumerate(ArchiveIterator(stream, no_record_parse=False)):
            record_id = entry.rec_headers.get_header("WARC-Record-ID")
            if entry.rec_type != "response":
                others[entry.rec_type or "untyped"] += 1
                continue
            headers = entry.http_headers
            ctype = (headers.get_header("Content-Type") or "") if headers else ""
            if headers is None or not ctype.lower().startswith(HTML_TYPES):
                kind = ctype.split(";")[0].strip() or "no content type"
                yield Skipped(name, index, f"WARC response {record_id}: {kind}, not HTML")
                continue
            status = (headers.get_statuscode() or "") if headers else ""
            if not status.startswith("2"):
                yield Skipped(name, index, f"WARC response {record_id}: HTTP status {status}")
                continue
            url = entry.rec_headers.get_header("WARC-Target-URI")
            payload = entry.content_stream().read(limits.record_bytes + 1)
            if len(payload) > limits.record_bytes:
                reason = f"WARC response {record_id} over {_mib(limits.record_bytes)}"
                yield Quarantined(name, index, reason)
                continue
            try:
                html, encoding, replaced = decode_counted(payload)
                if reason := default_limits.body_too_long(len(html), limits.record_chars):
                    raise BadInput(reason)
            except BadInput as error:
                yield Quarantined(name, index, f"WARC response {record_id}: {error}")
                continue
            yield RawRecord(
                name, index, "html", html, encoding, url=url, record_id=record_id,
                replaced=replaced,
            )  # fmt: skip
    except Exception:
        yield from not_responses()
        raise
    yield from not_responses()


def _read_single(name: str, suffix: str, data: IO[bytes], limits: Limits) -> Iterator[Item]:
    content = _read_up_to(data, limits.record_bytes + 1)
    if len(content) > limits.record_bytes:
        raise BadInput(f"file too large: over {_mib(limits.record_bytes)} (decompressed)")
    if not content:
        raise BadInput("empty file")
    text, encoding, replaced = decode_counted(content)
    if not text.strip():
        raise BadInput("file holds only whitespace")
    if reason := default_limits.body_too_long(len(text), limits.record_chars):
        raise BadInput(reason)
    text, surrogates = clean_str(text)
    is_html = suffix in (".html", ".htm") or looks_like_html(text)
    yield RawRecord(
        name, 0, "html" if is_html else "text", text, encoding, replaced=replaced + surrogates
    )


def _parse(name: str, suffix: str, raw: IO[bytes], limits: Limits) -> Iterator[Item]:
    """The records of one file's (or member's) byte stream, by its type."""
    data, counter = _inflated(raw, limits.input_bytes, "decompressed size")
    yield from _by_type(name, suffix, data, limits)
    counter.check()


def _by_type(name: str, suffix: str, data: io.BufferedReader, limits: Limits) -> Iterator[Item]:
    if suffix in (".warc", ".warc.gz"):
        yield from _read_warc(name, data, limits)
    elif suffix == ".parquet":
        with tempfile.TemporaryFile() as spool:  # Parquet needs to seek
            while chunk := data.read(CHUNK):
                spool.write(chunk)
            if spool.tell() == 0:
                raise BadInput("empty file")
            spool.seek(0)
            yield from _read_parquet(name, spool, limits)  # type: ignore[arg-type]
    elif suffix in (".jsonl", ".ndjson"):
        yield from _nonempty(_read_jsonl(name, data, limits), data)
    elif suffix == ".json":
        yield from _read_json(name, data, limits)
    elif suffix == ".csv":
        yield from _nonempty(_read_csv(name, data, limits), data)
    else:
        yield from _read_single(name, suffix, data, limits)


def _nonempty(items: Iterator[Item], data: IO[bytes]) -> Iterator[Item]:
    """A multi-record file with no record at all says so, like an empty single file."""
    seen = False
    for item in items:
        seen = True
        yield item
    if not seen:
        raise BadInput("file holds only whitespace")


def _reason(error: BaseException) -> str:
    if isinstance(error, BadInput):
        return str(error)
    if isinstance(error, json.JSONDecodeError):
        return f"malformed JSON: {error.msg} at line {error.lineno}"
    if isinstance(error, RecursionError):
        return "nested too deeply to parse"
    if isinstance(error, EOFError):
        return "truncated: the compressed data ends early"
    if isinstance(error, gzip.BadGzipFile | zlib.error):
        return f"corrupt compressed data: {error}"
    if isinstance(error, zipfile.BadZipFile):
        return f"not a readable zip: {error}"
    if isinstance(error, tarfile.TarError):
        return f"not a readable tar: {error}"
    text = str(error).strip().splitlines()
    return f"unreadable: {type(error).__name__}: {text[0] if text else ''}"[:300]


def guarded(name: str, records: Iterator[Item], last: int = -1) -> Iterator[Item]:
    """Any failure while reading becomes one quarantine line naming the file (and, after
    records were read, the record where reading stopped); `last` is the record before
    `records` (-1: they are the whole file)."""
    try:
        for item in records:
            if item.source_file == name and item.record > last:
                last = item.record
            yield item
    except Exception as error:  # no input may stop a run
        if last < 0:
            yield Quarantined(name, -1, _reason(error))
        else:
            yield Quarantined(name, last + 1, f"the rest is unreadable: {_reason(error)}")


def _unsupported(suffix: str) -> BadInput:
    return BadInput(f"unsupported file type {suffix or '(none)'}")


def _check_declared(size: int, suffix: str, limits: Limits) -> None:
    if size == 0:
        raise BadInput("empty file")
    if suffix in SINGLE_RECORD_SUFFIXES and size > limits.record_bytes:
        raise BadInput(f"file too large: {_mib(size)} > {_mib(limits.record_bytes)} (max_file_mb)")
    if size > limits.input_bytes:
        raise BadInput(
            f"file too large: {_mib(size)} > {_mib(limits.input_bytes)}"
            " (max_decompressed_mb; or split the file)"
        )


def _hidden_member(name: str) -> bool:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _member_items(
    archive_name: str, member: str, size: int, open_member, limits: Limits
) -> Iterator[Item]:
    name = f"{archive_name}!{member}"
    suffix = suffix_of(Path(member))

    def records() -> Iterator[Item]:
        _check_declared(size, suffix, limits)  # the declared size: no bomb is inflated
        if suffix not in SUPPORTED_SUFFIXES or suffix in ARCHIVE_SUFFIXES:
            raise _unsupported(suffix)
        with open_member() as stream:
            for item in _parse(name, suffix, stream, limits):
                if isinstance(item, RawRecord) and item.record_id is None:
                    item = replace(item, record_id=member)
                yield item

    yield from guarded(name, records())


_ZIP_LINK = 0o120000


def _read_zip(path: Path, limits: Limits) -> Iterator[Item]:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = f"{path}!{info.filename}"
            if _hidden_member(info.filename):
                yield Skipped(name, -1, "hidden file")
                continue
            if (info.external_attr >> 16) & 0o170000 == _ZIP_LINK:
                yield Skipped(name, -1, "symlink inside the archive, not followed")
                continue
            if info.flag_bits & 0x1:
                yield Quarantined(name, -1, "encrypted archive member")
                continue
            total += info.file_size
            if total > limits.input_bytes:
                reason = f"archive over {_mib(limits.input_bytes)} decompressed; not read"
                yield Quarantined(name, -1, reason)
                continue
            yield from _member_items(
                str(path), info.filename, info.file_size, lambda i=info: archive.open(i), limits
            )


def _read_tar(path: Path, limits: Limits) -> Iterator[Item]:
    with path.open("rb") as raw:
        stream, counter = _inflated(raw, limits.input_bytes, "archive decompressed size")
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                name = f"{path}!{member.name}"
                if member.isdir():
                    continue
                if _hidden_member(member.name):
                    yield Skipped(name, -1, "hidden file")
                elif member.issym():
                    yield Skipped(name, -1, "symlink inside the archive, not followed")
                elif member.islnk():
                    reason = f"hard link to {member.linkname}, which is read itself"
                    yield Skipped(name, -1, reason)
                elif not member.isfile():
                    yield Skipped(name, -1, "special file inside the archive")
                else:
                    yield from _member_items(
                        str(path),
                        member.name,
                        member.size,
                        lambda m=member: _closing(archive.extractfile(m)),
                        limits,
                    )
        counter.check()


def _closing(stream: IO[bytes] | None) -> IO[bytes]:
    if stream is None:
        raise BadInput("unreadable archive member")
    return stream


def read_file(path: Path, limits: Limits | int) -> Iterator[Item]:
    """Yield the records of one file (or archive); any failure is a one-line reason."""
    if isinstance(limits, int):
        limits = Limits(record_bytes=limits)
    suffix = suffix_of(path)

    def records() -> Iterator[Item]:
        size = path.stat().st_size
        if suffix not in SUPPORTED_SUFFIXES:
            raise _unsupported(suffix)
        if size == 0:
            raise BadInput("empty file")
        if not (suffix in SINGLE_RECORD_SUFFIXES and path.name.lower().endswith(".gz")):
            _check_declared(size, suffix, limits)  # the size on disk, before reading
        if suffix == ".zip":
            yield from _read_zip(path, limits)
        elif suffix in (".tar", ".tar.gz"):
            yield from _read_tar(path, limits)
        elif suffix == ".parquet" and not path.name.lower().endswith(".gz"):
            yield from _read_parquet(str(path), str(path), limits)
        else:
            with path.open("rb") as stream:
                yield from _parse(str(path), suffix, stream, limits)

    yield from guarded(str(path), records())
