"""Workspace tables: each table is a folder of Parquet shards, written atomically.

A shard's name is derived from its input, so a stage can skip shards it already wrote
(resume after a crash, process only what is new) and re-runs are no-ops.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from newsdesk.foundations.errors import UserError

FINGERPRINT_KEY = b"newsdesk.fingerprint"


class WorkspaceUnreachable(UserError):
    """The workspace URL names storage that cannot be opened from here."""


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem and path of a local path or URL: pyarrow's own (local, s3://, gs://,
    hdfs://), else any protocol fsspec has a package for (memory://, az://, ...)."""
    try:
        return pafs.FileSystem.from_uri(uri)
    except pa.ArrowInvalid:
        pass
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(uri)
    except (ImportError, ValueError) as error:
        raise WorkspaceUnreachable(
            f"workspace {uri}: no filesystem for it ({error}); install the fsspec package of "
            "that protocol, or use a local path or s3:// URL"
        ) from None
    return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


@dataclass(frozen=True)
class Workspace:
    """A folder (local path or pyarrow/fsspec URL) holding one sub-folder per table."""

    uri: str

    def _fs(self) -> tuple[pafs.FileSystem, str]:
        fs, root = filesystem(self.uri)
        return fs, root.rstrip("/")

    def _table_dir(self, table: str) -> tuple[pafs.FileSystem, str]:
        fs, root = self._fs()
        return fs, f"{root}/{table}"

    def shards(self, table: str) -> list[str]:
        """Shard names of a table, sorted; an absent table has none."""
        fs, folder = self._table_dir(table)
        infos = fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True))
        return sorted(
            info.base_name.removesuffix(".parquet")
            for info in infos
            if info.type == pafs.FileType.File and info.base_name.endswith(".parquet")
        )

    def has_shard(self, table: str, shard: str) -> bool:
        fs, folder = self._table_dir(table)
        return fs.get_file_info(f"{folder}/{shard}.parquet").type == pafs.FileType.File

    def write_shard(
        self, table: str, shard: str, data: pa.Table, fingerprint: str | None = None
    ) -> None:
        """Write to a temporary name, then rename: readers never see half a shard.

        `fingerprint` names what produced the shard (its stage's rules and settings); it is
        kept in the file's metadata, so a stage can find the shards made by older rules."""
        if fingerprint is not None:
            metadata = {**(data.schema.metadata or {}), FINGERPRINT_KEY: fingerprint.encode()}
            data = data.replace_schema_metadata(metadata)
        fs, folder = self._table_dir(table)
        fs.create_dir(folder, recursive=True)
        final = f"{folder}/{shard}.parquet"
        temporary = f"{folder}/.{shard}.{uuid.uuid4().hex}.tmp"
        pq.write_table(data, temporary, filesystem=fs, compression="zstd")
        fs.move(temporary, final)

    def fingerprint(self, table: str, shard: str) -> str | None:
        """What produced a shard (None for shards written without one), read from its footer."""
        fs, folder = self._table_dir(table)
        metadata = pq.read_schema(f"{folder}/{shard}.parquet", filesystem=fs).metadata or {}
        value = metadata.get(FINGERPRINT_KEY)
        return value.decode() if value else None

    def is_current(self, table: str, shard: str, fingerprint: str) -> bool:
        """Does the shard exist, made by exactly these rules and settings?"""
        return self.has_shard(table, shard) and self.fingerprint(table, shard) == fingerprint

    def read_shard(
        self,
        table: str,
        shard: str,
        columns: list[str] | None = None,
        filter: pc.Expression | None = None,
    ) -> pa.Table:
        """One shard; only `columns` are read (and decompressed), only rows matching `filter`."""
        fs, folder = self._table_dir(table)
        return pq.read_table(
            f"{folder}/{shard}.parquet", filesystem=fs, columns=columns, filters=filter
        )

    def iter_shards(
        self, table: str, columns: list[str] | None = None
    ) -> Iterator[tuple[str, pa.Table]]:
        """Stream a table shard by shard, so no stage holds the whole corpus."""
        for shard in self.shards(table):
            yield shard, self.read_shard(table, shard, columns)

    def read(
        self,
        table: str,
        schema: pa.Schema,
        columns: list[str] | None = None,
        filter: pc.Expression | None = None,
        shards: list[str] | None = None,
    ) -> pa.Table:
        """Read a (small) table, or `columns` of a big one (only those are decompressed), of
        every shard or of `shards`; an absent table is an empty one of the given schema."""
        names = columns or schema.names
        parts = [
            self.read_shard(table, shard, names, filter).select(names)
            for shard in (self.shards(table) if shards is None else shards)
        ]
        if not parts:
            return schema.empty_table().select(names)
        return pa.concat_tables(parts)

    def count_rows(self, table: str) -> int:
        fs, folder = self._table_dir(table)
        return sum(
            pq.ParquetFile(f"{folder}/{shard}.parquet", filesystem=fs).metadata.num_rows
            for shard in self.shards(table)
        )

    def delete_shard(self, table: str, shard: str) -> None:
        fs, folder = self._table_dir(table)
        fs.delete_file(f"{folder}/{shard}.parquet")
