"""Content-derived identifiers: the same input always gets the same id."""

from __future__ import annotations

import hashlib


def digest(*parts: str, length: int = 16) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x1f")
    return hasher.hexdigest()[:length]


def normalise_content(content: str) -> str:
    """Line endings and outer whitespace do not make a different article."""
    return content.replace("\r\n", "\n").replace("\r", "\n").strip()


def article_id(content: str) -> str:
    return digest(normalise_content(content))


def sentence_id(article: str, start: int, end: int) -> str:
    """Readable and stable: the article and the sentence's offsets into its cleaned body."""
    return f"{article}:{start}-{end}"


def shard_name(prefix: str, keys: list[str]) -> str:
    """A shard named by what it holds, so writing the same rows again is a no-op."""
    return f"{prefix}-{digest(*sorted(keys))}"
