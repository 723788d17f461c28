"""Published versions on disk: where they live, which is latest, manifests, checks and diffs.

Listing versions and reading manifests need neither `datasets` nor pyarrow; verifying and
diffing import pyarrow only when called.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.foundations.config import Settings
from newsdesk.foundations.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
SHARD = re.compile(r"^data/(?P<config>[^/]+)/(?P<split>.+)-(\d{5})-of-(\d{5})\.parquet$")
CHANGE_KINDS = ("added", "removed", "text_changed", "relabeled", "moved_split")
# columns whose change is a relabel: everything annotators decide
LABEL_COLUMNS = (
    "stance",
    "stance_agreement",
    "events",
    "arguments",
    "annotator_count",
    "annotator_labels",
)


def dataset_root(settings: Settings) -> Path:
    return settings.path(settings.publish.outputs) / settings.publish.dataset


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def latest_version(root: Path) -> str | None:
    """The version `latest` points at: a relative link to the version folder (what
    `load_dataset(".../latest")` opens), or a text file naming it (before 0.2)."""
    pointer = root / "latest"
    if pointer.is_symlink():
        return Path(os.readlink(pointer)).name
    if pointer.is_file():
        return pointer.read_text(encoding="utf-8").strip() or None
    return None


class VersionNotFound(UserError):
    """The version asked for is not published."""


def latest_is_link(root: Path) -> bool:
    return (root / "latest").is_symlink()


def version_key(version: str) -> tuple[int, int, int]:
    match = VERSION.match(version)
    if not match:
        raise ValueError(f"not a semantic version: {version!r}")
    major, minor, patch = (int(x) for x in match.groups())
    return major, minor, patch


def list_versions(root: Path) -> list[str]:
    """Published versions, oldest first; staging folders (dot-names) are not versions."""
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if p.is_dir() and VERSION.match(p.name)]
    return sorted(found, key=version_key)


def resolve_version(root: Path, version: str | None) -> Path:
    """The folder of a version ("latest" or none: the latest one); VersionNotFound if absent."""
    name = latest_version(root) if version in (None, "latest") else version
    if not name:
        raise VersionNotFound(f"no version published under {root}")
    folder = root / name
    if not (folder / "manifest.json").is_file():
        raise VersionNotFound(f"version {name} not found under {root}")
    return folder


def sha256_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(2**20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def verify_version(folder: Path) -> list[str]:
    """One line per file that does not match the manifest; an empty list means all good."""
    import pyarrow.parquet as pq

    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError) as error:
        return [f"manifest.json: unreadable ({error.__class__.__name__}: {error})"]
    problems: list[str] = []
    listed = set(manifest.get("files", {}))
    for relative, entry in sorted(manifest.get("files", {}).items()):
        path = folder / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
            continue
        size = path.stat().st_size
        if size != entry["bytes"]:
            problems.append(f"{relative}: {size} bytes, the manifest says {entry['bytes']}")
            continue
        digest = sha256_file(path)
        if digest != entry["sha256"]:
            problems.append(
                f"{relative}: sha256 {digest[:12]}… does not match the manifest's "
                f"{entry['sha256'][:12]}…"
            )
            continue
        if relative.endswith(".parquet") and "rows" in entry:
            rows = pq.ParquetFile(path).metadata.num_rows
            if rows != entry["rows"]:
                problems.append(f"{relative}: {rows} rows, the manifest says {entry['rows']}")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative != "manifest.json" and relative not in listed:
            problems.append(f"{relative}: not in the manifest")
    return problems


def config_files(folder: Path, config: str) -> dict[str, list[Path]]:
    """Shard files of one config by split, in shard order, as the manifest lists them."""
    by_split: dict[str, list[Path]] = {}
    for relative in sorted(read_manifest(folder)["files"]):
        match = SHARD.match(relative)
        if match and match["config"] == config:
            by_split.setdefault(match["split"], []).append(folder / relative)
    return by_split


def read_config(folder: Path, config: str, columns: list[str] | None = None) -> dict[str, pa.Table]:
    """One config of a published version, split by split."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    return {
        split: pa.concat_tables([pq.read_table(path, columns=columns) for path in paths])
        for split, paths in config_files(folder, config).items()
    }


def _names(table: pa.Table) -> dict[str, list[str]]:
    """ClassLabel names of the label columns, from the Hugging Face features in the schema."""
    meta = json.loads((table.schema.metadata or {}).get(b"huggingface", b"{}"))
    features = meta.get("info", {}).get("features", {})

    def names(*path: str) -> list[str]:
        node: Any = features
        for step in path:
            node = node.get(step, {}) if isinstance(node, dict) else {}
        return list(node.get("names", [])) if isinstance(node, dict) else []

    return {
        "stance": names("stance"),
        "events": names("events", "feature", "label"),
        "arguments": names("arguments", "feature", "label"),
    }


def _name(names: list[str], index: int | None) -> str | None:
    return names[index] if index is not None and 0 <= index < len(names) else None


def label_keys(table: pa.Table) -> list[str]:
    """A canonical text of each row's labels, by label name (so a reordered schema still
    compares by meaning); rows nobody annotated get "" without going through Python."""
    import pyarrow.compute as pc

    names = _names(table)
    roles = names["arguments"]
    keys = [""] * table.num_rows
    annotated = pc.greater(table["annotator_count"], 0)
    positions = pc.indices_nonzero(pc.fill_null(annotated, False)).to_pylist()
    if not positions:
        return keys
    rows = table.select(list(LABEL_COLUMNS)).take(positions).to_pylist()
    for position, row in zip(positions, rows, strict=True):
        canonical = {
            "stance": _name(names["stance"], row["stance"]),
            "agreement": round(float(row["stance_agreement"] or 0.0), 4),
            "count": row["annotator_count"],
            "events": [
                (_name(names["events"], e["label"]), e["start"], e["end"], e["text"])
                for e in row["events"] or []
            ],
            "arguments": [
                (_name(roles, a["label"]), a["start"], a["end"], a["text"], a.get("event"))
                for a in row["arguments"] or []
            ],
            "annotators": [
                (x["annotator"], _name(names["stance"], x["stance"]))
                for x in row["annotator_labels"] or []
            ],
        }
        keys[position] = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return keys


def row_index(sentences: dict[str, pa.Table]) -> pa.Table:
    """What a diff compares, one row per published sentence row: key, split, text, labels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for split, table in sentences.items():
        names = _names(table)["stance"]
        stance = pc.take(pa.array([*names, None], pa.string()), _stance_positions(table, names))
        parts.append(
            pa.table(
                {
                    "key": pc.binary_join_element_wise(
                        table["campaign"], table["sentence_id"], "/"
                    ),
                    "sentence_id": table["sentence_id"],
                    "campaign": table["campaign"],
                    "article_id": table["article_id"],
                    "split": pa.array([split] * table.num_rows, pa.string()),
                    "text": table["text"],
                    "stance": stance,
                    "labels": pa.array(label_keys(table), pa.string()),
                }
            )
        )
    if not parts:
        return _empty_index()
    return pa.concat_tables(parts)


def _stance_positions(table: pa.Table, names: list[str]) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pc.fill_null(table["stance"], -1)
    unknown = pc.or_(pc.less(ids, 0), pc.greater_equal(ids, len(names)))
    return pc.if_else(unknown, pa.scalar(len(names), pa.int64()), pc.cast(ids, pa.int64()))


def _empty_index() -> pa.Table:
    import pyarrow as pa

    fields = ("key", "sentence_id", "campaign", "article_id", "split", "text", "stance", "labels")
    return pa.schema([(name, pa.string()) for name in fields]).empty_table()


CHANGES_FIELDS = ("key", "sentence_id", "campaign", "article_id", "change", "before", "after")


def diff_rows(old: pa.Table | None, new: pa.Table) -> pa.Table:
    """Row-by-row changes from `old` to `new` (row indexes): one row per change and key."""
    import pyarrow as pa
    import pyarrow.compute as pc

    old = _empty_index() if old is None else old
    schema = pa.schema([(name, pa.string()) for name in CHANGES_FIELDS])
    ids = ["key", "sentence_id", "campaign", "article_id"]

    def part(rows: pa.Table, change: str, before: Any, after: Any) -> pa.Table:
        n = rows.num_rows
        return pa.table(
            {
                **{name: rows[name] for name in ids},
                "change": pa.array([change] * n, pa.string()),
                "before": before if before is not None else pa.nulls(n, pa.string()),
                "after": after if after is not None else pa.nulls(n, pa.string()),
            },
            schema=schema,
        )

    in_old = pc.index_in(new["key"], value_set=old["key"])
    in_new = pc.index_in(old["key"], value_set=new["key"])
    added = new.filter(pc.is_null(in_old))
    removed = old.filter(pc.is_null(in_new))
    parts = [
        part(added, "added", None, added["split"]),
        part(removed, "removed", removed["split"], None),
    ]
    del in_new, added, removed
    # one column of the old version at a time, aligned to the new rows (null: not matched)
    for change, column, shown in (
        ("text_changed", "text", "text"),
        ("moved_split", "split", "split"),
        ("relabeled", "labels", "stance"),
    ):
        then = old[column].take(in_old)
        mask = pc.fill_null(pc.not_equal(new[column], then), False)
        del then
        if not pc.any(mask).as_py():
            continue
        rows = new.filter(mask)
        before = old[shown].take(in_old.filter(mask))
        parts.append(part(rows, change, before, rows[shown]))
    changes = pa.concat_tables(parts)
    order = pc.sort_indices(changes, sort_keys=[("article_id", "ascending"), ("key", "ascending")])
    return changes.take(order)


def change_counts(changes: pa.Table) -> dict[str, int]:
    import pyarrow.compute as pc

    counts = dict.fromkeys(CHANGE_KINDS, 0)
    for item in pc.value_counts(changes["change"]).to_pylist():
        counts[item["values"]] = item["counts"]
    return counts


INDEX_COLUMNS = ["sentence_id", "campaign", "article_id", "text", *LABEL_COLUMNS]


def version_index(folder: Path) -> pa.Table:
    """The row index of a published version, reading only the columns it needs."""
    return row_index(read_config(folder, "sentences", INDEX_COLUMNS))


def diff_versions(folder_a: Path, folder_b: Path) -> pa.Table:
    """Row-by-row changes from version A to version B, read from their data files."""
    return diff_rows(version_index(folder_a), version_index(folder_b))
