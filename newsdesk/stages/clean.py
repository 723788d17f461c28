"""Clean: `articles` to `bodies` and `removed`, in two passes over the shards.

Pass 1 counts, per source, how many articles contain each line (hashes only, one small
table per shard), and the counts are summed into `line_totals`, which keeps only the lines
that can be repeated (seen in at least MIN_DOCUMENTS articles); pass 2 strips each article
with those counts, so a line that repeats across a source's articles is recognised as
boilerplate. Each shard task reads what it needs from the workspace (its articles, the totals
of their sources): nothing corpus-sized travels to a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.boilerplate import (
    RULES_VERSION,
    Extraction,
    RepeatedLines,
    extract_html,
    extract_text,
)
from newsdesk.boilerplate.repeated import MIN_DOCUMENTS
from newsdesk.foundations.ids import digest, shard_name
from newsdesk.foundations.language import body_language
from newsdesk.foundations.limits import MAX_BODY_CHARS
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.shards import map_sum, stale
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


def count_lines(workspace: Workspace, shard: str) -> int:
    """Pass 1 shard work: line statistics of one articles shard; returns how many text
    articles it counted (HTML is stripped by its structure, not by repeated lines)."""
    stats = RepeatedLines()
    formats = workspace.read_shard("articles", shard, ["format"])["format"]
    texts = pc.sum(pc.equal(formats, "text")).as_py() or 0
    if texts:
        articles = workspace.read_shard(
            "articles", shard, ["source", "content"], pc.field("format") == "text"
        )
        for row in articles.to_pylist():
            stats.add(row["source"], row["content"])
    rows = pa.Table.from_pylist(stats.to_pylist(), schema=tables.LINE_STATS)
    workspace.write_shard("line_stats", shard, rows)
    return texts


def extract(
    row: dict[str, object], repeated: RepeatedLines, max_chars: int | None = None
) -> Extraction:
    """One article's extraction; content over `max_chars` (`max_body_chars`) is refused with
    the reason ingest gives (articles ingested before the limit was lowered meet it here)."""
    content = str(row["content"])
    if row["format"] == "html":
        return extract_html(content, url=row["url"], max_chars=max_chars)  # type: ignore[arg-type]
    return extract_text(content, row["source"], repeated, max_chars)  # type: ignore[arg-type]


# how a body's language is found (foundations.language.body_language); 2: HTML pages from
# their cleaned body, no longer from their markup
LANGUAGE_RULES = 2


def clean_fingerprint(max_chars: int | None) -> str:
    """What a bodies shard depends on besides its articles: the rules (of stripping and of
    the language) and the length limit."""
    limit = MAX_BODY_CHARS if max_chars is None else max_chars
    return digest("clean", str(RULES_VERSION), str(LANGUAGE_RULES), str(limit))


def stale_shards(workspace: Workspace, max_chars: int | None) -> list[str]:
    """Articles shards without bodies, or whose bodies older rules or settings made."""
    fingerprint = clean_fingerprint(max_chars)
    return stale(workspace, "articles", "bodies", lambda shard: fingerprint)


def clean_shard(
    workspace: Workspace,
    shard: str,
    repeated: RepeatedLines | None = None,
    max_chars: int | None = None,
) -> tuple[int, int, int]:
    """Pass 2 shard work: strip every article of one shard; returns (articles, empty, removed).

    Without `repeated`, the line totals of the shard's text sources are read from the
    workspace."""
    bodies: list[dict[str, object]] = []
    removed: list[dict[str, object]] = []
    articles = workspace.read_shard("articles", shard)
    if repeated is None:
        texts = articles.filter(pc.equal(articles["format"], "text"))
        repeated = load_repeated(workspace, texts["source"].unique().to_pylist())
    for row in articles.to_pylist():
        result = extract(row, repeated, max_chars)
        bodies.append(
            {
                "article_id": row["article_id"],
                "body": result.body,
                "title": row["title"] or result.title,
                "byline": result.byline,
                "published_at": row["published_at"] or result.published_at,
                "language": body_language(
                    str(row["format"]), row["language"], str(row["content"]), result.body
                ),
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


TOTALS = "line_totals"


def sum_line_stats(workspace: Workspace) -> str:
    """Sum the shards' line statistics into one `line_totals` shard named by the shards it
    sums, keeping each source's article count and the lines seen in at least MIN_DOCUMENTS of
    its articles (no other line can be repeated); an up-to-date total is not made again."""
    shards = workspace.shards("line_stats")
    name = shard_name(TOTALS, shards)
    if workspace.has_shard(TOTALS, name):
        return name
    stats = workspace.read("line_stats", tables.LINE_STATS)
    summed = stats.group_by(["source", "line_hash"], use_threads=False).aggregate(
        [("documents", "sum")]
    )
    summed = summed.rename_columns(["source", "line_hash", "documents"])
    keep = pc.or_(
        pc.is_null(summed["line_hash"]), pc.greater_equal(summed["documents"], MIN_DOCUMENTS)
    )
    totals = summed.filter(keep).cast(tables.LINE_STATS)
    workspace.write_shard(TOTALS, name, totals)
    for old in workspace.shards(TOTALS):
        if old != name:
            workspace.delete_shard(TOTALS, old)
    return name


def load_repeated(workspace: Workspace, sources: list[str | None] | None = None) -> RepeatedLines:
    """The line totals (of `sources` only, if given): each task reads its own."""
    shards = workspace.shards(TOTALS)
    if not shards:
        sum_line_stats(workspace)
        shards = workspace.shards(TOTALS)
    if sources is not None and not sources:
        return RepeatedLines()
    where = None
    if sources is not None:
        named = [source for source in sources if source is not None]
        where = pc.field("source").isin(pa.array(named, pa.string()))
        if None in sources:
            where = where | pc.field("source").is_null()
    table = workspace.read(TOTALS, tables.LINE_STATS, filter=where, shards=shards[-1:])
    return RepeatedLines.from_pylist(table.to_pylist())


def _clean_task(workspace: Workspace, max_chars: int | None, shard: str) -> tuple[int, int, int]:
    return clean_shard(workspace, shard, None, max_chars)


def clean(
    workspace: Workspace, *, runner: ShardRunner = run_serial, max_body_chars: int | None = None
) -> CleanReport:
    """Strip every articles shard that has no bodies shard yet, or one made by other rules or
    settings (shard by shard: a killed run resumes); `max_body_chars` defaults to the
    setting's default."""
    uncounted = stale(workspace, "articles", "line_stats", lambda shard: None)
    map_sum(runner, "count-lines", partial(count_lines, workspace), uncounted)
    todo = stale_shards(workspace, max_body_chars)
    if todo:
        sum_line_stats(workspace)
    work = partial(_clean_task, workspace, max_body_chars)
    articles, empty, removed = map_sum(runner, "clean-shard", work, todo, width=3)
    return CleanReport(len(todo), articles, empty, removed)
