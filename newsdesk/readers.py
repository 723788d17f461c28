"""Readers: turn files of many formats into raw article records, or say why not.

Every input record becomes exactly one `RawRecord` or one `Quarantined` with a one-line
reason naming the file, so the ingest counts always add up.
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import json
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import pyarrow.parquet as pq

SUPPORTED_SUFFIXES = (
    ".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv", ".parquet",
    ".warc", ".warc.gz", ".zip", ".tar", ".tar.gz",
)  # fmt: skip
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz")

# Record fields people use for the same thing, in order of preference.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "html": ("html", "raw_html"),
    "text": ("text", "content", "body", "article", "raw_text"),
    "url": ("url", "link", "uri"),
    "source": ("source", "site", "domain", "publisher"),
    "title": ("title", "headline"),
    "published_at": ("published_at", "date", "published", "pubdate", "datetime"),
    "language": ("language", "lang"),
}


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
    published_at: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    source_file: str
    record: int  # -1: the whole file
    reason: str

    def __str__(self) -> str:
        where = self.source_file if self.record < 0 else f"{self.source_file}#{self.record}"
        return f"{where}: {self.reason}"


class BadInput(ValueError):
    """Input that cannot become an article; the message is the one-line reason."""


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


def discover(inputs: Iterable[str | Path]) -> tuple[list[Path], list[Quarantined]]:
    """Expand files, folders and globs into a sorted list of readable files."""
    found: set[Path] = set()
    missing: list[Quarantined] = []
    for item in inputs:
        text = str(item)
        matches = [Path(m) for m in glob.glob(text, recursive=True)] if glob.has_magic(text) else []
        candidates = matches or [Path(text)]
        for candidate in candidates:
            if candidate.is_dir():
                found.update(
                    p for p in candidate.rglob("*") if p.is_file() and not p.name.startswith(".")
                )
            elif candidate.is_file():
                found.add(candidate)
            else:
                missing.append(Quarantined(text, -1, "no such file or folder"))
    return sorted(found), missing


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not text in any encoding we read."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 when valid, else as the most likely encoding."""
    if looks_binary(data):
        raise BadInput("binary content, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise BadInput("undecodable text: not UTF-8 and no other encoding fits")
    # single-byte code pages often tie; the web's most common legacy one wins a tie
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    chosen = next((m for m in tied if m.encoding == "cp1252"), best)
    return str(chosen), chosen.encoding


def _field(row: Mapping[str, object], name: str) -> str | None:
    for alias in FIELD_ALIASES[name]:
        value = row.get(alias)
        if value not in (None, ""):
            return str(value)
    return None


def record_from_mapping(path: str, index: int, row: Mapping[str, object]) -> RawRecord:
    """A JSON/CSV/Parquet row to a record; it needs an html or a text field."""
    html = _field(row, "html")
    text = _field(row, "text")
    content = html if html is not None else text
    if content is None or not content.strip():
        raise BadInput("record has no html or text field with content")
    return RawRecord(
        source_file=path,
        record=index,
        format="html" if html is not None else "text",
        content=content,
        url=_field(row, "url"),
        source=_field(row, "source"),
        title=_field(row, "title"),
        published_at=_field(row, "published_at"),
        language=_field(row, "language"),
    )


def _rows(path: str, rows: Iterable[object]) -> Iterator[RawRecord | Quarantined]:
    for index, row in enumerate(rows):
        if isinstance(row, Quarantined):
            yield row
            continue
        if not isinstance(row, Mapping):
            yield Quarantined(path, index, "record is not an object")
            continue
        try:
            yield record_from_mapping(path, index, row)
        except BadInput as error:
            yield Quarantined(path, index, str(error))


def _jsonl_rows(path: str, text: str) -> Iterator[object]:
    for index, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            yield Quarantined(path, index, f"malformed JSON on line {index + 1}: {error.msg}")


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


def _read_warc(name: str, data: bytes) -> Iterator[RawRecord | Quarantined]:
    from warcio.archiveiterator import ArchiveIterator

    for index, entry in enumerate(ArchiveIterator(io.BytesIO(data))):
        if entry.rec_type != "response":
            continue
        headers = entry.http_headers
        if headers is None or "html" not in (headers.get_header("Content-Type") or ""):
            continue
        url = entry.rec_headers.get_header("WARC-Target-URI")
        try:
            html, encoding = decode(entry.content_stream().read())
        except BadInput as error:
            yield Quarantined(name, index, str(error))
            continue
        yield RawRecord(name, index, "html", html, encoding, url=url)


def _parse(name: str, suffix: str, data: bytes) -> Iterator[RawRecord | Quarantined]:
    """The records in one file's bytes, by its type; raises BadInput on bad content."""
    if suffix in (".warc", ".warc.gz"):
        yield from _read_warc(name, data)
        return
    if suffix == ".parquet":
        batches = pq.ParquetFile(io.BytesIO(data)).iter_batches()
        yield from _rows(name, (row for batch in batches for row in batch.to_pylist()))
        return
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text, encoding = decode(data)
    if not text.strip():
        raise BadInput("file holds only whitespace")
    if suffix in (".jsonl", ".ndjson"):
        yield from _rows(name, _jsonl_rows(name, text))
    elif suffix == ".json":
        parsed = json.loads(text)
        yield from _rows(name, parsed if isinstance(parsed, list) else [parsed])
    elif suffix == ".csv":
        yield from _rows(name, csv.DictReader(io.StringIO(text)))
    else:
        is_html = suffix in (".html", ".htm") or looks_like_html(text)
        yield RawRecord(name, 0, "html" if is_html else "text", text, encoding)


def _guarded(
    name: str, records: Iterator[RawRecord | Quarantined]
) -> Iterator[RawRecord | Quarantined]:
    """Turn any failure while reading into one quarantine line naming the file."""
    try:
        yield from records
    except BadInput as error:
        yield Quarantined(name, -1, str(error))
    except json.JSONDecodeError as error:
        yield Quarantined(name, -1, f"malformed JSON: {error.msg} at line {error.lineno}")
    except (
        OSError,
        ValueError,
        EOFError,
        csv.Error,
        tarfile.TarError,
        zipfile.BadZipFile,
    ) as error:
        yield Quarantined(name, -1, f"unreadable: {type(error).__name__}: {error}".splitlines()[0])


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise BadInput("empty file")
    if size > max_bytes:
        raise BadInput(f"file too large: {size / 2**20:.1f} MiB > {max_bytes / 2**20:.1f} MiB")


def _members(path: Path) -> Iterator[tuple[str, int, Callable[[], bytes]]]:
    """(name, declared size, reader) of each file in a zip or tar archive."""
    if suffix_of(path) == ".zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield info.filename, info.file_size, lambda info=info: archive.read(info)
        return
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.isfile():
                stream = archive.extractfile(member)
                if stream is not None:
                    yield member.name, member.size, stream.read


def _read_archive(path: Path, max_bytes: int) -> Iterator[RawRecord | Quarantined]:
    for member, size, read in _members(path):
        name = f"{path}!{member}"
        suffix = suffix_of(Path(member))

        def records(size: int = size, read=read, name: str = name, suffix: str = suffix):
            _check_size(size, max_bytes)  # the declared size: no archive bomb is inflated
            if suffix not in SUPPORTED_SUFFIXES or suffix in ARCHIVE_SUFFIXES:
                raise BadInput(f"unsupported file type {suffix or '(none)'}")
            yield from _parse(name, suffix, read())

        yield from _guarded(name, records())


def read_file(path: Path, max_bytes: int) -> Iterator[RawRecord | Quarantined]:
    """Yield the records of one file (or archive); any failure is a one-line reason."""
    suffix = suffix_of(path)

    def records() -> Iterator[RawRecord | Quarantined]:
        _check_size(path.stat().st_size, max_bytes)
        if suffix not in SUPPORTED_SUFFIXES:
            raise BadInput(f"unsupported file type {suffix or '(none)'}")
        if suffix in ARCHIVE_SUFFIXES:
            yield from _read_archive(path, max_bytes)
        else:
            yield from _parse(str(path), suffix, path.read_bytes())

    yield from _guarded(str(path), records())
