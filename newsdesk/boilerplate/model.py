"""Result types shared by the HTML and plain-text extractors."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.foundations.limits import MAX_BODY_CHARS, body_too_long


@dataclass(frozen=True, slots=True)
class LineDecision:
    """What happened to one input line or HTML block, and which rule decided it."""

    index: int
    text: str
    kept: bool
    rule: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """The cleaned article plus the audit trail the `removed` table is built from."""

    body: str
    title: str | None
    byline: str | None
    published_at: str | None
    decisions: list[LineDecision]
    error: str | None


def failed(reason: str) -> Extraction:
    """An empty extraction carrying a one-line reason instead of raising."""
    return Extraction(
        body="", title=None, byline=None, published_at=None, decisions=[], error=reason
    )


def too_long(chars: int, max_chars: int | None) -> str | None:
    """The reason to refuse an article over `max_chars` (default: `max_body_chars`)."""
    return body_too_long(chars, MAX_BODY_CHARS if max_chars is None else max_chars)
