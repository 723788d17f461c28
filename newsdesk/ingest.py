"""Ingest: files to the `articles` table, with duplicates and quarantined inputs recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.ids import article_id, shard_name
from newsdesk.language import guess_language
from newsdesk.readers import Quarantined, RawRecord, discover, read_file
from newsdesk.runner import ShardRunner, run_serial
from newsdesk.workspace import Workspace
from schemas import tables

FILES_PER_UNIT = 200


@dataclass
class IngestReport:
    """Every input record lands in exactly one bucket; `records` is their sum."""

    kept: int = 0
    duplicates: int = 0
    unchanged: int = 0  # already in the workspace from the same file and record
    quarantined: list[Quarantined] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.kept + self.duplicates + self.unchanged + len(self.quarantined)

    def summary(self) -> str:
        return (
            f"{self.records} records: {self.kept} kept, {self.duplicates} duplicates, "
            f"{self.unchanged} already ingested, {len(self.quarantined)} quarantined"
        )


def read_unit(files: list[str], max_bytes: int) -> list[RawRecord | Quarantined]:
    """Shard work: read a batch of files into records and quarantine entries."""
    return [item for name in files for item in read_file(Path(name), max_bytes)]


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
    }


def _domain(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return host.removeprefix("www.") or None


def _known_articles(workspace: Workspace) -> dict[str, str]:
    """article_id -> "file#record" of the copy already kept."""
    known = workspace.read("articles", tables.ARTICLES, ["article_id", "source_file", "record"])
    origins = pc.binary_join_element_wise(
        known["source_file"], pc.cast(known["record"], pa.string()), "#"
    )
    return dict(zip(known["article_id"].to_pylist(), origins.to_pylist(), strict=True))


class _ArticleSink:
    """Buffers new articles and writes them in shards of `shard_size` rows."""

    def __init__(self, workspace: Workspace, shard_size: int) -> None:
        self.workspace = workspace
        self.shard_size = shard_size
        self.rows: list[dict[str, object]] = []

    def add(self, row: dict[str, object]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        ids = [str(row["article_id"]) for row in self.rows]
        table = pa.Table.from_pylist(self.rows, schema=tables.ARTICLES)
        self.workspace.write_shard("articles", shard_name("articles", ids), table)
        self.rows = []


def ingest(
    workspace: Workspace,
    inputs: Iterable[str | Path],
    *,
    shard_size: int = 1000,
    max_bytes: int = 20 * 2**20,
    runner: ShardRunner = run_serial,
) -> IngestReport:
    """Read every input, keep new articles, record duplicates and quarantined inputs."""
    files, missing = discover(inputs)
    report = IngestReport(quarantined=list(missing))
    known = _known_articles(workspace)
    sink = _ArticleSink(workspace, shard_size)
    duplicates: list[dict[str, object]] = []
    units = [
        [str(path) for path in files[i : i + FILES_PER_UNIT]]
        for i in range(0, len(files), FILES_PER_UNIT)
    ]
    for items in runner("read-files", lambda unit: read_unit(unit, max_bytes), units):
        for item in items:
            if isinstance(item, Quarantined):
                report.quarantined.append(item)
                continue
            identifier = article_id(item.content)
            origin = f"{item.source_file}#{item.record}"
            if identifier not in known:
                known[identifier] = origin
                sink.add(_article_row(item, identifier))
                report.kept += 1
            elif known[identifier] == origin:
                report.unchanged += 1
            else:
                duplicates.append(
                    {
                        "article_id": identifier,
                        "source_file": item.source_file,
                        "record": item.record,
                        "duplicate_of": known[identifier],
                    }
                )
                report.duplicates += 1
    sink.flush()
    _write_log(workspace, "duplicates", tables.DUPLICATES, duplicates)
    quarantine_rows = [
        {"source_file": q.source_file, "record": q.record, "reason": q.reason}
        for q in report.quarantined
    ]
    _write_log(workspace, "quarantine", tables.QUARANTINE, quarantine_rows)
    return report


def _write_log(
    workspace: Workspace, table: str, schema: pa.Schema, rows: list[dict[str, object]]
) -> None:
    """Duplicates and quarantine entries: one shard named by its content, so re-runs overwrite."""
    if rows:
        keys = [f"{row['source_file']}#{row['record']}" for row in rows]
        workspace.write_shard(table, shard_name(table, keys), pa.Table.from_pylist(rows, schema))
