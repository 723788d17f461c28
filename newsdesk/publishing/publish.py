"""Publish: an immutable, versioned dataset folder that `datasets.load_dataset` reads offline.

A version is built and checked first (`build`), then written in a staging folder and renamed
into place, so a crash leaves no partial version; an existing version is never written again,
and nothing is written when nothing changed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsdesk.foundations.config import Settings
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.build import Built, build
from newsdesk.publishing.bump import BUMPS, content_fingerprint, next_version, required_bump
from newsdesk.publishing.card import changelog, dataset_card
from newsdesk.publishing.checks import PublishCheckFailed
from newsdesk.publishing.features import TABLES_VERSION, all_features
from newsdesk.publishing.review import annotation_review
from newsdesk.publishing.versions import (
    change_counts,
    dataset_root,
    diff_rows,
    latest_is_link,
    latest_version,
    list_versions,
    read_manifest,
    row_index,
    sha256_file,
    version_index,
)
from newsdesk.publishing.write import (
    SHARD_BYTES,
    point_latest,
    read_only,
    remove_stale_staging,
    write_changes,
    write_version,
)
from newsdesk.stages.dedup import cluster_summary


@dataclass(frozen=True)
class PublishResult:
    version: str | None
    path: Path | None
    message: str
    warnings: tuple[str, ...] = ()


def _manifest(
    workspace: Workspace,
    settings: Settings,
    schema: LabelSchema,
    built: Built,
    lineage: tuple[str, str | None, str],
    counts: dict[str, int],
) -> dict[str, Any]:
    """What a version's manifest says of it, but its files and fingerprint: lineage
    (version, parent, bump), schema, splits, rows, changes, warnings and reviews."""
    version, parent_version, bump = lineage
    return {
        "dataset": settings.publish.dataset,
        "version": version,
        "parent": parent_version,
        "bump": bump,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "label_schema_fingerprint": schema.fingerprint,
        "label_schema_version": schema.version,
        "tables_version": TABLES_VERSION,
        "splits": {"ratios": settings.publish.splits, "salt": settings.publish.split_salt},
        "rows": {
            config: {split: t.num_rows for split, t in splits.items()}
            for config, splits in built.data.items()
        },
        "changes": counts,
        "warnings": built.warnings,
        "annotation_review": annotation_review(workspace, built.data),
        "near_duplicates": cluster_summary(workspace),
    }


def _parent(root: Path) -> tuple[str | None, dict[str, Any] | None]:
    """The newest version and its manifest: the parent, even if a crash kept `latest` from
    pointing at it (then `latest` is mended)."""
    published = list_versions(root)
    parent_version = published[-1] if published else None
    if parent_version and (latest_version(root) != parent_version or not latest_is_link(root)):
        point_latest(root, parent_version)
    return parent_version, read_manifest(root / parent_version) if parent_version else None


def _chosen_bump(
    bump: str, parent: dict[str, Any] | None, schema: LabelSchema, counts: dict[str, int]
) -> str:
    """The bump asked for, or the one the changes need (`auto`); refused when too small."""
    needed = required_bump(parent, schema, counts)
    if bump == "auto":
        return needed if parent else "major"
    if parent and BUMPS.index(bump) < BUMPS.index(needed):
        raise PublishCheckFailed(
            f"--bump {bump} is too small: this release needs at least {needed} "
            f"({', '.join(f'{v} {k}' for k, v in counts.items() if v) or 'schema changed'})"
        )
    return bump


def publish(
    workspace: Workspace,
    settings: Settings,
    schema: LabelSchema,
    *,
    bump: str = "auto",
    provenance: dict[str, str] | None = None,
    shard_bytes: int = SHARD_BYTES,
) -> PublishResult:
    """Build, check and write a new version; nothing is written when nothing changed."""
    if bump not in ("auto", *BUMPS):
        raise PublishCheckFailed(f"bump must be auto, major, minor or patch, not {bump!r}")
    built = build(workspace, settings, schema)
    data = built.data
    fingerprint = content_fingerprint(data)
    root = dataset_root(settings)
    parent_version, parent = _parent(root)
    if parent and (
        parent.get("content_fingerprint"),
        parent.get("label_schema_fingerprint"),
        parent.get("tables_version"),
    ) == (fingerprint, schema.fingerprint, TABLES_VERSION):
        message = f"nothing changed since {parent_version}"
        return PublishResult(None, root / parent_version, message, tuple(built.warnings))
    new_index = row_index(data["sentences"])
    if parent_version:
        changes = diff_rows(version_index(root / parent_version), new_index)
    else:
        changes = diff_rows(None, new_index)
    counts = change_counts(changes)
    bump = _chosen_bump(bump, parent, schema, counts)
    version = next_version(parent_version, bump)
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(root)
    if (root / version).exists():
        raise PublishCheckFailed(f"version {version} exists already: versions are never rewritten")
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-{version}-", dir=root))
    try:
        files = write_version(staging, data, schema, version, shard_bytes)
        if parent_version:
            files["changes.parquet"] = write_changes(staging / "changes.parquet", changes)
        manifest = _manifest(
            workspace, settings, schema, built, (version, parent_version, bump), counts
        )
        manifest.update({"content_fingerprint": fingerprint, **(provenance or {}), "files": files})
        features = all_features(schema)
        texts = {
            "CHANGELOG.md": changelog(manifest, changes),
            "README.md": dataset_card(settings, schema, manifest, data, features),
        }
        for name, text in texts.items():
            path = staging / name
            path.write_text(text, encoding="utf-8")
            files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        read_only(staging)
        try:
            staging.rename(root / version)
        except OSError:
            raise PublishCheckFailed(
                f"version {version} was published by another run meanwhile: publish again"
            ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    point_latest(root, version)
    message = f"published {version} ({bump})"
    return PublishResult(version, root / version, message, tuple(built.warnings))
