"""Clean: `articles` to `bodies` and `removed`, in two passes over the shards.

Pass 1 counts, per source, how many articles contain each line (hashes only, one small
table per shard, merged); pass 2 strips each article with those counts, so a line that
repeats across a source's articles is recognised as boilerplate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from newsdesk.boilerplate import (
    RULES_VERSION,
    Extraction,
    RepeatedLines,
    extract_html,
    extract_text,
)
from newsdesk.foundations.ids import digest
from newsdesk.foundations.limits import MAX_BODY_CHARS
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from schemas import tables


@dataclass
class CleanReport:
    shards: int = 0
    articles: int = 0
    empty: int = 0
    removed_lines: int = 0

    def summary(self) -> str:
        return (
            f"{self.articles} articles cleaned in {self.shards} shards: "
            f"{self.articles - self.empty} with a body, {self.empty} empty; "
            f"{self.removed_lines} lines removed"
        )


def count_lines(workspace: Workspace, shard: str) -> str:
    """Pass 1 shard work: line statistics of one articles shard."""
    articles = workspace.read_shard("articles", shard).select(["format", "source", "content"])
    stats = RepeatedLines()
    for row in articles.to_pylist():
        if row["format"] == "text":
            stats.add(row["source"], row["content"])
    rows = pa.Table.from_pylist(stats.to_pylist(), schema=tables.LINE_STATS)
    workspace.write_shard("line_stats", shard, rows)
    return shard


def extract(
    row: dict[str, object], repeated: RepeatedLines, max_chars: int | None = None
) -> Extraction:
    """One article's extraction; content over `max_chars` (`max_body_chars`) is refused with
    the reason ingest gives (articles ingested before the limit was lowered meet it here)."""
    content = str(row["content"])
    if row["format"] == "html":
        return extract_html(content, url=row["url"], max_chars=max_chars)  # type: ignore[arg-type]
    return extract_text(content, row["source"], repeated, max_chars)  # type: ignore[arg-type]


def clean_fingerprint(max_chars: int | None) -> str:
    """What a bodies shard depends on besides its articles: the rules and the length limit."""
    limit = MAX_BODY_CHARS if max_chars is None else max_chars
    return digest("clean", str(RULES_VERSION), str(limit))


def stale_shards(workspace: Workspace, max_chars: int | None) -> list[str]:
    """Articles shards without bodies, or whose bodies older rules or settings made."""
    fingerprint = clean_fingerprint(max_chars)
    return [
        shard
        for shard in workspace.shards("articles")
        if not workspace.is_current("bodies", shard, fingerprint)
    ]


def clean_shard(
    workspace: Workspace, shard: str, repeated: RepeatedLines, max_chars: int | None = None
) -> tuple[int, int, int]:
    """Pass 2 shard work: strip every article of one shard; returns (articles, empty, removed)."""
    bodies: list[dict[str, object]] = []
    removed: list[dict[str, object]] = []
    for row in workspace.read_shard("articles", shard).to_pylist():
        result = extract(row, repeated, max_chars)
        bodies.append(
            {
                "article_id": row["article_id"],
                "body": result.body,
                "title": row["title"] or result.title,
                "byline": result.byline,
                "published_at": row["published_at"] or result.published_at,
                "language": row["language"],
                "source": row["source"],
                "url": row["url"],
                "error": result.error or (None if result.body else "no body text found"),
            }
        )
        removed.extend(
            {"article_id": row["article_id"], "index": d.index, "text": d.text, "rule": d.rule}
            for d in result.decisions
            if not d.kept
        )
    workspace.write_shard("removed", shard, pa.Table.from_pylist(removed, tables.REMOVED))
    # bodies last: its presence marks the shard as done
    workspace.write_shard(
        "bodies", shard, pa.Table.from_pylist(bodies, tables.BODIES), clean_fingerprint(max_chars)
    )
    return len(bodies), sum(1 for b in bodies if not b["body"]), len(removed)


def load_repeated(workspace: Workspace) -> RepeatedLines:
    merged = RepeatedLines()
    for _, table in workspace.iter_shards("line_stats"):
        merged.merge(RepeatedLines.from_pylist(table.to_pylist()))
    return merged


def clean(
    workspace: Workspace, *, runner: ShardRunner = run_serial, max_body_chars: int | None = None
) -> CleanReport:
    """Strip every articles shard that has no bodies shard yet, or one made by other rules or
    settings (shard by shard: a killed run resumes); `max_body_chars` defaults to the
    setting's default."""
    shards = workspace.shards("articles")
    uncounted = [s for s in shards if not workspace.has_shard("line_stats", s)]
    list(runner("count-lines", lambda shard: count_lines(workspace, shard), uncounted))
    repeated = load_repeated(workspace)
    todo = stale_shards(workspace, max_body_chars)
    report = CleanReport(shards=len(todo))
    for articles, empty, removed in runner(
        "clean-shard", lambda shard: clean_shard(workspace, shard, repeated, max_body_chars), todo
    ):
        report.articles += articles
        report.empty += empty
        report.removed_lines += removed
    return report
