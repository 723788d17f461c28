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

Adding a bodies shard hashes only that shard, then walks the band tables' buckets (each band
shard read once) and compares signatures only in the buckets that hold a new article.
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

Memory. The link and cluster steps number the hashed articles and keep a few bytes per
article in arrays (`_Hashed`, `Components`). Signatures are read only for the articles that
share a bucket with a dirty one, and kept as their low 16 bits (256 bytes an article at
128 permutations); the clusters table's similarities are computed a shard at a time. The
band rows, the only part that grows with bands x articles, are cut into ranges of band keys
of about `PARTITION_ROWS` rows in local temporary files and linked one range at a time.

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
import tempfile
from collections.abc import Iterable, Iterator
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
    rank_order,
    similarity,
)
from newsdesk.foundations.config import DedupConfig
from newsdesk.foundations.ids import digest
from newsdesk.foundations.runner import ShardRunner, run_serial
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.shards import map_sum, stale
from schemas import tables

COVERS_KEY = b"newsdesk.stages.dedup.covers"
Signed = tuple[np.ndarray, np.ndarray]  # article numbers, and their signatures
Ranked = tuple[np.ndarray, np.ndarray]  # each article's rank, each root's representative
CLUSTERS_SHARD = "all"
OLD_PAIRS = ("near_duplicate_pairs", "all")
PARTITION_ROWS = 250_000  # band rows linked at a time: about 4 MB of keys and numbers


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
        old = workspace.read_shard("minhash", shard, ["article_id", "batch"])
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
    return data.view("<u4").reshape(len(chunk), -1)


@dataclass
class _Hashed:
    """Every hashed article, numbered in minhash shard order, in arrays: what the
    representative rule needs. Signatures are read when wanted (`read_signatures`): most
    articles have no near-duplicate and need none. The link and cluster steps hold these
    numbers, not ids in dicts: a few bytes per article."""

    shards: list[str]
    starts: list[int]  # each shard's first number, and the count at the end
    shard_ids: list[pa.Array]
    ids: pa.Array
    published_at: pa.Array
    body_chars: np.ndarray
    batch: np.ndarray

    @classmethod
    def read(cls, workspace: Workspace) -> _Hashed:
        shards = workspace.shards("minhash")
        starts, columns = [0], {name: [] for name in ("article_id", "published_at")}
        numbers: dict[str, list[np.ndarray]] = {"body_chars": [], "batch": []}
        for shard in shards:
            table = workspace.read_shard("minhash", shard, [*columns, *numbers])
            starts.append(starts[-1] + table.num_rows)
            for name, parts in columns.items():
                parts.append(table[name].combine_chunks())
            for name, arrays in numbers.items():
                arrays.append(table[name].to_numpy())
        ids = columns["article_id"]
        return cls(
            shards,
            starts,
            ids,
            pa.concat_arrays(ids) if ids else pa.array([], pa.string()),
            pa.concat_arrays(columns["published_at"]) if ids else pa.array([], pa.string()),
            np.concatenate(numbers["body_chars"]) if ids else np.empty(0, np.int64),
            np.concatenate(numbers["batch"]) if ids else np.empty(0, np.int32),
        )

    @property
    def count(self) -> int:
        return self.starts[-1]

    def numbers(self, ids: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """The number of each id; -1 for an article not hashed (its body left or emptied)."""
        found = pc.index_in(ids, value_set=self.ids)
        return pc.fill_null(found, -1).to_numpy().astype(np.int64)

    def read_signatures(self, workspace: Workspace, numbers: np.ndarray) -> Iterator[Signed]:
        """The signatures of the articles `numbers` (sorted, distinct), a minhash shard at a
        time: the numbers found in it, and their signatures, one row each."""
        for index, shard in enumerate(self.shards):
            low, high = np.searchsorted(numbers, self.starts[index : index + 2])
            if low == high:
                continue
            rows = pa.array(numbers[low:high] - self.starts[index])
            column = workspace.read_shard("minhash", shard, ["signature"])["signature"]
            yield numbers[low:high], _matrix(column.take(rows))

    def spill_bands(self, workspace: Workspace, folder: str) -> list[tuple[str, str]]:
        """Cut every band table row (band key, article number) into ranges of keys, each in
        two files in `folder`: a bucket lies in one range, and a range holds about
        PARTITION_ROWS rows. Each band shard is read once."""
        ranges = max(1, -(-workspace.count_rows("lsh_bands") // PARTITION_ROWS))
        step = 2**64 // ranges
        cuts = np.array([-(2**63) + i * step for i in range(1, ranges)], dtype=np.int64)
        paths = [(f"{folder}/{i}.keys", f"{folder}/{i}.numbers") for i in range(ranges)]
        for pair in paths:
            for path in pair:
                open(path, "wb").close()
        for index, shard in enumerate(self.shards):
            table = workspace.read_shard("lsh_bands", shard, ["band_key", "article_id"])
            keys = table["band_key"].to_numpy()  # sorted by hash_shard
            local = pc.index_in(table["article_id"], value_set=self.shard_ids[index])
            numbers = local.to_numpy().astype(np.int64) + self.starts[index]
            bounds = [0, *np.searchsorted(keys, cuts).tolist(), len(keys)]
            for (keys_path, numbers_path), first, last in zip(
                paths, bounds, bounds[1:], strict=False
            ):
                with open(keys_path, "ab") as out:
                    out.write(keys[first:last].tobytes())
                with open(numbers_path, "ab") as out:
                    out.write(numbers[first:last].tobytes())
        return paths


def _touched_buckets(
    paths: list[tuple[str, str]], marked: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each range of band keys: its article numbers sorted by key, and where each bucket
    of two or more articles with at least one `marked` among them starts and ends."""
    for keys_path, numbers_path in paths:
        keys = np.fromfile(keys_path, np.int64)
        if not len(keys):
            continue
        order = np.argsort(keys, kind="stable")
        keys, numbers = keys[order], np.fromfile(numbers_path, np.int64)[order]
        starts, ends = _runs(keys)
        touched = np.add.reduceat(marked[numbers], starts, dtype=np.int64) > 0
        chosen = (ends - starts > 1) & touched
        yield numbers, starts[chosen], ends[chosen]


def _dirty_and_kept(
    hashed: _Hashed, fresh: list[str], previous: pa.Table
) -> tuple[bytearray, Components]:
    """Which articles must be linked again (new, re-hashed, or left from a cluster that lost
    a member), and the components of the previous clusters that still hold."""
    dirty = bytearray(hashed.count)
    marked = np.frombuffer(dirty, dtype=np.uint8)  # the same bytes, for whole-array writes
    for shard in fresh:
        index = hashed.shards.index(shard)
        marked[hashed.starts[index] : hashed.starts[index + 1]] = 1
    parts = Components(hashed.count)
    if not previous.num_rows:
        return dirty, parts
    numbers = hashed.numbers(previous["article_id"])
    codes = previous["cluster_id"].combine_chunks().dictionary_encode().indices.to_numpy()
    here = numbers >= 0
    broken = np.zeros(codes.max() + 1, dtype=bool)
    broken[codes[~here]] = True
    broken[codes[here][marked[numbers[here]] == 1]] = True
    marked[numbers[here & broken[codes]]] = 1
    kept = here & ~broken[codes]
    order = np.argsort(codes[kept], kind="stable")
    grouped = numbers[kept][order]
    for start, end in zip(*(x.tolist() for x in _runs(codes[kept][order])), strict=True):
        for member in grouped[start + 1 : end].tolist():
            parts.union(int(grouped[start]), member)
    return dirty, parts


def link(
    workspace: Workspace, hashed: _Hashed, fresh: list[str], previous: pa.Table, config: DedupConfig
) -> tuple[np.ndarray, int]:
    """Each article's component after the `fresh` shards (its smallest number), and how many
    pairs were compared.

    A previous cluster none of whose articles was re-hashed or removed still holds: its
    links are unchanged. Every other article is "dirty" and linked again with whatever
    shares an LSH band with it; two clean articles in different clusters were compared
    before and stay apart. So a batch costs its own articles' buckets, and the result is
    the one a run from scratch gives (`tests/test_dedup.py` checks both).

    A pair is compared on the low 16 bits of its signature values (b-bit MinHash): half the
    memory, and two different values agree on them once in 65,536, which moves an estimate
    by about 0.0001, far inside MinHash's own error (about 0.04 at 128 permutations). The
    clusters table's similarities are computed on the whole values (`cluster`)."""
    dirty, parts = _dirty_and_kept(hashed, fresh, previous)
    marked = np.frombuffer(dirty, dtype=np.uint8)
    if not marked.any():
        return parts.roots(), 0
    compared = 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-dedup-") as spill:
        paths = hashed.spill_bands(workspace, spill)
        wanted = np.zeros(hashed.count, dtype=bool)
        for numbers, starts, ends in _touched_buckets(paths, marked):
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                wanted[numbers[start:end]] = True
        row = np.cumsum(wanted, dtype=np.int64) - 1
        low_bits = np.empty((int(wanted.sum()), config.num_perm), dtype=np.uint16)
        for numbers, matrix in hashed.read_signatures(workspace, np.flatnonzero(wanted)):
            low_bits[row[numbers]] = matrix.astype(np.uint16)  # the low 16 bits of each value
        need = config.threshold * config.num_perm

        def similar(a: int, b: int) -> bool:
            return np.count_nonzero(low_bits[row[a]] == low_bits[row[b]]) >= need

        for numbers, starts, ends in _touched_buckets(paths, marked):
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                compared += link_bucket(numbers[start:end].tolist(), dirty, parts, similar)
    return parts.roots(), compared


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values starts and ends in a sorted array."""
    if not len(keys):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


def _representatives(hashed: _Hashed, roots: np.ndarray, members: np.ndarray) -> Ranked:
    """Each article's rank within its cluster by the representative rule, and each root's
    representative (-1 for an article alone)."""
    ranked = members[
        rank_order(
            roots[members],
            hashed.published_at.take(members),
            hashed.body_chars[members],
            hashed.ids.take(members),
        )
    ]
    rank = np.empty(hashed.count, dtype=np.int64)
    rank[ranked] = np.arange(len(ranked))
    leads = np.r_[True, roots[ranked][1:] != roots[ranked][:-1]] if len(ranked) else ranked
    representative = np.full(hashed.count, -1, dtype=np.int64)
    representative[roots[ranked[leads]]] = ranked[leads]
    return rank, representative


def _keys(
    hashed: _Hashed,
    roots: np.ndarray,
    members: np.ndarray,
    ranked: Ranked,
    previous: pa.Table,
    batch: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each root's cluster key (an article number) and the run it was created in: a key
    holds while its article is still in the cluster (the oldest, then the best ranked);
    a cluster none of whose keys holds is keyed by its representative, in this run."""
    rank, representative = ranked
    # each member's key and cluster age before (its own id and batch if it was alone)
    key = np.arange(hashed.count, dtype=np.int64)
    created = hashed.batch.astype(np.int64)
    if previous.num_rows:
        before = hashed.numbers(previous["article_id"])
        here = before >= 0
        key[before[here]] = hashed.numbers(previous["cluster_id"])[here]
        created[before[here]] = previous["created"].to_numpy()[here]
    groups, claim = roots[members], key[members]
    valid = claim >= 0
    valid[valid] = roots[claim[valid]] == groups[valid]
    order = np.lexsort((rank[claim[valid]], created[members][valid], groups[valid]))
    claim_groups, claims = groups[valid][order], claim[valid][order]
    firsts = np.r_[True, claim_groups[1:] != claim_groups[:-1]] if len(order) else order
    cluster_key = representative.copy()
    cluster_created = np.full(hashed.count, batch, dtype=np.int64)
    cluster_key[claim_groups[firsts]] = claims[firsts]
    cluster_created[claim_groups[firsts]] = created[members][valid][order][firsts]
    return cluster_key, cluster_created


def _similarities(
    workspace: Workspace, hashed: _Hashed, members: np.ndarray, leads: np.ndarray, num_perm: int
) -> np.ndarray:
    """Each member's estimated Jaccard similarity to `leads` (one article each), on whole
    signature values: the distinct leads' signatures are held, the members' read a shard
    at a time."""
    distinct = np.unique(leads)
    lead_signatures = np.zeros((len(distinct), num_perm), dtype="<u4")
    for numbers, matrix in hashed.read_signatures(workspace, distinct):
        lead_signatures[np.searchsorted(distinct, numbers)] = matrix
    found = np.empty(len(members), dtype=np.float32)
    for numbers, matrix in hashed.read_signatures(workspace, members):
        at = np.searchsorted(members, numbers)
        found[at] = similarity(matrix, lead_signatures[np.searchsorted(distinct, leads[at])])
    return found


def cluster(
    workspace: Workspace,
    hashed: _Hashed,
    roots: np.ndarray,
    previous: pa.Table,
    batch: int,
    num_perm: int,
) -> pa.Table:
    """The clusters table from each article's component, keeping the keys the previous
    table gave: columns of numbers, however many articles have copies."""
    members = np.flatnonzero(np.bincount(roots, minlength=len(roots))[roots] > 1)
    groups = roots[members]
    ranked = _representatives(hashed, roots, members)
    cluster_key, cluster_created = _keys(hashed, roots, members, ranked, previous, batch)
    leads = ranked[1][groups]
    table = pa.table(
        {
            "article_id": hashed.ids.take(members),
            "cluster_id": hashed.ids.take(cluster_key[groups]),
            "similarity": _similarities(workspace, hashed, members, leads, num_perm),
            "representative": leads == members,
            "created": pa.array(cluster_created[groups], pa.int32()),
        },
        schema=tables.CLUSTERS,
    )
    return table.sort_by([("cluster_id", "ascending"), ("article_id", "ascending")])


def next_batch(workspace: Workspace) -> int:
    """This run's number: one past the highest batch any signature records."""
    highest = 0
    for shard in workspace.shards("minhash"):
        column = workspace.read_shard("minhash", shard, ["batch"]).column("batch")
        if len(column):
            highest = max(highest, pc.max(column).as_py())
    return highest + 1


def dedup(
    workspace: Workspace, config: DedupConfig | None = None, *, runner: ShardRunner = run_serial
) -> DedupReport:
    """Hash the bodies shards not hashed yet by these settings (one task each), look their band
    keys up against everything before, and update the clusters table."""
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
        hashed = _Hashed.read(workspace)
        roots, report.candidates = link(workspace, hashed, fresh, previous, config)
        clusters = cluster(workspace, hashed, roots, previous, batch, config.num_perm)
        del hashed
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
