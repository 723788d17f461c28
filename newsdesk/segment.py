"""Segment: `bodies` to `sentences`, each with offsets into its cleaned body."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from newsdesk.ids import sentence_id
from newsdesk.runner import ShardRunner, run_serial
from newsdesk.sentences import split_sentences
from newsdesk.workspace import Workspace
from schemas import tables


@dataclass
class SegmentReport:
    shards: int = 0
    articles: int = 0
    sentences: int = 0

    def summary(self) -> str:
        return f"{self.sentences} sentences from {self.articles} articles in {self.shards} shards"


def sentence_rows(article: str, body: str, language: str | None) -> list[dict[str, object]]:
    """One row per sentence; `body[start:end] == text` holds for every row."""
    return [
        {
            "sentence_id": sentence_id(article, span.start, span.end),
            "article_id": article,
            "index": index,
            "paragraph": span.paragraph,
            "start": span.start,
            "end": span.end,
            "text": body[span.start : span.end],
        }
        for index, span in enumerate(split_sentences(body, language))
    ]


def segment_shard(workspace: Workspace, shard: str) -> tuple[int, int]:
    bodies = workspace.read_shard("bodies", shard).select(["article_id", "body", "language"])
    rows: list[dict[str, object]] = []
    for body in bodies.to_pylist():
        rows.extend(sentence_rows(body["article_id"], body["body"] or "", body["language"]))
    workspace.write_shard("sentences", shard, pa.Table.from_pylist(rows, tables.SENTENCES))
    return bodies.num_rows, len(rows)


def segment(workspace: Workspace, *, runner: ShardRunner = run_serial) -> SegmentReport:
    """Split every bodies shard that has no sentences shard yet."""
    todo = [s for s in workspace.shards("bodies") if not workspace.has_shard("sentences", s)]
    report = SegmentReport(shards=len(todo))
    for articles, sentences in runner(
        "segment-shard", lambda shard: segment_shard(workspace, shard), todo
    ):
        report.articles += articles
        report.sentences += sentences
    return report
