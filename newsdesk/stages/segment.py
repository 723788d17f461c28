"""Segment: `bodies` to `sentences`, each with offsets into its cleaned body."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pyarrow as pa

from newsdesk.foundations.ids import SENTENCE_IDS, digest, sentence_ids
from newsdesk.foundations.limits import MAX_SENTENCE_CHARS
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.sentences.splitter import RULES_VERSION, cap_spans, split_sentences
from newsdesk.stages.relink import RelinkReport, aliases_for, relink
from newsdesk.stages.shards import map_sum, stale
from schemas import tables


@dataclass
class SegmentReport:
    shards: int = 0
    articles: int = 0
    sentences: int = 0
    split_long: int = 0  # runs over max_sentence_chars, split at a safe point
    max_sentence_chars: int = 0
    relinked: RelinkReport = field(default_factory=RelinkReport)

    def summary(self) -> str:
        text = f"{self.sentences} sentences from {self.articles} articles in {self.shards} shards"
        if self.split_long:
            text += (
                f"; {self.split_long} runs of text longer than max_sentence_chars "
                f"({self.max_sentence_chars:,}) split at a safe point"
            )
        moved = self.relinked
        if moved.carried or moved.orphaned or moved.tasks_moved or moved.tasks_orphaned:
            text += f"; {moved.summary()}"
        return text


def sentence_rows(
    article: str, body: str, language: str | None, max_chars: int | None = None
) -> tuple[list[dict[str, object]], int]:
    """One row per sentence, and how many runs over `max_chars` (default: the
    `max_sentence_chars` default) were split; `body[start:end] == text` holds for every row."""
    limit = MAX_SENTENCE_CHARS if max_chars is None else max_chars
    spans, split = cap_spans(body, split_sentences(body, language), limit)
    ids = sentence_ids(article, [body[span.start : span.end] for span in spans])
    rows = [
        {
            "sentence_id": ids[index],
            "article_id": article,
            "index": index,
            "paragraph": span.paragraph,
            "start": span.start,
            "end": span.end,
            "text": body[span.start : span.end],
        }
        for index, span in enumerate(spans)
    ]
    return rows, split


def segment_fingerprint(bodies: str | None, max_chars: int | None) -> str:
    """What a sentences shard depends on: its bodies shard (by what made it), the splitting
    rules, the sentence id scheme and the length limit."""
    limit = MAX_SENTENCE_CHARS if max_chars is None else max_chars
    parts = ("segment", bodies or "", str(RULES_VERSION), str(SENTENCE_IDS), str(limit))
    return digest(*parts)


def stale_shards(workspace: Workspace, max_chars: int | None) -> list[str]:
    """Bodies shards without sentences, or whose sentences older rules or settings made."""
    return stale(
        workspace,
        "bodies",
        "sentences",
        lambda shard: segment_fingerprint(workspace.fingerprint("bodies", shard), max_chars),
    )


def segment_shard(
    workspace: Workspace, shard: str, max_chars: int | None = None
) -> tuple[int, int, int]:
    """One bodies shard to sentences; returns (articles, sentences, long runs split).

    A shard made by older rules is replaced; first its vanished sentences get their aliases,
    so `relink` can carry their tasks and annotations over (aliases before sentences: a kill
    between the two leaves aliases that the next run completes)."""
    bodies = workspace.read_shard("bodies", shard, ["article_id", "body", "language"])
    rows: list[dict[str, object]] = []
    split = 0
    for body in bodies.to_pylist():
        mine, long_runs = sentence_rows(
            body["article_id"], body["body"] or "", body["language"], max_chars
        )
        rows.extend(mine)
        split += long_runs
    fingerprint = segment_fingerprint(workspace.fingerprint("bodies", shard), max_chars)
    if workspace.has_shard("sentences", shard):
        old = workspace.read_shard("sentences", shard).to_pylist()
        aliases = pa.Table.from_pylist(aliases_for(old, rows), tables.SENTENCE_ALIASES)
        if aliases.num_rows:  # named by the rules that replaced them: one shard per rebuild
            workspace.write_shard("sentence_aliases", f"{shard}-{fingerprint[:12]}", aliases)
    table = pa.Table.from_pylist(rows, tables.SENTENCES)
    workspace.write_shard("sentences", shard, table, fingerprint)
    return bodies.num_rows, len(rows), split


def _segment_task(workspace: Workspace, max_chars: int, shard: str) -> tuple[int, int, int]:
    return segment_shard(workspace, shard, max_chars)


def segment(
    workspace: Workspace, *, runner: ShardRunner = run_serial, max_sentence_chars: int | None = None
) -> SegmentReport:
    """Split every bodies shard that has no sentences shard yet; no sentence is longer than
    `max_sentence_chars` (default: the setting's default)."""
    limit = MAX_SENTENCE_CHARS if max_sentence_chars is None else max_sentence_chars
    relink(workspace)  # a run killed between aliases and relink finishes that first
    todo = stale_shards(workspace, limit)
    work = partial(_segment_task, workspace, limit)  # small: each task reads its shard
    articles, sentences, split = map_sum(runner, "segment-shard", work, todo, width=3)
    report = SegmentReport(len(todo), articles, sentences, split, limit)
    report.relinked = relink(workspace)
    return report
