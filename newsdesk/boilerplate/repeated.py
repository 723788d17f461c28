"""Corpus pass: lines that recur across many articles of one source are boilerplate.

Only 64-bit hashes of normalised lines are stored, so the statistics are small, carry no
article text, and merge by addition (one table per shard, summed at the end).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")

# A line is "repeated in its source" when at least this many documents of the source
# contain it and it is not rare within the source.
MIN_DOCUMENTS = 3
MIN_SHARE = 0.02


def normalise(line: str) -> str:
    """Case, digits, punctuation and spacing vary in templates; the words do not."""
    return _NON_WORD.sub(" ", _DIGITS.sub("0", line.casefold())).strip()


def line_hash(line: str) -> int:
    """Signed 64-bit hash (fits an Arrow int64 column) of the normalised line."""
    digest = hashlib.blake2b(normalise(line).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lines(text: str) -> set[int]:
    return {line_hash(s) for s in text.splitlines() if normalise(s)}


class RepeatedLines:
    """How many documents of each source contain each normalised line.

    Rows of `to_pylist` are `{"source", "line_hash", "documents"}`; a row whose
    `line_hash` is None holds the number of documents seen for that source.
    """

    __slots__ = ("_docs", "_lines")

    def __init__(self) -> None:
        self._lines: Counter[tuple[str | None, int]] = Counter()
        self._docs: Counter[str | None] = Counter()

    def add(self, source: str | None, text: str) -> None:
        """Count each distinct line of one document once."""
        self._docs[source] += 1
        for h in _lines(text):
            self._lines[(source, h)] += 1

    def merge(self, other: RepeatedLines) -> None:
        """Add another shard's counts into this one."""
        self._lines.update(other._lines)
        self._docs.update(other._docs)

    def documents(self, source: str | None) -> int:
        """Number of documents seen for the source."""
        return self._docs[source]

    def count(self, source: str | None, line: str) -> int:
        """Number of documents of the source that contain the line."""
        return self._lines[(source, line_hash(line))]

    def is_repeated(self, source: str | None, line: str) -> bool:
        """True when the line is template text of the source rather than article text."""
        n = self.count(source, line)
        return n >= MIN_DOCUMENTS and n >= MIN_SHARE * self._docs[source]

    def to_pylist(self) -> list[dict]:
        """Rows for a Parquet table: one per (source, line) plus one total per source.

        Build the table with `pa.Table.from_pylist(rows, schemas.tables.LINE_STATS)`.
        """
        rows: list[dict] = [
            {"source": s, "line_hash": None, "documents": n} for s, n in self._docs.items()
        ]
        rows.extend(
            {"source": s, "line_hash": h, "documents": n} for (s, h), n in self._lines.items()
        )
        return rows

    @classmethod
    def from_pylist(cls, rows: Iterable[dict]) -> RepeatedLines:
        """Inverse of `to_pylist`; rows of several shards may be concatenated."""
        out = cls()
        for row in rows:
            if row["line_hash"] is None:
                out._docs[row["source"]] += row["documents"]
            else:
                out._lines[(row["source"], row["line_hash"])] += row["documents"]
        return out
