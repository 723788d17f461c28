"""Content-derived identifiers: the same input always gets the same id."""

from __future__ import annotations

import hashlib
import unicodedata


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


SENTENCE_IDS = 2  # 1: `article:start-end`; 2: the article and a hash of the sentence's text


def normalise_sentence(text: str) -> str:
    """What a sentence's identity depends on: its words, not its line breaks or spacing."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def sentence_ids(article: str, texts: list[str]) -> list[str]:
    """Ids of an article's sentences, in order: the article id, a hash of the normalised
    text and, from the second time the same text occurs, its occurrence number. An id does
    not move when another sentence of the article changes; offsets are columns, not id."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        key = normalise_sentence(text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        suffix = f"-{occurrence}" if occurrence else ""
        ids.append(f"{article}:{digest(key, length=12)}{suffix}")
    return ids


def shard_name(prefix: str, keys: list[str]) -> str:
    """A shard named by what it holds, so writing the same rows again is a no-op."""
    return f"{prefix}-{digest(*sorted(keys))}"
