"""Ingest: files to the `articles` table, every input record accounted for.

Each record is kept, a duplicate (of one kept earlier or in this run), already ingested
(same file and record), quarantined (a one-line reason naming the file and record) or
skipped (not an article by design: hidden files, links leaving the input folder, special
files, non-HTML WARC records). The buckets add up to the records read, and each run's
counts are written to `ingest_runs`.

A task's unit of work is about `shard_size` articles' worth of files (a multi-record file
counts by its size), or one window of `shard_size` records of a big JSONL file (so one file
keeps every worker busy); the task reads its files as streams and writes articles as it goes, in
shards of at most `shard_size` rows or `SHARD_BYTES` of content, so memory stays bounded by
configuration and a crash loses at most the shard in flight. A task is given the names of the
articles shards that existed when the run began and reads their ids itself (only the id and
origin columns, once per worker process): nothing corpus-sized travels with a task.

Every file read to its end is recorded in `ingested_files` with its size and modification
time; a later run skips a file whose path, size and mtime match without opening it (its
records count as already ingested), unless `reread` is asked for. Re-ingesting writes no log
row twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.foundations.ids import article_id, shard_name
from newsdesk.foundations.language import guess_language
from newsdesk.foundations.limits import SHARD_SIZE
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.readers.files import (
    INPUT_BYTES,
    RECORD_BYTES,
    RECORD_CHARS,
    SINGLE_RECORD_SUFFIXES,
    Limits,
    Quarantined,
    RawRecord,
    Skipped,
    discover,
    read_file,
    suffix_of,
)
from newsdesk.readers.windows import Window, read_window, windows
from schemas import tables

UNIT_BYTES = 256 * 2**20  # files of a shard task, by size on disk: a big file is a task alone
SHARD_BYTES = 64 * 2**20  # content buffered before an articles shard is written
RECORD_GUESS_BYTES = 4096  # a multi-record file counts as one article per this many bytes
FILES = "ingested_files"
INGESTED_FILES = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("limits", pa.string(), nullable=False),  # what it was read with
        pa.field("records", pa.int64(), nullable=False),
        pa.field("kept", pa.int64(), nullable=False),  # or already ingested then
        pa.field("quarantined", pa.int64(), nullable=False),
        pa.field("skipped", pa.int64(), nullable=False),
    ]
)


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file as it was when the run began (size and mtime -1: not known), or one window of
    it, read by a task of its own."""

    path: str
    size: int = -1
    mtime_ns: int = -1
    window: Window | None = None


@dataclass
class IngestReport:
    """Every input record lands in exactly one bucket; `records` is their sum, `read` the
    records counted as they were read (they differ only if one was lost on the way)."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    unchanged: int = 0  # already in the workspace from the same file and record
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # in files not read again (same size and mtime), listed by an earlier run
    earlier_quarantined: int = 0
    earlier_skipped: int = 0

    @property
    def skipped_records(self) -> int:
        return sum(s.count for s in self.skipped) + self.earlier_skipped

    @property
    def quarantined_records(self) -> int:
        return len(self.quarantined) + self.earlier_quarantined

    @property
    def records(self) -> int:
        return (
            self.kept
            + self.duplicates
            + self.unchanged
            + self.quarantined_records
            + self.skipped_records
        )

    def summary(self) -> str:
        text = (
            f"{self.records} records: {self.kept} kept, {self.duplicates} duplicates, "
            f"{self.unchanged} already ingested, {self.quarantined_records} quarantined, "
            f"{self.skipped_records} skipped"
        )
        if self.read != self.records:
            text += f"; does not add up: {self.read} records were read"
        return text

    def lines(self) -> list[str]:
        """The summary, then every quarantined and skipped input (printable, one line each)."""
        return [
            self.summary(),
            *(f"  quarantined {entry}" for entry in self.quarantined),
            *(f"  skipped {entry}" for entry in self.skipped),
        ]


@dataclass
class UnitResult:
    """What one shard task did; articles themselves are already written."""

    read: int = 0  # records read, counted apart from the buckets
    # (id, origin, shard, input file)
    kept: list[tuple[str, str, str, str]] = field(default_factory=list)
    duplicates: list[dict[str, object]] = field(default_factory=list)
    unchanged: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: list[dict[str, object]] = field(default_factory=list)  # read to the end


def _article_row(record: RawRecord, identifier: str) -> dict[str, object]:
    return {
        "article_id": identifier,
        "source_file": record.source_file,
        "record": record.record,
        "format": record.format,
        "content": record.content,
        "encoding": record.encoding,
        "url": record.url,
        "source": record.source or _domain(record.url),
        "title": record.title,
        "published_at": record.published_at,
        # an HTML page's language is guessed from its cleaned body, at clean
        "language": record.language
        or (None if record.format == "html" else guess_language(record.content)),
        "record_id": record.record_id,
        "replaced": record.replaced,
        "warnings": record.warnings,
    }


def _domain(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return host.removeprefix("www.") or None


def _origin(source_file: str, record: int) -> str:
    return f"{source_file}#{record}"


def _known_articles(workspace: Workspace, shards: list[str] | None = None) -> dict[str, str]:
    """article_id -> "file#record" of the copy already kept (in `shards`, default all); only
    those three columns are read."""
    known = workspace.read(
        "articles", tables.ARTICLES, ["article_id", "source_file", "record"], shards=shards
    )
    origins = pc.binary_join_element_wise(
        known["source_file"], pc.cast(known["record"], pa.string()), "#"
    )
    return dict(zip(known["article_id"].to_pylist(), origins.to_pylist(), strict=True))


_known_cache: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}


def _known_in_process(workspace: Workspace, shards: tuple[str, ...]) -> dict[str, str]:
    """The known ids of one run, read once per worker process (the latest run's only)."""
    key = (workspace.uri, shards)
    if key not in _known_cache:
        _known_cache.clear()
        _known_cache[key] = _known_articles(workspace, list(shards))
    return _known_cache[key]


def _shard_of(rows: list[dict[str, object]]) -> str:
    """Named by the articles and where they came from: the same rows give the same name."""
    return shard_name(
        "articles", [f"{r['article_id']}|{r['source_file']}#{r['record']}" for r in rows]
    )


class _ArticleSink:
    """Buffers new articles and writes them in shards of `shard_size` rows (or fewer, when
    their content passes `SHARD_BYTES`)."""

    def __init__(self, workspace: Workspace, shard_size: int, result: UnitResult) -> None:
        self.workspace = workspace
        self.shard_size = shard_size
        self.result = result
        self.rows: list[dict[str, object]] = []
        self.inputs: list[str] = []
        self.size = 0

    def add(self, row: dict[str, object], input_file: str) -> None:
        self.rows.append(row)
        self.inputs.append(input_file)
        self.size += len(str(row["content"]))
        if len(self.rows) >= self.shard_size or self.size >= SHARD_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        shard = _shard_of(self.rows)
        table = pa.Table.from_pylist(self.rows, schema=tables.ARTICLES)
        self.workspace.write_shard("articles", shard, table)
        self.result.kept.extend(
            (str(r["article_id"]), _origin(str(r["source_file"]), int(r["record"])), shard, i)  # type: ignore[call-overload]
            for r, i in zip(self.rows, self.inputs, strict=True)
        )
        self.rows, self.inputs, self.size = [], [], 0


def ingest_unit(
    workspace: Workspace,
    files: Sequence[InputFile],
    known: dict[str, str] | Sequence[str],
    limits: Limits,
    shard_size: int,
) -> UnitResult:
    """Shard work: read a batch of files and write their new articles; `known` is not changed.

    A file whose size is known is recorded once read to the end (a window: the caller adds
    up the windows of its file); `known` maps the ids already kept to their origin, or
    names the articles shards to read them from. Duplicates are found against `known` and
    within the batch; the caller settles those between batches that ran at the same time.
    """
    if not isinstance(known, dict):
        known = _known_in_process(workspace, tuple(known))
    result = UnitResult()
    sink = _ArticleSink(workspace, shard_size, result)
    mine: dict[str, str] = {}
    for entry in files:
        name = entry.path
        counts = {"records": 0, "kept": 0, "quarantined": 0, "skipped": 0}
        if entry.window is None:
            items = read_file(Path(name), limits)
        else:
            items = read_window(Path(name), entry.window, limits)
        for item in items:
            counted = item.count if isinstance(item, Skipped) else 1
            result.read += counted
            counts["records"] += counted
            if isinstance(item, Quarantined):
                result.quarantined.append(item)
                counts["quarantined"] += 1
                continue
            if isinstance(item, Skipped):
                result.skipped.append(item)
                counts["skipped"] += counted
                continue
            identifier = article_id(item.content)
            origin = _origin(item.source_file, item.record)
            first = known.get(identifier) or mine.get(identifier)
            if first is None:
                mine[identifier] = origin
                sink.add(_article_row(item, identifier), name)
                counts["kept"] += 1
            elif first == origin:
                result.unchanged += 1
                counts["kept"] += 1
            else:
                result.duplicates.append(
                    {
                        "article_id": identifier,
                        "source_file": item.source_file,
                        "record": item.record,
                        "duplicate_of": first,
                    }
                )
        if entry.size >= 0:
            row = {"path": name, "size": entry.size, "mtime_ns": entry.mtime_ns}
            result.files.append({**row, "limits": _limits_key(limits), **counts})
    sink.flush()
    return result


def _estimate(path: str, size: int) -> int:
    """Articles a file is expected to hold: one for an HTML or text page, else by its size."""
    return 1 if suffix_of(Path(path)) in SINGLE_RECORD_SUFFIXES else 1 + size // RECORD_GUESS_BYTES


def _big(entry: InputFile, shard_size: int) -> bool:
    return _estimate(entry.path, entry.size) > shard_size or entry.size > UNIT_BYTES


def _in_windows(
    files: list[InputFile], limits: Limits, shard_size: int
) -> tuple[list[InputFile], dict[str, int]]:
    """The files with each big JSONL file replaced by its windows of `shard_size` records,
    and how many windows each such file has."""
    parts: list[InputFile] = []
    cut: dict[str, int] = {}
    for entry in files:
        cuts = (
            windows(Path(entry.path), limits, shard_size, UNIT_BYTES)
            if _big(entry, shard_size)
            else []
        )
        parts.extend(InputFile(entry.path, entry.size, entry.mtime_ns, w) for w in cuts)
        if cuts:
            cut[entry.path] = len(cuts)
        else:
            parts.append(entry)
    return parts, cut


def _units(files: list[InputFile], shard_size: int) -> list[list[InputFile]]:
    """Batches of files in input order, of about `shard_size` articles or UNIT_BYTES on disk
    (a window, or a file expected to hold more, is a batch alone: it is streamed, shard by
    shard)."""
    units: list[list[InputFile]] = []
    current: list[InputFile] = []
    articles = size = 0
    for entry in files:
        expected, length = _estimate(entry.path, entry.size), entry.size
        if entry.window is not None:  # more than a batch holds: a window is a batch alone
            expected = shard_size + 1
        if current and (articles + expected > shard_size or size + length > UNIT_BYTES):
            units.append(current)
            current, articles, size = [], 0, 0
        current.append(entry)
        articles += expected
        size += length
    if current:
        units.append(current)
    return units


def _stat(path: Path) -> InputFile:
    try:
        info = path.stat()
    except OSError:  # read_file says why, with the file's name
        return InputFile(str(path))
    return InputFile(str(path), info.st_size, info.st_mtime_ns)


def _ingested_files(workspace: Workspace) -> dict[str, dict[str, int]]:
    """path -> its row (size, mtime_ns and the records' buckets) for files read to the end."""
    table = workspace.read(FILES, INGESTED_FILES)
    return {row.pop("path"): row for row in table.to_pylist()}


def _limits_key(limits: Limits) -> str:
    return f"{limits.record_bytes}/{limits.input_bytes}/{limits.record_chars}"


def _same(before: dict[str, object], entry: InputFile, limits: Limits) -> bool:
    """Was this file read to its end before, as it is now and with these limits?"""
    now = (entry.size, entry.mtime_ns, _limits_key(limits))
    return (before["size"], before["mtime_ns"], before["limits"]) == now


_COUNTS = ("records", "kept", "quarantined", "skipped")


class _FilesRead:
    """Writes `ingested_files` rows as batches settle; a file read in windows is written once,
    with its windows' counts added up, when the last of them is settled."""

    def __init__(self, workspace: Workspace, windows: dict[str, int]) -> None:
        self.workspace = workspace
        self.left = dict(windows)
        self.partial: dict[str, dict[str, object]] = {}

    def settle(self, rows: list[dict[str, object]]) -> None:
        done = []
        for row in rows:
            path = str(row["path"])
            if path in self.left:
                if (earlier := self.partial.get(path)) is not None:
                    row = {**row, **{name: earlier[name] + row[name] for name in _COUNTS}}  # type: ignore[operator]
                self.partial[path] = row
                self.left[path] -= 1
                if self.left[path]:
                    continue
                del self.partial[path], self.left[path]
            done.append(row)
        if done:
            keys = [f"{r['path']}|{r['size']}|{r['mtime_ns']}" for r in done]
            self.workspace.write_shard(
                FILES, shard_name(FILES, keys), pa.Table.from_pylist(done, INGESTED_FILES)
            )


def _drop_rows(workspace: Workspace, losers: dict[str, set[tuple[str, str]]]) -> None:
    """Remove (article_id, origin) rows another batch kept first; the shard is renamed."""
    for shard, drop in losers.items():
        table = workspace.read_shard("articles", shard)
        rows = [
            row
            for row in table.to_pylist()
            if (row["article_id"], _origin(row["source_file"], row["record"])) not in drop
        ]
        if rows:
            workspace.write_shard(
                "articles", _shard_of(rows), pa.Table.from_pylist(rows, tables.ARTICLES)
            )
        workspace.delete_shard("articles", shard)


class _Logs:
    """The duplicates, quarantine and skipped tables: a row whose file and record are already
    there is not written again."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.seen: dict[str, set[tuple[object, ...]]] = {}
        for table, schema in (
            ("duplicates", tables.DUPLICATES),
            ("quarantine", tables.QUARANTINE),
            ("skipped", tables.SKIPPED),
        ):
            rows = workspace.read(table, schema, list(self._key_columns(table)))
            columns = [rows[name].to_pylist() for name in self._key_columns(table)]
            self.seen[table] = set(zip(*columns, strict=True))

    @staticmethod
    def _key_columns(table: str) -> tuple[str, ...]:
        """A file's record; skipped records of several kinds share record -1, so the reason
        is part of their key."""
        return (
            ("source_file", "record", "reason") if table == "skipped" else ("source_file", "record")
        )

    def write(self, table: str, schema: pa.Schema, rows: list[dict[str, object]]) -> None:
        seen = self.seen[table]
        new = []
        for row in rows:
            key = tuple(row[name] for name in self._key_columns(table))
            if key not in seen:
                seen.add(key)
                new.append(row)
        if new:
            keys = [f"{row['source_file']}#{row['record']}" for row in new]
            self.workspace.write_shard(
                table, shard_name(table, keys), pa.Table.from_pylist(new, schema)
            )

    def quarantine(self, items: list[Quarantined]) -> None:
        rows = [
            {"source_file": q.source_file, "record": q.record, "reason": q.reason} for q in items
        ]
        self.write("quarantine", tables.QUARANTINE, rows)  # type: ignore[arg-type]

    def skip(self, items: list[Skipped]) -> None:
        rows = [
            {"source_file": s.source_file, "record": s.record, "reason": s.reason, "count": s.count}
            for s in items
        ]
        self.write("skipped", tables.SKIPPED, rows)  # type: ignore[arg-type]


def _changed_files(
    files: Iterable[Path], seen: dict[str, dict[str, int]], limits: Limits, report: IngestReport
) -> list[InputFile]:
    """The files to read: those not read to their end before with this size, mtime and
    limits. An unchanged file's records are counted in the buckets they went to then."""
    todo = []
    for entry in map(_stat, files):
        before = seen.get(entry.path)
        if before is not None and entry.size >= 0 and _same(before, entry, limits):
            report.read += before["records"]
            report.unchanged += before["kept"]
            report.earlier_quarantined += before["quarantined"]
            report.earlier_skipped += before["skipped"]
            report.duplicates += (
                before["records"] - before["kept"] - before["quarantined"] - before["skipped"]
            )
        else:
            todo.append(entry)
    return todo


def _settle(
    workspace: Workspace,
    result: UnitResult,
    claimed: dict[str, str],
    report: IngestReport,
    logs: _Logs,
    files_read: _FilesRead,
) -> None:
    """Count one unit's records and write its logs; an article an earlier unit of this run
    kept meanwhile becomes a duplicate of it (its row is dropped from this unit's shard)."""
    losers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    duplicates = list(result.duplicates)
    files = {str(row["path"]): row for row in result.files}
    for identifier, origin, shard, input_file in result.kept:
        if identifier in claimed:  # an earlier batch, running at the same time, kept it
            losers[shard].add((identifier, origin))
            if input_file in files:
                files[input_file]["kept"] -= 1  # type: ignore[operator]
            source_file, _, record = origin.rpartition("#")
            duplicates.append(
                {
                    "article_id": identifier,
                    "source_file": source_file,
                    "record": int(record),
                    "duplicate_of": claimed[identifier],
                }
            )
        else:
            claimed[identifier] = origin
            report.kept += 1
    for row in duplicates:
        row["duplicate_of"] = claimed.get(str(row["article_id"]), row["duplicate_of"])
    _drop_rows(workspace, losers)
    report.read += result.read
    report.duplicates += len(duplicates)
    report.unchanged += result.unchanged
    report.quarantined.extend(result.quarantined)
    report.skipped.extend(result.skipped)
    logs.write("duplicates", tables.DUPLICATES, duplicates)
    logs.quarantine(result.quarantined)
    logs.skip(result.skipped)
    files_read.settle(result.files)  # last: the batch is settled


def ingest(
    workspace: Workspace,
    inputs: Iterable[str | Path],
    *,
    shard_size: int = SHARD_SIZE,
    max_bytes: int = RECORD_BYTES,
    max_input_bytes: int = INPUT_BYTES,
    max_chars: int = RECORD_CHARS,
    runner: ShardRunner = run_serial,
    reread: bool = False,
) -> IngestReport:
    """Read every input, keep new articles, record duplicates, quarantined and skipped inputs.

    A file already read to its end, with the same size and mtime, is not opened again (its
    records count as already ingested) unless `reread`.

    `max_bytes` bounds one article (a single-record file, or one record of a multi-record
    file); `max_input_bytes` bounds what is read from one file or archive after decompression;
    `max_chars` bounds one article's decoded text or HTML, as clean does (`max_body_chars`).
    """
    inputs = [str(item) for item in inputs]
    started = datetime.now(UTC)
    limits = Limits(record_bytes=max_bytes, input_bytes=max_input_bytes, record_chars=max_chars)
    files, missing, skipped = discover(inputs)
    report = IngestReport(quarantined=list(missing), skipped=list(skipped))
    report.read = len(missing) + report.skipped_records
    logs = _Logs(workspace)
    logs.quarantine(missing)
    logs.skip(skipped)
    todo = _changed_files(files, {} if reread else _ingested_files(workspace), limits, report)
    todo, windowed = _in_windows(todo, limits, shard_size)
    files_read = _FilesRead(workspace, windowed)
    claimed: dict[str, str] = {}  # kept by a batch of this run
    # each task reads the ids kept before this run from these shards itself
    work = partial(
        ingest_unit,
        workspace,
        known=workspace.shards("articles"),
        limits=limits,
        shard_size=shard_size,
    )

    for result in runner("read-files", work, _units(todo, shard_size)):
        _settle(workspace, result, claimed, report, logs, files_read)
    _write_run(workspace, started, inputs, report)
    return report


def _write_run(
    workspace: Workspace, started: datetime, inputs: list[str], report: IngestReport
) -> None:
    """One row per run: `records` as counted while reading, and the buckets, which
    `newsdesk status` checks add up to it."""
    run = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    row = {
        "run": run,
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": "\n".join(inputs),
        "records": report.read,
        "kept": report.kept,
        "duplicates": report.duplicates,
        "unchanged": report.unchanged,
        "quarantined": report.quarantined_records,
        "skipped": report.skipped_records,
    }
    workspace.write_shard(
        "ingest_runs", f"ingest_runs-{run}", pa.Table.from_pylist([row], tables.INGEST_RUNS)
    )
