"""Segment: `bodies` to `sentences`, each with offsets into its cleaned body."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from newsdesk.config import default
from newsdesk.ids import sentence_id
from newsdesk.runner import ShardRunner, run_serial
from newsdesk.sentences import cap_spans, split_sentences
from newsdesk.workspace import Workspace
from schemas import tables


@dataclass
class SegmentReport:
    shards: int = 0
    articles: int = 0
    sentences: int = 0
    split_long: int = 0  # runs over max_sentence_chars, split at a safe point
    max_sentence_chars: int = 0

    def summary(self) -> str:
        text = f"{self.sentences} sentences from {self.articles} articles in {self.shards} shards"
        if self.split_long:
            text += (
                f"; {self.split_long} runs of text longer than max_sentence_chars "
                f"({self.max_sentence_chars:,}) split at a safe point"
            )
        return text


def sentence_rows(
    article: str, body: str, language: str | None, max_chars: int | None = None
) -> tuple[list[dict[str, object]], int]:
    """One row per sentence, and how many runs over `max_chars` (default: the
    `max_sentence_chars` default) were split; `body[start:end] == text` holds for every row."""
    limit = default("max_sentence_chars") if max_chars is None else max_chars
    spans, split = cap_spans(body, split_sentences(body, language), limit)
    rows = [
        {
            "sentence_id": sentence_id(article, span.start, span.end),
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


def segment_shard(
    workspace: Workspace, shard: str, max_chars: int | None = None
) -> tuple[int, int, int]:
    """One bodies shard to sentences; returns (articles, sentences, long runs split)."""
    bodies = workspace.read_shard("bodies", shard).select(["article_id", "body", "language"])
    rows: list[dict[str, object]] = []
    split = 0
    for body in bodies.to_pylist():
        mine, long_runs = sentence_rows(
            body["article_id"], body["body"] or "", body["language"], max_chars
        )
        rows.extend(mine)
        split += long_runs
    workspace.write_shard("sentences", shard, pa.Table.from_pylist(rows, tables.SENTENCES))
    return bodies.num_rows, len(rows), split


def segment(
    workspace: Workspace, *, runner: ShardRunner = run_serial, max_sentence_chars: int | None = None
) -> SegmentReport:
    """Split every bodies shard that has no sentences shard yet; no sentence is longer than
    `max_sentence_chars` (default: the setting's default)."""
    limit = default("max_sentence_chars") if max_sentence_chars is None else max_sentence_chars
    todo = [s for s in workspace.shards("bodies") if not workspace.has_shard("sentences", s)]
    report = SegmentReport(shards=len(todo), max_sentence_chars=limit)
    for articles, sentences, split in runner(
        "segment-shard", lambda shard: segment_shard(workspace, shard, limit), todo
    ):
        report.articles += articles
        report.sentences += sentences
        report.split_long += split
    return report
