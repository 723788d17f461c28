"""The near-duplicate engine: word shingles, MinHash signatures, LSH band keys, clusters.

Plain functions over texts and arrays; `newsdesk.stages.dedup` keeps their results in the
workspace and runs them incrementally, shard by shard.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash, MinHashLSH

from newsdesk.foundations.config import DedupConfig

DEDUP_VERSION = 1  # the shingling and band keys below; a change re-hashes every shard


REPRESENTATIVE_RULE = (
    "the earliest published article of the cluster (undated ones last), then the longest "
    "body, then the smallest article id"
)


# ideographs and kana are words of one character each; other scripts split on non-word runs
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multipliers for shingle and band keys

_BAND = np.uint64(0xC2B2AE3D27D4EB4F)


def tokens(text: str) -> list[str]:
    """Lower-cased words (CJK: characters); punctuation, spacing and case do not count."""
    return _TOKEN.findall(text.lower())


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """32-bit hashes of the distinct `size`-word shingles of a text (a shorter text is one
    shingle; an empty one none)."""
    words = tokens(text)
    if not words:
        return np.empty(0, dtype=np.uint64)
    size = min(size, len(words))
    ids = np.fromiter(
        (zlib.crc32(word.encode("utf-8", "surrogatepass")) for word in words),
        dtype=np.uint64,
        count=len(words),
    )
    count = len(words) - size + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset in range(size):  # a polynomial over the words, wrapping at 64 bits
        mixed = mixed * _MIX + ids[offset : offset + count]
    return np.unique((mixed ^ (mixed >> np.uint64(29))) & np.uint64(0xFFFFFFFF))


@dataclass(frozen=True)
class Hasher:
    """Signatures and LSH band keys for one set of settings."""

    config: DedupConfig

    def __post_init__(self) -> None:
        template = MinHash(num_perm=self.config.num_perm, seed=self.config.seed)
        lsh = MinHashLSH(threshold=self.config.threshold, num_perm=self.config.num_perm)
        object.__setattr__(self, "_permutations", template.permutations)
        object.__setattr__(self, "bands", lsh.b)
        object.__setattr__(self, "rows", lsh.r)

    def signature(self, text: str) -> np.ndarray | None:
        """num_perm uint32 MinHash values of the text's shingles; None for a text without words."""
        shingles = shingle_hashes(text, self.config.shingle)
        if not len(shingles):
            return None
        sketch = MinHash(
            num_perm=self.config.num_perm,
            seed=self.config.seed,
            hashfunc=int,  # the shingles are hashed already
            permutations=self._permutations,  # type: ignore[attr-defined]
            scheme="affine32",
        )
        sketch.update_batch(shingles)
        return sketch.hashvalues.astype(np.uint32)

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """(articles, bands) int64 keys: equal keys mean the same band of equal values."""
        bands, rows = self.bands, self.rows  # type: ignore[attr-defined]
        values = signatures[:, : bands * rows].reshape(len(signatures), bands, rows)
        keys = np.broadcast_to(
            np.arange(1, bands + 1, dtype=np.uint64) * _BAND, values.shape[:2]
        ).copy()
        for row in range(rows):
            keys = keys * _MIX + values[:, :, row].astype(np.uint64)
        return keys.view(np.int64)


def rank_key(published_at: str | None, body_chars: int, article_id: str) -> tuple[Any, ...]:
    """The representative rule as a sort key: the smallest key represents its cluster."""
    return (not published_at, published_at or "", -body_chars, article_id)


def rank_order(
    groups: np.ndarray, published_at: pa.Array, body_chars: np.ndarray, article_id: pa.Array
) -> np.ndarray:
    """The positions of articles sorted by group, then by the representative rule: the
    columnar form of `rank_key` (a test checks they agree), for clusters of any size."""
    table = pa.table(
        {
            "group": groups,
            "undated": pc.fill_null(pc.equal(published_at, ""), True),
            "published_at": pc.fill_null(published_at, ""),
            "longest": -body_chars,
            "article_id": article_id,
        }
    )
    return pc.sort_indices(table, [(name, "ascending") for name in table.column_names]).to_numpy()


def similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of each pair of signature rows: the share of equal values."""
    return (left == right).mean(axis=1).astype(np.float32)


class Components:
    """Connected components of articles numbered 0 to size - 1 (single linkage), grown one
    verified link at a time; a few bytes per article, so a big workspace links in an array.

    Linking only ever merges, so the components do not depend on the order links come in,
    and a pair already in one component needs no comparison: a bucket of n copies of one
    story costs about n comparisons, not n * n / 2. A component's root is its smallest
    number."""

    def __init__(self, size: int) -> None:
        self._parent = array("q", range(size))

    def root(self, x: int) -> int:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Join the components of a and b; the root of the joined one."""
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            self._parent[rb] = ra
        return ra

    def roots(self) -> np.ndarray:
        """Every article's root, at once."""
        parent = np.frombuffer(self._parent, dtype=np.int64).copy()
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent
            parent = up


def link_bucket(
    members: list[int], dirty: bytearray, parts: Components, similar: Callable[[int, int], bool]
) -> int:
    """Link the articles of one LSH bucket that are similar enough, where a link can have
    changed (at least one of the two is `dirty`); returns how many pairs were compared.

    Members are taken by component: a dirty article is compared with the members of each
    other component in turn until one is similar enough (single linkage needs one link);
    two clean articles in different components were compared before and stay apart."""
    compared = 0
    groups: dict[int, list[int]] = {}
    for m in members:
        groups.setdefault(parts.root(m), []).append(m)
    for d in sorted({m for m in members if dirty[m]}):
        own = parts.root(d)
        for root in sorted(groups):
            if root == own or root not in groups:
                continue
            for other in groups[root]:
                compared += 1
                if similar(d, other):
                    joined = parts.union(d, other)
                    groups[joined] = groups.pop(own) + groups.pop(root)
                    own = joined
                    break
    return compared
