"""Ingest: files to the `articles` table, every input record accounted for.

Each record is kept, a duplicate (of one kept earlier or in this run), already ingested
(same file and record), quarantined (a one-line reason naming the file and record) or
skipped (not an article by design: hidden files, links leaving the input folder, special
files, non-HTML WARC records). The buckets add up to the records read, and each run's
counts are written to `ingest_runs`.

Shard work reads its files as streams and writes articles as it goes, in shards of at most
`shard_size` rows or `SHARD_BYTES` of content, so memory stays bounded by configuration and a
crash loses at most the shard in flight. Re-ingesting writes no log row twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.foundations.ids import article_id, shard_name
from newsdesk.foundations.language import guess_language
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.readers.files import (
    INPUT_BYTES,
    RECORD_BYTES,
    RECORD_CHARS,
    Limits,
    Quarantined,
    RawRecord,
    Skipped,
    discover,
    read_file,
)
from schemas import tables

FILES_PER_UNIT = 200
UNIT_BYTES = 256 * 2**20  # files of a shard task, by size on disk: a big file is a task alone
SHARD_BYTES = 64 * 2**20  # content buffered before an articles shard is written


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

    @property
    def skipped_records(self) -> int:
        return sum(s.count for s in self.skipped)

    @property
    def records(self) -> int:
        return (
            self.kept
            + self.duplicates
            + self.unchanged
            + len(self.quarantined)
            + self.skipped_records
        )

    def summary(self) -> str:
        text = (
            f"{self.records} records: {self.kept} kept, {self.duplicates} duplicates, "
            f"{self.unchanged} already ingested, {len(self.quarantined)} quarantined, "
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
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (id, origin, shard)
    duplicates: list[dict[str, object]] = field(default_factory=list)
    unchanged: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


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
        "language": record.language or guess_language(record.content),
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


def _known_articles(workspace: Workspace) -> dict[str, str]:
    """article_id -> "file#record" of the copy already kept."""
    known = workspace.read("articles", tables.ARTICLES, ["article_id", "source_file", "record"])
    origins = pc.binary_join_element_wise(
        known["source_file"], pc.cast(known["record"], pa.string()), "#"
    )
    return dict(zip(known["article_id"].to_pylist(), origins.to_pylist(), strict=True))


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
        self.size = 0

    def add(self, row: dict[str, object]) -> None:
        self.rows.append(row)
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
            (str(r["article_id"]), _origin(str(r["source_file"]), int(r["record"])), shard)  # type: ignore[call-overload]
            for r in self.rows
        )
        self.rows, self.size = [], 0


def ingest_unit(
    workspace: Workspace,
    files: Sequence[str],
    known: dict[str, str],
    limits: Limits,
    shard_size: int,
) -> UnitResult:
    """Shard work: read a batch of files and write their new articles; `known` is not changed.

    Duplicates are found against `known` and within the batch; the caller settles those
    between batches that ran at the same time.
    """
    result = UnitResult()
    sink = _ArticleSink(workspace, shard_size, result)
    mine: dict[str, str] = {}
    for name in files:
        for item in read_file(Path(name), limits):
            result.read += item.count if isinstance(item, Skipped) else 1
            if isinstance(item, Quarantined):
                result.quarantined.append(item)
                continue
            if isinstance(item, Skipped):
                result.skipped.append(item)
                continue
            identifier = article_id(item.content)
            origin = _origin(item.source_file, item.record)
            first = known.get(identifier) or mine.get(identifier)
            if first is None:
                mine[identifier] = origin
                sink.add(_article_row(item, identifier))
            elif first == origin:
                result.unchanged += 1
            else:
                result.duplicates.append(
                    {
                        "article_id": identifier,
                        "source_file": item.source_file,
                        "record": item.record,
                        "duplicate_of": first,
                    }
                )
    sink.flush()
    return result


def _units(files: list[Path]) -> list[list[str]]:
    """Batches of files in input order, of at most FILES_PER_UNIT files or UNIT_BYTES."""
    units: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in files:
        try:
            length = path.stat().st_size
        except OSError:
            length = 0
        if current and (len(current) >= FILES_PER_UNIT or size + length > UNIT_BYTES):
            units.append(current)
            current, size = [], 0
        current.append(str(path))
        size += length
    if current:
        units.append(current)
    return units


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


def ingest(
    workspace: Workspace,
    inputs: Iterable[str | Path],
    *,
    shard_size: int = 1000,
    max_bytes: int = RECORD_BYTES,
    max_input_bytes: int = INPUT_BYTES,
    max_chars: int = RECORD_CHARS,
    runner: ShardRunner = run_serial,
) -> IngestReport:
    """Read every input, keep new articles, record duplicates, quarantined and skipped inputs.

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
    known = _known_articles(workspace)
    claimed = dict(known)

    def work(unit: list[str]) -> UnitResult:
        return ingest_unit(workspace, unit, known, limits, shard_size)

    for result in runner("read-files", work, _units(files)):
        losers: dict[str, set[tuple[str, str]]] = defaultdict(set)
        duplicates = list(result.duplicates)
        for identifier, origin, shard in result.kept:
            if identifier in claimed:  # an earlier batch, running at the same time, kept it
                losers[shard].add((identifier, origin))
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
        "quarantined": len(report.quarantined),
        "skipped": report.skipped_records,
    }
    workspace.write_shard(
        "ingest_runs", f"ingest_runs-{run}", pa.Table.from_pylist([row], tables.INGEST_RUNS)
    )
