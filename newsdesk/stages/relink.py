"""Labels survive better rules: when a sentence changes, its tasks and annotations follow it.

When `segment` rebuilds a shard with new rules, each old sentence the new shard no longer has
gets an alias: the new sentence its text went to. Then `relink` moves what pointed at the old
id. Where the old text is inside the new sentence (the same sentence, or one that grew), spans
shift by where it now starts. Where the text changed, an annotation is carried only when every
one of its spans is found again in the new sentence; otherwise the task and its annotations are
orphaned with the reason (kept in `orphaned_tasks` and `orphaned_annotations`, shown by
`newsdesk status`, counted in the dataset card), and `push` marks the task in Label Studio so
annotators stop getting it. Nothing is dropped silently, and applying an alias twice is a no-op.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.foundations.ids import normalise_sentence
from newsdesk.foundations.workspace import Workspace
from schemas import tables

SAME_TEXT = "same text"
GREW = "its text is inside a longer sentence now"
CHANGED = "the sentence's text changed"
GONE = "the article has no sentence like it any more"


def aliases_for(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An alias for every old sentence the new rows lack: where its text went, and how."""
    new_ids = {row["sentence_id"] for row in new}
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in new:
        by_article[row["article_id"]].append(row)
    aliases = []
    for row in old:
        if row["sentence_id"] in new_ids:
            continue
        target, offset, reason = _where_it_went(row, by_article.get(row["article_id"], []))
        aliases.append(
            {
                "old_sentence_id": row["sentence_id"],
                "article_id": row["article_id"],
                "old_text": row["text"],
                "new_sentence_id": target,
                "offset": offset,
                "reason": reason,
            }
        )
    return aliases


def _where_it_went(old: dict[str, Any], candidates: list[dict[str, Any]]) -> tuple:
    text = old["text"]
    same = [c for c in candidates if normalise_sentence(c["text"]) == normalise_sentence(text)]
    nearest = sorted(same, key=lambda c: abs(c["index"] - old["index"]))
    if nearest:
        return nearest[0]["sentence_id"], nearest[0]["text"].find(text), SAME_TEXT
    grown = sorted(
        (c for c in candidates if text in c["text"]), key=lambda c: abs(c["index"] - old["index"])
    )
    if grown:
        return grown[0]["sentence_id"], grown[0]["text"].find(text), GREW
    if not candidates:
        return None, -1, GONE
    best = max(candidates, key=lambda c: _shared(text, c["text"]))
    return (best["sentence_id"], -1, CHANGED) if _shared(text, best["text"]) else (None, -1, GONE)


def _shared(a: str, b: str) -> int:
    """Characters in the longest run two texts share."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match()
    return match.size if match.size >= 8 else 0


@dataclass(frozen=True)
class Alias:
    """Where an old sentence id leads now (after following later aliases too)."""

    target: str | None
    offset: int  # where the old text starts in the target, -1 when it is not inside it
    old_text: str
    reason: str


def load_aliases(workspace: Workspace) -> dict[str, Alias]:
    """old id -> where it leads, chains followed (a sentence may change twice)."""
    rows = workspace.read("sentence_aliases", tables.SENTENCE_ALIASES).to_pylist()
    direct = {row["old_sentence_id"]: row for row in rows}
    resolved = {}
    for old, row in direct.items():
        target, offset, reason, seen = row["new_sentence_id"], row["offset"], row["reason"], {old}
        while target in direct and target not in seen:
            seen.add(target)
            step = direct[target]
            offset = offset + step["offset"] if offset >= 0 and step["offset"] >= 0 else -1
            reason = reason if step["reason"] == SAME_TEXT else step["reason"]
            target = step["new_sentence_id"]
        resolved[old] = Alias(target, offset, row["old_text"], reason)
    return resolved


def carry_spans(
    spans: list[dict[str, Any]], alias: Alias, new_text: str
) -> list[dict[str, Any]] | None:
    """The spans placed in the new sentence, or None when one of them cannot be placed."""
    carried = []
    for span in spans:
        if alias.offset >= 0:
            start, end = span["start"] + alias.offset, span["end"] + alias.offset
        else:
            start = _nearest(new_text, span["text"], span["start"])
            end = start + len(span["text"]) if start is not None else None
        if start is None or end is None or new_text[start:end] != span["text"]:
            return None
        carried.append({**span, "start": start, "end": end})
    return carried


def _nearest(text: str, part: str, around: int) -> int | None:
    if not part:
        return None
    starts, at = [], text.find(part)
    while at >= 0:
        starts.append(at)
        at = text.find(part, at + 1)
    return min(starts, key=lambda s: abs(s - around)) if starts else None


def carry_annotation(row: dict[str, Any], alias: Alias, new_text: str | None) -> str | None:
    """Move one annotation row to the alias's target in place; the reason when it cannot be."""
    if alias.target is None or new_text is None:
        return f"{alias.reason}: no sentence to carry it to"
    if alias.offset < 0 and not row["spans"]:
        return f"{alias.reason}; a label without spans cannot be placed safely"
    spans = carry_spans(list(row["spans"] or []), alias, new_text)
    if spans is None:
        return f"{alias.reason}; not every span's text is in the new sentence"
    row["sentence_id"], row["spans"] = alias.target, spans
    return None


@dataclass
class RelinkReport:
    carried: int = 0  # annotations moved to their sentence's new id
    orphaned: int = 0  # annotations kept aside with a reason
    tasks_moved: int = 0
    tasks_orphaned: int = 0

    def summary(self) -> str:
        return (
            f"rules changed sentences: {self.carried} annotations and {self.tasks_moved} tasks "
            f"carried over, {self.orphaned} annotations and {self.tasks_orphaned} tasks "
            "orphaned (see `newsdesk status`)"
        )


def _texts(workspace: Workspace, ids: set[str]) -> dict[str, str]:
    wanted = pa.array(sorted(ids), pa.string())
    found: dict[str, str] = {}
    for _, table in workspace.iter_shards("sentences"):
        table = table.select(["sentence_id", "text"])
        table = table.filter(pc.is_in(table["sentence_id"], wanted))
        found.update(zip(table["sentence_id"].to_pylist(), table["text"].to_pylist(), strict=True))
    return found


def relink(workspace: Workspace) -> RelinkReport:
    """Apply every alias to the annotations, tasks and review tasks that still use old ids."""
    report = RelinkReport()
    aliases = load_aliases(workspace)
    if not aliases:
        return report
    texts = _texts(workspace, {a.target for a in aliases.values() if a.target})
    orphaned_tasks: set[tuple[str, int]] = set()
    orphans: list[dict[str, Any]] = []
    for shard, table in list(workspace.iter_shards("annotations")):
        rows = table.to_pylist()
        if not any(row["sentence_id"] in aliases for row in rows):
            continue
        by_task: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_task[(row["campaign"], row["task_id"])].append(row)
        kept = []
        for key, notes in by_task.items():
            moved = [dict(n) for n in notes]
            reasons = [_carry(n, aliases, texts) for n in moved if n["sentence_id"] in aliases]
            failed = [r for r in reasons if r]
            if not failed:
                kept += moved
                report.carried += len(reasons)
                continue
            orphaned_tasks.add(key)  # a task's annotations move together or not at all
            orphans += [orphan_row(n, failed[0]) for n in notes]
        report.orphaned += len(rows) - len(kept)
        workspace.write_shard("annotations", shard, pa.Table.from_pylist(kept, tables.ANNOTATIONS))
    if orphans:
        _append(workspace, "orphaned_annotations", tables.ORPHANED_ANNOTATIONS, orphans)
    _relink_tasks(workspace, aliases, texts, orphaned_tasks, report)
    _relink_review_tasks(workspace, aliases)
    return report


def _carry(note: dict[str, Any], aliases: dict[str, Alias], texts: dict[str, str]) -> str | None:
    alias = aliases[note["sentence_id"]]
    return carry_annotation(note, alias, texts.get(alias.target or ""))


def orphan_row(note: dict[str, Any], reason: str) -> dict[str, Any]:
    return {
        "campaign": note["campaign"],
        "task_id": note["task_id"],
        "annotation_id": note["annotation_id"],
        "sentence_id": note["sentence_id"],
        "reason": reason,
        "annotation": json.dumps(note, default=str, ensure_ascii=False),
    }


def _append(workspace: Workspace, table: str, schema: pa.Schema, rows: list[dict]) -> None:
    """Add rows to a small table kept in one shard, never twice the same."""
    existing = workspace.read(table, schema).to_pylist()
    keys = {json.dumps(r, sort_keys=True, default=str) for r in existing}
    merged = existing + [r for r in rows if json.dumps(r, sort_keys=True, default=str) not in keys]
    workspace.write_shard(table, "all", pa.Table.from_pylist(merged, schema))


def _relink_tasks(
    workspace: Workspace,
    aliases: dict[str, Alias],
    texts: dict[str, str],
    orphaned: set[tuple[str, int]],
    report: RelinkReport,
) -> None:
    """Tasks follow their sentence when its text is inside the new one or their annotations
    all moved; otherwise the task is orphaned, and `push` retires it in Label Studio."""
    annotated = {
        (r["campaign"], r["task_id"])
        for r in workspace.read("annotations", tables.ANNOTATIONS).to_pylist()
    }
    retired = []
    for shard, table in list(workspace.iter_shards("tasks")):
        rows = table.to_pylist()
        if not any(row["sentence_id"] in aliases for row in rows):
            continue
        kept = []
        for row in rows:
            alias = aliases.get(row["sentence_id"])
            key = (row["campaign"], row["task_id"])
            movable = alias and alias.target in texts and key not in orphaned
            if alias is None:
                kept.append(row)
            elif movable and (alias.offset >= 0 or key in annotated):
                kept.append({**row, "sentence_id": alias.target})
                report.tasks_moved += 1
            else:
                reason = alias.reason if key not in orphaned else "its annotations could not move"
                retired.append({**row, "reason": reason, "retired": False})
                report.tasks_orphaned += 1
        workspace.write_shard("tasks", shard, pa.Table.from_pylist(kept, tables.TASKS))
    if retired:
        _append(workspace, "orphaned_tasks", tables.ORPHANED_TASKS, retired)


def _relink_review_tasks(workspace: Workspace, aliases: dict[str, Alias]) -> None:
    for shard, table in list(workspace.iter_shards("review_tasks")):
        rows = table.to_pylist()
        moved = [
            {**r, "sentence_id": aliases[r["sentence_id"]].target or r["sentence_id"]}
            if r["sentence_id"] in aliases
            else r
            for r in rows
        ]
        if moved != rows:
            table = pa.Table.from_pylist(moved, tables.REVIEW_TASKS)
            workspace.write_shard("review_tasks", shard, table)
