"""What the card reports of the annotations behind a version: rejected, repaired, orphaned
and adjudicated, counted by reason."""

from __future__ import annotations

import re
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.foundations.workspace import Workspace
from schemas import tables


def _reason_kind(reason: str) -> str:
    """A reason without its particulars (quoted text, numbers), so like reasons count together."""
    general = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\d+", "…", reason)
    return re.sub(r"\s+", " ", general).strip()[:120]


def annotation_review(workspace: Workspace, data: dict[str, dict[str, pa.Table]]) -> dict:
    """What the card reports of the annotations behind this version: how many `pull` rejected
    or repaired and why, and how many sentence rows a reviewer's decision set."""
    invalid = workspace.read("invalid_annotations", tables.INVALID_ANNOTATIONS, ["reason"])
    rejected = Counter(_reason_kind(reason) for reason in invalid["reason"].to_pylist())
    fixed = workspace.read("repaired_annotations", tables.REPAIRED_ANNOTATIONS, ["reason"])
    repaired = Counter(fixed["reason"].to_pylist())
    lost = workspace.read("orphaned_annotations", tables.ORPHANED_ANNOTATIONS, ["reason"])
    orphaned = Counter(_reason_kind(reason) for reason in lost["reason"].to_pylist())
    adjudicated = sum(
        pc.sum(table["adjudicated"]).as_py() or 0 for table in data["sentences"].values()
    )
    return {
        "rejected": dict(sorted(rejected.items())),
        "repaired": dict(sorted(repaired.items())),
        "orphaned": dict(sorted(orphaned.items())),
        "adjudicated": adjudicated,
    }
