"""Splits: which split an article's rows go to, and the tables cut by split."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def split_of(key: str, salt: str, ratios: dict[str, float]) -> str:
    """The split of `key` by a salted hash: stable as the data grows, and everything that
    shares a key shares a split. The key is an article id today (see `build`)."""
    digest = hashlib.sha256(f"{salt}\x1f{key}".encode()).digest()
    point = struct.unpack(">Q", digest[:8])[0] / 2**64
    total = sum(ratios.values())
    edge = 0.0
    for name, ratio in ratios.items():
        edge += ratio / total
        if point < edge:
            return name
    return next(reversed(ratios))


def split_warnings(sentences: dict[str, pa.Table]) -> list[str]:
    """One line per split that has no labeled sentence row (it is published all the same)."""
    warnings = []
    for split, table in sentences.items():
        labeled = pc.sum(pc.greater(table["annotator_count"], 0)).as_py() or 0
        if not labeled:
            warnings.append(
                f"split {split!r} has no labeled rows ({table.num_rows} rows in all): it is "
                "published empty of labels; label more of its articles, or change the ratios"
            )
    return warnings


def by_split(table: pa.Table, ranks: np.ndarray, names: list[str]) -> dict[str, pa.Table]:
    """Zero-copy slices of a table sorted by split, one for every split, empty or not."""
    edges = np.searchsorted(ranks, np.arange(len(names) + 1), side="left")
    return {
        name: table.slice(int(edges[i]), int(edges[i + 1] - edges[i]))
        for i, name in enumerate(names)
    }
