"""Dedup: near-duplicate articles, by MinHash with LSH over the cleaned bodies, incrementally.

A wire story republished with a new headline, a trimmed ending, a local paragraph or other
boilerplate is one story: campaigns label it once (`newsdesk.annotation.push`) and publish
keeps all of its copies in one split (`split_keys`).

What lives in the workspace, so a new batch costs only its own shards:

- `minhash/<bodies shard>`: one signature per article with a body (datasketch's MinHash over
  the set of word `shingle`-grams), with what the representative rule needs;
- `lsh_bands/<bodies shard>`: the article's LSH band keys (bands and rows chosen by
  datasketch for the threshold), sorted;
- `clusters/all`: every article that has a near-duplicate, with its cluster. An article not in
  it is a cluster of its own, whose key is its id. Its footer lists the minhash shards (and
  their fingerprints) it was computed over.

Adding a bodies shard hashes only that shard, then looks its band keys up in the band tables
(one column read per shard) and compares signatures only for the articles that share a band.
Both tables of a shard carry the fingerprint of the settings and of the bodies shard that made
them, so changed settings or better cleaning rules re-hash exactly the stale shards, and the
clusters those articles were in are linked again (`link`).

Clusters are the connected components of the pairs that share a band and whose estimated
Jaccard similarity is at least the threshold (single linkage). They are grown by joining
components (`newsdesk.dedup.minhash.Components`), so an article already in a pair's cluster
is not compared again: n copies of one wire story cost about n comparisons, not n * n / 2, and
no table of pairs is kept (an earlier version's `near_duplicate_pairs` is deleted). They do not
depend on the order in which batches arrive, so an incremental run finds the same clusters,
representatives and similarities as a run from scratch.

The representative of a cluster (`REPRESENTATIVE_RULE`): the earliest published article
(undated ones last), then the longest body, then the smallest article id. It depends on the
cluster's members only (not on when they arrived), and it may change when an earlier copy
arrives.

The cluster key, which splits are hashed from, does not change as a cluster grows: it is fixed
when the cluster forms, as the id of the article that was then its representative (an article
on its own is a cluster keyed by its own id, so a copy joining it takes its key and its split).
When a new article joins two clusters, the merged cluster keeps the key of the older one (the
one formed in an earlier dedup run; between two of the same run, the one whose key article
ranks first by the representative rule): the younger cluster's articles move to the older
one's split, and `newsdesk diff` lists them as moved. A run from scratch assigns keys as if
everything arrived in one batch, so its keys can differ from those of a grown workspace; the
clusters table keeps the keys it has, and a rebuild (new settings) keeps every key whose
article is still in its cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.dedup.minhash import (
    DEDUP_VERSION,
    REPRESENTATIVE_RULE,
    Components,
    Hasher,
    link_bucket,
    rank_key,
    similarity,
)
from newsdesk.foundations.config import DedupConfig
from newsdesk.foundations.ids import digest
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.shards import map_sum, stale
from schemas import tables

COVERS_KEY = b"newsdesk.stages.dedup.covers"
CLUSTERS_SHARD = "all"
OLD_PAIRS = ("near_duplicate_pairs", "all")


def dedup_fingerprint(bodies: str | None, config: DedupConfig) -> str:
    """What a minhash or lsh_bands shard depends on: its bodies shard (by what made it), the
    shingling and band scheme and every dedup setting."""
    settings = (config.threshold, config.num_perm, config.shingle, config.seed)
    return digest("dedup", str(DEDUP_VERSION), *map(str, settings), bodies or "")


def _signature_array(values: Iterable[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(values), dtype="<u4")


def hash_shard(workspace: Workspace, shard: str, hasher: Hasher, batch: int) -> int:
    """Signatures and band keys of one bodies shard (band keys first: the minhash shard marks
    the shard done); returns how many articles it hashed. An article hashed before keeps the
    batch it was first hashed in."""
    earlier: dict[str, int] = {}
    if workspace.has_shard("minhash", shard):
        old = workspace.read_shard("minhash", shard).select(["article_id", "batch"])
        earlier = dict(zip(*(old[c].to_pylist() for c in old.column_names), strict=True))
    rows: list[dict[str, Any]] = []
    signatures: list[np.ndarray] = []
    bodies = workspace.read_shard("bodies", shard).select(["article_id", "body", "published_at"])
    for body in bodies.to_pylist():
        signature = hasher.signature(body["body"] or "")
        if signature is None:
            continue
        signatures.append(signature)
        rows.append(
            {
                "article_id": body["article_id"],
                "published_at": body["published_at"],
                "body_chars": len(body["body"]),
                "batch": earlier.get(body["article_id"], batch),
                "signature": signature.astype("<u4").tobytes(),
            }
        )
    fingerprint = dedup_fingerprint(workspace.fingerprint("bodies", shard), hasher.config)
    matrix = np.vstack(signatures) if signatures else np.empty((0, hasher.config.num_perm))
    keys = hasher.band_keys(matrix.astype(np.uint32))
    bands = pa.table(
        {
            "band_key": pa.array(keys.ravel(), pa.int64()),
            "article_id": pa.array(np.repeat([r["article_id"] for r in rows], keys.shape[1])),
        },
        schema=tables.LSH_BANDS,
    ).sort_by("band_key")
    workspace.write_shard("lsh_bands", shard, bands, fingerprint)
    table = pa.Table.from_pylist(rows, tables.MINHASH)
    workspace.write_shard("minhash", shard, table, fingerprint)
    return len(rows)


@dataclass
class DedupReport:
    shards: int = 0  # bodies shards hashed in this run
    articles: int = 0
    candidates: int = 0  # pairs sharing a band, compared by signature
    clusters: int = 0  # clusters of two or more articles
    clustered: int = 0  # articles in them

    def summary(self) -> str:
        return (
            f"{self.articles} articles hashed in {self.shards} shards, {self.candidates} "
            f"candidate pairs compared; {self.clusters} near-duplicate clusters hold "
            f"{self.clustered} articles ({self.clustered - self.clusters} copies beyond one "
            "per cluster)"
        )


def _covered(workspace: Workspace) -> dict[str, str]:
    """The minhash shards (name -> fingerprint) the clusters table was computed over."""
    if not workspace.has_shard("clusters", CLUSTERS_SHARD):
        return {}
    metadata = workspace.read_shard("clusters", CLUSTERS_SHARD, ["article_id"]).schema.metadata
    return json.loads((metadata or {}).get(COVERS_KEY, b"{}"))


def _read_where(
    workspace: Workspace, table: str, column: str, values: pa.Array, columns: list[str]
) -> pa.Table:
    """The rows of every shard of `table` whose `column` is in `values`, shard by shard."""
    parts = []
    for shard in workspace.shards(table):
        part = workspace.read_shard(table, shard, columns)
        parts.append(part.filter(pc.is_in(part[column], value_set=values)))
    schema = getattr(tables, table.upper())
    return pa.concat_tables(parts) if parts else schema.empty_table().select(columns)


def _matrix(column: pa.ChunkedArray) -> np.ndarray:
    """Signatures of equal length (one binary value each) as one (articles, num_perm) array,
    read from the column's buffer without a Python object per value."""
    chunk = column.combine_chunks()
    if not len(chunk):
        return np.empty((0, 0), dtype="<u4")
    ends = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
    ends = ends[chunk.offset : chunk.offset + len(chunk) + 1]
    if len(set(np.diff(ends).tolist())) != 1:  # one settings' num_perm for every article
        raise ValueError("minhash signatures of different lengths (other settings)")
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[ends[0] : ends[-1]]
    return data.view("<u4").reshape(len(chunk), -1).copy()


@dataclass
class _Signatures:
    """The signatures of some articles, one row each, and what the representative rule needs."""

    index: dict[str, int]
    matrix: np.ndarray
    published_at: list[str | None]
    body_chars: list[int]
    batch: list[int]

    @classmethod
    def read(cls, workspace: Workspace, ids: Iterable[str]) -> _Signatures:
        wanted = pa.array(sorted(set(ids)), pa.string())
        table = tables.MINHASH.empty_table()
        if len(wanted):
            table = _read_where(workspace, "minhash", "article_id", wanted, tables.MINHASH.names)
        return cls(
            {article: i for i, article in enumerate(table["article_id"].to_pylist())},
            _matrix(table["signature"]),
            table["published_at"].to_pylist(),
            table["body_chars"].to_pylist(),
            table["batch"].to_pylist(),
        )

    def rank(self, article: str) -> tuple[Any, ...]:
        i = self.index[article]
        return rank_key(self.published_at[i], self.body_chars[i], article)

    def similarity(self, articles: list[str], other: str) -> np.ndarray:
        """Estimated Jaccard similarity of each article to `other`."""
        rows = self.matrix[[self.index[a] for a in articles]]
        return similarity(rows, np.broadcast_to(self.matrix[self.index[other]], rows.shape))


def _ids(workspace: Workspace, shards: Iterable[str]) -> set[str]:
    ids: set[str] = set()
    for shard in shards:
        ids |= set(workspace.read_shard("minhash", shard, ["article_id"])["article_id"].to_pylist())
    return ids


def link(
    workspace: Workspace, fresh: list[str], previous: pa.Table, threshold: float
) -> tuple[list[list[str]], int]:
    """The clusters' members after the `fresh` shards, and how many pairs were compared.

    A previous cluster none of whose articles was re-hashed or removed still holds: its
    links are unchanged. Every other article (new, re-hashed, or left from a cluster that
    lost a member) is "dirty" and linked again with whatever shares an LSH band with it;
    two clean articles in different clusters were compared before and stay apart. So a
    batch costs its own articles' buckets, and the result is the one a run from scratch
    gives (`tests/test_dedup.py` checks both)."""
    fresh_ids = _ids(workspace, fresh)
    present = _ids(workspace, workspace.shards("minhash"))
    by_cluster: dict[str, list[str]] = {}
    for article, key in zip(
        previous["article_id"].to_pylist(), previous["cluster_id"].to_pylist(), strict=True
    ):
        by_cluster.setdefault(key, []).append(article)
    parts = Components()
    dirty = set(fresh_ids)
    for group in by_cluster.values():
        if any(a in fresh_ids or a not in present for a in group):
            dirty |= {a for a in group if a in present}
        else:
            for article in group[1:]:
                parts.union(group[0], article)
    if not dirty:
        return parts.groups(), 0
    with_dirty = _read_where(
        workspace, "lsh_bands", "article_id", pa.array(sorted(dirty)), ["band_key", "article_id"]
    )
    keys = pc.unique(with_dirty["band_key"])
    del with_dirty
    hits = _read_where(workspace, "lsh_bands", "band_key", keys, ["band_key", "article_id"])
    codes = hits["article_id"].combine_chunks().dictionary_encode()
    names = codes.dictionary.to_pylist()
    members = codes.indices.to_numpy()
    band_keys = hits["band_key"].to_numpy()
    del hits, codes
    order = np.argsort(band_keys, kind="stable")
    band_keys, members = band_keys[order], members[order]
    starts = np.flatnonzero(np.r_[True, band_keys[1:] != band_keys[:-1]])
    ends = np.r_[starts[1:], len(band_keys)]
    signatures = _Signatures.read(workspace, names)

    def similar(a: str, b: str) -> bool:
        return float(signatures.similarity([a], b)[0]) >= threshold

    compared = 0
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start > 1:  # a bucket's members, one bucket at a time
            bucket = [names[code] for code in members[start:end].tolist()]
            compared += link_bucket(bucket, dirty, parts, similar)
    return parts.groups(), compared


def cluster(
    workspace: Workspace, groups: list[list[str]], previous_table: pa.Table, batch: int
) -> pa.Table:
    """The clusters table from the clusters' members, keeping the keys the previous table
    gave."""
    previous = {r["article_id"]: r for r in previous_table.to_pylist()}
    info = _Signatures.read(workspace, (x for group in groups for x in group))
    rank = info.rank
    rows = []
    for group in groups:
        representative = min(group, key=rank)
        members = set(group)
        # each member's key and cluster age before; only keys whose article is still here
        claims: dict[str, int] = {}
        for member in group:
            before = previous.get(member)
            key = before["cluster_id"] if before else member
            created = before["created"] if before else info.batch[info.index[member]]
            if key in members:
                claims[key] = min(created, claims.get(key, created))
        if claims:
            key = min(claims, key=lambda k: (claims[k], rank(k)))
            created = claims[key]
        else:
            key, created = representative, batch
        similarity = info.similarity(group, representative)
        rows += [
            {
                "article_id": member,
                "cluster_id": key,
                "similarity": float(s),
                "representative": member == representative,
                "created": created,
            }
            for member, s in zip(group, similarity, strict=True)
        ]
    return pa.Table.from_pylist(rows, tables.CLUSTERS)


def next_batch(workspace: Workspace) -> int:
    """This run's number: one past the highest batch any signature records."""
    highest = 0
    for shard in workspace.shards("minhash"):
        column = workspace.read_shard("minhash", shard).column("batch")
        if len(column):
            highest = max(highest, pc.max(column).as_py())
    return highest + 1


def dedup(
    workspace: Workspace, config: DedupConfig | None = None, *, runner: ShardRunner = run_serial
) -> DedupReport:
    """Hash the bodies shards not hashed yet by these settings (one task each), look their band
    keys up against everything before, and update the pairs and clusters tables."""
    config = config or DedupConfig()
    hasher = Hasher(config)
    shards = workspace.shards("bodies")
    prints = {s: dedup_fingerprint(workspace.fingerprint("bodies", s), config) for s in shards}
    for gone in (s for s in workspace.shards("minhash") if s not in prints):
        workspace.delete_shard("minhash", gone)  # its articles moved to another shard, or left
        if workspace.has_shard("lsh_bands", gone):
            workspace.delete_shard("lsh_bands", gone)
    todo = stale(workspace, "bodies", "minhash", prints.__getitem__)
    batch = next_batch(workspace)
    work = partial(hash_shard, workspace, hasher=hasher, batch=batch)
    (articles,) = map_sum(runner, "dedup-hash", work, todo)
    report = DedupReport(shards=len(todo), articles=articles)
    covers = _covered(workspace)
    fresh = [s for s in shards if covers.get(s) != prints[s]]
    if fresh or set(covers) - set(prints):
        previous = load_clusters(workspace)
        groups, report.candidates = link(workspace, fresh, previous, config.threshold)
        clusters = cluster(workspace, groups, previous, batch)
        metadata = {COVERS_KEY: json.dumps(prints, sort_keys=True).encode()}
        workspace.write_shard(
            "clusters", CLUSTERS_SHARD, clusters.replace_schema_metadata(metadata)
        )
    if workspace.has_shard(*OLD_PAIRS):  # what dedup kept before clusters carried the covers
        workspace.delete_shard(*OLD_PAIRS)
    clusters = load_clusters(workspace)
    report.clustered = clusters.num_rows
    report.clusters = len(pc.unique(clusters["cluster_id"]))
    return report


# --- what push, status and publish read --------------------------------------------------


def load_clusters(workspace: Workspace) -> pa.Table:
    """The clusters table (articles with a near-duplicate); empty before the first dedup."""
    if not workspace.has_shard("clusters", CLUSTERS_SHARD):
        return tables.CLUSTERS.empty_table()
    return workspace.read_shard("clusters", CLUSTERS_SHARD).replace_schema_metadata(None)


def split_keys(workspace: Workspace) -> dict[str, str]:
    """article_id -> the stable key its split is hashed from, for every article that has a
    near-duplicate (its cluster's key); any other article is a cluster of its own and its key
    is its own id, so callers use `keys.get(article_id, article_id)`."""
    clusters = load_clusters(workspace)
    return dict(
        zip(clusters["article_id"].to_pylist(), clusters["cluster_id"].to_pylist(), strict=True)
    )


def cluster_summary(workspace: Workspace) -> dict[str, Any]:
    """What a dataset card says about near-duplicates: counts, the rule and the settings."""
    clusters = load_clusters(workspace)
    count = len(pc.unique(clusters["cluster_id"])) if clusters.num_rows else 0
    return {
        "clusters": count,
        "articles_in_clusters": clusters.num_rows,
        "copies": clusters.num_rows - count,
        "representative_rule": REPRESENTATIVE_RULE,
        "method": "MinHash LSH (datasketch) over word shingles of the cleaned bodies",
    }
