"""The `newsdesk strip --jsonl` contract and the human-readable decision listing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from newsdesk.boilerplate.html import extract_html
from newsdesk.boilerplate.lines import extract_text
from newsdesk.boilerplate.model import Extraction
from newsdesk.boilerplate.repeated import RepeatedLines

_EXPLAIN_WIDTH = 100


def strip_records(records: Iterable[dict]) -> Iterator[dict]:
    """Yield `{"id", "title", "text"}` per record, in input order, treating the input as one
    corpus. `title` is the headline found (see `headline`; None when there is none) and
    `text` the body, which starts with that headline when the rules kept it.

    Records are `{"id", "html"}` or `{"id", "text", "source"?, "url"?}`. The corpus rule
    needs every text record before the first can be decided, so the input is read whole.
    """
    rows = list(records)
    repeated = RepeatedLines()
    for row in rows:
        if "html" not in row:
            repeated.add(row.get("source"), row.get("text") or "")
    for row in rows:
        if "html" in row:
            result = extract_html(row["html"], row.get("url"))
        else:
            result = extract_text(row.get("text") or "", row.get("source"), repeated)
        yield {"id": row["id"], "title": headline(result), "text": result.body}


def headline(extraction: Extraction) -> str | None:
    """The headline the rules kept above the body, else the page's metadata title."""
    kept = next((d.text for d in extraction.decisions if d.kept and d.rule == "headline"), None)
    return kept or extraction.title


def explain(extraction: Extraction) -> str:
    """One line per decision: KEEP/DROP, rule and the (truncated) text."""
    out = []
    if extraction.error:
        out.append(f"ERROR {extraction.error}")
    for key in ("title", "byline", "published_at"):
        value = getattr(extraction, key)
        if value:
            out.append(f"META  {key}: {value}")
    for d in extraction.decisions:
        text = d.text if len(d.text) <= _EXPLAIN_WIDTH else d.text[: _EXPLAIN_WIDTH - 1] + "…"
        out.append(f"{'KEEP' if d.kept else 'DROP'}  {d.index:>4}  {d.rule:<20} {text}")
    return "\n".join(out)
