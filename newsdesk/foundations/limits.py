"""The defaults of the size limits and the shard size, written once: `Settings` takes them as
its defaults, and code that runs without `Settings` (the readers, the one-file tools, ingest
called directly) reads them here, so importing it costs nothing."""

from __future__ import annotations

MAX_FILE_MB = 20.0  # one article: a file, or one record of a file of many
MAX_DECOMPRESSED_MB = 8192.0  # what is read from one input, inflated
MAX_BODY_CHARS = 10_000_000  # one article's text or HTML
MAX_SENTENCE_CHARS = 2000  # a longer run of text is split at a safe point (segment)
MAX_SENTENCES_PER_ARTICLE = 500  # pushed to Label Studio
SHARD_SIZE = 1000  # articles per workspace shard, and per ingest unit of work


def body_too_long(chars: int, limit: int) -> str | None:
    """The one-line reason ingest and clean both give for an article over `max_body_chars`."""
    if chars <= limit:
        return None
    return f"article too long: {chars:,} characters > max_body_chars {limit:,}"
