"""Which version comes next: a fingerprint of the content, the bump a change needs under
semantic versioning, and the number that follows."""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa

from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.publishing.features import TABLES_VERSION
from newsdesk.publishing.versions import version_key

BUMPS = ("patch", "minor", "major")


def content_fingerprint(data: dict[str, dict[str, pa.Table]], window: int = 65_536) -> str:
    """sha256 of every config's rows in order, independent of how Arrow chunked them."""
    hasher = hashlib.sha256()
    for config in sorted(data):
        for split in sorted(data[config]):
            table = data[config][split]
            hasher.update(f"{config}/{split}/{table.num_rows}".encode())
            schema = table.schema.remove_metadata()
            for start in range(0, table.num_rows, window):
                piece = table.slice(start, window).combine_chunks()
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, schema) as writer:
                    for batch in piece.to_batches():
                        writer.write_batch(batch)
                hasher.update(memoryview(sink.getvalue()))
    return hasher.hexdigest()


def required_bump(
    parent: dict[str, Any] | None, schema: LabelSchema, counts: dict[str, int]
) -> str:
    """major: label schema or table layout changed; minor: rows added, removed, moved or
    their text changed; patch: only labels or article metadata corrected."""
    if parent is None:
        return "major"
    if parent.get("label_schema_fingerprint") != schema.fingerprint:
        return "major"
    if parent.get("tables_version") != TABLES_VERSION:
        return "major"
    if any(counts[k] for k in ("added", "removed", "text_changed", "moved_split")):
        return "minor"
    return "patch"


def next_version(parent_version: str | None, bump: str) -> str:
    if parent_version is None:
        return "1.0.0"
    major, minor, patch = version_key(parent_version)
    return {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[bump]
