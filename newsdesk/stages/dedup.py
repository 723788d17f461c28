"""Dedup: near-duplicate articles, by MinHash with LSH over the cleaned bodies, incrementally.

A wire story republished with a new headline, a trimmed ending, a local paragraph or other
boilerplate is one story: campaigns label it once (`newsdesk.annotation.push`) and publish
keeps all of its copies in one split (`split_keys`).

What lives in the workspace, so a new batch costs only its own shards:

- `minhash/<bodies shard>`: one signature per article with a body (datasketch's MinHash over
  the set of word `shingle`-grams), with what the representative rule needs;
- `lsh_bands/<bodies shard>`: the article's LSH band keys (bands and rows chosen by
  datasketch for the threshold), sorted;
- `near_duplicate_pairs/all`: every candidate pair whose estimated Jaccard similarity is at
  least the threshold; its footer lists the minhash shards (and their fingerprints) it covers;
- `clusters/all`: every article that has a near-duplicate, with its cluster. An article not in
  it is a cluster of its own, whose key is its id.

Adding a bodies shard hashes only that shard, then looks its band keys up in the band tables
(one column read per shard) and compares signatures only for the articles that share a band.
Both tables of a shard carry the fingerprint of the settings and of the bodies shard that made
them, so changed settings or better cleaning rules re-hash exactly the stale shards, and the
pairs touching their articles are found again.

Clusters are the connected components of the verified pairs (single linkage): they do not
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
    Hasher,
    components,
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
PAIRS_SHARD = CLUSTERS_SHARD = "all"


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
    pairs: int = 0  # near-duplicate pairs in the workspace
    clusters: int = 0  # clusters of two or more articles
    clustered: int = 0  # articles in them

    def summary(self) -> str:
        return (
            f"{self.articles} articles hashed in {self.shards} shards, {self.candidates} "
            f"candidate pairs compared; {self.clusters} near-duplicate clusters hold "
            f"{self.clustered} articles ({self.clustered - self.clusters} copies beyond one "
            "per cluster)"
        )


def _covered(workspace: Workspace) -> tuple[pa.Table, dict[str, str]]:
    """The pairs table and the minhash shards (name -> fingerprint) it was computed over."""
    if not workspace.has_shard("near_duplicate_pairs", PAIRS_SHARD):
        return tables.NEAR_DUPLICATE_PAIRS.empty_table(), {}
    table = workspace.read_shard("near_duplicate_pairs", PAIRS_SHARD)
    covers = json.loads((table.schema.metadata or {}).get(COVERS_KEY, b"{}"))
    return table.replace_schema_metadata(None), covers


def _read_where(
    workspace: Workspace, table: str, column: str, values: pa.Array, columns: list[str]
) -> pa.Table:
    """The rows of every shard of `table` whose `column` is in `values`, shard by shard."""
    parts = []
    for shard in workspace.shards(table):
        part = workspace.read_shard(table, shard).select(columns)
        parts.append(part.filter(pc.is_in(part[column], value_set=values)))
    schema = getattr(tables, table.upper())
    return pa.concat_tables(parts) if parts else schema.empty_table().select(columns)


def _signatures(workspace: Workspace, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = pa.array(sorted(set(ids)), pa.string())
    if not len(wanted):
        return {}
    rows = _read_where(workspace, "minhash", "article_id", wanted, tables.MINHASH.names)
    return {
        row["article_id"]: {**row, "signature": np.frombuffer(row["signature"], dtype="<u4")}
        for row in rows.to_pylist()
    }


def _similarity(signatures: dict[str, dict[str, Any]], pairs: list[tuple[str, str]]) -> np.ndarray:
    if not pairs:
        return np.empty(0, dtype=np.float32)
    left = np.vstack([signatures[a]["signature"] for a, _ in pairs])
    right = np.vstack([signatures[b]["signature"] for _, b in pairs])
    return similarity(left, right)


def candidate_pairs(workspace: Workspace, fresh: list[str]) -> list[tuple[str, str]]:
    """(a, b) with a < b, sharing a band key, at least one of them in a `fresh` shard: the
    fresh shards' band keys looked up in every band table."""
    new = [workspace.read_shard("lsh_bands", shard) for shard in fresh]
    if not new:
        return []
    new_table = pa.concat_tables(new)
    fresh_ids = set(new_table["article_id"].to_pylist())
    keys = pc.unique(new_table["band_key"])
    hits = _read_where(workspace, "lsh_bands", "band_key", keys, ["band_key", "article_id"])
    buckets = hits.group_by("band_key", use_threads=False).aggregate([("article_id", "list")])
    found: set[tuple[str, str]] = set()
    for members in buckets["article_id_list"].to_pylist():
        if len(members) < 2:
            continue
        members = sorted(set(members))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a in fresh_ids or b in fresh_ids:
                    found.add((a, b))
    return sorted(found)


def _present(workspace: Workspace, ids: set[str]) -> set[str]:
    """The ids that still have a signature."""
    wanted = pa.array(sorted(ids), pa.string())
    rows = _read_where(workspace, "minhash", "article_id", wanted, ["article_id"])
    return set(rows["article_id"].to_pylist())


def link(
    workspace: Workspace, fresh: list[str], old: pa.Table, threshold: float
) -> tuple[pa.Table, int]:
    """The pairs table after the `fresh` shards: the old pairs that still hold (neither
    article re-hashed, both still there) and the verified candidates; and the candidate count."""
    fresh_ids: set[str] = set()
    for shard in fresh:
        fresh_ids |= set(workspace.read_shard("minhash", shard)["article_id"].to_pylist())
    kept = [
        row for row in old.to_pylist() if row["a"] not in fresh_ids and row["b"] not in fresh_ids
    ]
    still = _present(workspace, {row["a"] for row in kept} | {row["b"] for row in kept})
    kept = [row for row in kept if row["a"] in still and row["b"] in still]
    candidates = candidate_pairs(workspace, fresh)
    signatures = _signatures(workspace, (x for pair in candidates for x in pair))
    similarity = _similarity(signatures, candidates)
    new = [
        {"a": a, "b": b, "similarity": float(s)}
        for (a, b), s in zip(candidates, similarity, strict=True)
        if s >= threshold
    ]
    rows = sorted(kept + new, key=lambda row: (row["a"], row["b"]))
    return pa.Table.from_pylist(rows, tables.NEAR_DUPLICATE_PAIRS), len(candidates)


def cluster(workspace: Workspace, pairs: pa.Table, batch: int) -> pa.Table:
    """The clusters table from the pairs, keeping the keys the previous table gave."""
    previous = {}
    if workspace.has_shard("clusters", CLUSTERS_SHARD):
        previous = {r["article_id"]: r for r in load_clusters(workspace).to_pylist()}
    groups = components(list(zip(pairs["a"].to_pylist(), pairs["b"].to_pylist(), strict=True)))
    info = _signatures(workspace, (x for group in groups for x in group))
    rows = []
    for group in groups:

        def rank(article: str) -> tuple[Any, ...]:
            row = info[article]
            return rank_key(row["published_at"], row["body_chars"], article)

        representative = min(group, key=rank)
        members = set(group)
        # each member's key and cluster age before; only keys whose article is still here
        claims: dict[str, int] = {}
        for member in group:
            before = previous.get(member)
            key = before["cluster_id"] if before else member
            created = before["created"] if before else info[member]["batch"]
            if key in members:
                claims[key] = min(created, claims.get(key, created))
        if claims:
            key = min(claims, key=lambda k: (claims[k], rank(k)))
            created = claims[key]
        else:
            key, created = representative, batch
        similarity = _similarity(info, [(member, representative) for member in group])
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
    old, covers = _covered(workspace)
    fresh = [s for s in shards if covers.get(s) != prints[s]]
    if fresh or set(covers) - set(prints):
        pairs, report.candidates = link(workspace, fresh, old, config.threshold)
        metadata = {COVERS_KEY: json.dumps(prints, sort_keys=True).encode()}
        pairs_print = digest("pairs", json.dumps(prints, sort_keys=True))
        workspace.write_shard(
            "near_duplicate_pairs",
            PAIRS_SHARD,
            pairs.replace_schema_metadata(metadata),
            pairs_print,
        )
    else:
        pairs = old
    pairs_print = ""
    if workspace.has_shard("near_duplicate_pairs", PAIRS_SHARD):  # none before any bodies
        pairs_print = workspace.fingerprint("near_duplicate_pairs", PAIRS_SHARD) or ""
    if pairs_print and not workspace.is_current("clusters", CLUSTERS_SHARD, pairs_print):
        clusters = cluster(workspace, pairs, batch)
        workspace.write_shard("clusters", CLUSTERS_SHARD, clusters, pairs_print)
    report.pairs = pairs.num_rows
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
