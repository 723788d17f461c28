"""Writing a version: Parquet files in the Hugging Face layout, read-only, renamed into place
from a staging folder, and `latest` moved in one rename."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.services import is_alive
from newsdesk.publishing.checks import PublishCheckFailed
from newsdesk.publishing.features import TABLES_VERSION
from newsdesk.publishing.versions import sha256_file

ROW_GROUP_BYTES = 64 * 2**20  # uncompressed bytes per row group (at most ROW_GROUP_ROWS rows)


ROW_GROUP_ROWS = 100_000


SHARD_BYTES = 256 * 2**20  # uncompressed bytes per Parquet file before a split is sharded


def remove_stale_staging(root: Path) -> None:
    """Staging folders left by a publish that died (its process is gone)."""
    for path in root.glob(".staging-*"):
        try:
            pid = int(path.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if not is_alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def point_latest(root: Path, version: str) -> None:
    """Point `latest` at a version: a relative link to its folder, made under a temporary
    name and renamed over the old one, so readers see the old or the new version, never
    none; the dataset folder can move with its link intact."""
    pointer = root / f".latest-{os.getpid()}.tmp"
    pointer.unlink(missing_ok=True)
    os.symlink(version, pointer, target_is_directory=True)
    os.replace(pointer, root / "latest")


def read_only(folder: Path) -> None:
    """Published files are not to be edited: drop their write bits."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o444)


def write_changes(path: Path, changes: pa.Table) -> dict[str, Any]:
    pq.write_table(changes, path, compression="zstd")
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": changes.num_rows}


def _file_metadata(table: pa.Table, schema: LabelSchema, version: str) -> dict[bytes, bytes]:
    metadata = dict(table.schema.metadata or {})
    metadata[b"newsdesk"] = json.dumps(
        {
            "version": version,
            "tables_version": TABLES_VERSION,
            "label_schema_fingerprint": schema.fingerprint,
            "label_schema_version": schema.version,
            "sorted_by": ["article_id", "index", "campaign"],
        }
    ).encode()
    return metadata


def write_version(
    folder: Path,
    data: dict[str, dict[str, pa.Table]],
    schema: LabelSchema,
    version: str,
    shard_bytes: int = SHARD_BYTES,
) -> dict[str, dict[str, Any]]:
    """Parquet files in the Hugging Face layout, streamed row group by row group and sharded
    by size; returns each file's sha256, bytes and rows."""
    files: dict[str, dict[str, Any]] = {}
    for config, splits in data.items():
        for split, table in splits.items():
            row_bytes = max(1, table.nbytes // max(1, table.num_rows))
            shard_rows = max(1, shard_bytes // row_bytes)
            group_rows = max(1, min(ROW_GROUP_ROWS, ROW_GROUP_BYTES // row_bytes, shard_rows))
            shard_rows = shard_rows // group_rows * group_rows
            shards = max(1, math.ceil(table.num_rows / shard_rows))
            arrow_schema = table.schema.with_metadata(_file_metadata(table, schema, version))
            for shard in range(shards):
                relative = f"data/{config}/{split}-{shard:05d}-of-{shards:05d}.parquet"
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                part = table.slice(shard * shard_rows, shard_rows)
                with pq.ParquetWriter(
                    path,
                    arrow_schema,
                    compression="zstd",
                    write_page_index=True,
                    sorting_columns=_sorting(arrow_schema),
                ) as writer:
                    for start in range(0, part.num_rows, group_rows):
                        writer.write_table(part.slice(start, group_rows), row_group_size=group_rows)
                rows = pq.ParquetFile(path).metadata.num_rows
                if rows != part.num_rows:
                    raise PublishCheckFailed(f"{relative}: wrote {rows} rows of {part.num_rows}")
                files[relative] = {
                    "sha256": sha256_file(path),
                    "bytes": path.stat().st_size,
                    "rows": rows,
                }
    return files


def _sorting(schema: pa.Schema) -> list[pq.SortingColumn] | None:
    names = [n for n in ("article_id", "index") if n in schema.names]
    if not names:
        return None
    return [pq.SortingColumn(schema.get_field_index(n)) for n in names]
