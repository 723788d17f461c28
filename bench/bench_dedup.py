"""Benchmark newsdesk's near-duplicate detection: quality on a labeled set, speed against
datatrove's MinHash deduplication on the same bodies.

Run: .venv/bin/python bench/bench_dedup.py [--quality-only] [--articles 100000]
(the labeled set needs ../shared/bench-data; the speed part runs without it on samples/)

Quality. The originals are the gold bodies of the boilerplate data (scrapinghub and Fundus
pages, 22 languages) and of samples/; each gets seeded wire-copy variants of these kinds:
  headline   a new headline line and a dateline in front
  trimmed    the last quarter of the paragraphs dropped
  cut_half   only the first 60 % of the paragraphs kept
  added      a paragraph from an unrelated article and an editor's note added
  reordered  two paragraphs moved
  boiler     other boilerplate lines around the body (copyright, follow us, newsletter)
  edits      3 % of the words replaced, a few numbers changed
  wire       headline + trimmed + boiler + edits together
An original and its variants are one true cluster. Hard negatives, which must never be
merged: the 150 most similar pairs of different originals by word overlap (same topic,
often same publisher), and each `added` variant against the article its extra paragraph
came from. Pair precision and recall count every pair of articles put in one cluster.

Speed. 100,000 bodies made from real sentences (each body 8-30 sentences drawn at random
from the gold bodies, so bodies are unrelated; 10 % of them are wire variants of another),
written as 100 bodies shards; newsdesk's `dedup` stage over them from scratch, then one more
shard of 1,000 added incrementally; datatrove 0.10's MinHash pipeline (signature, buckets,
cluster: the three steps that find the duplicates) on the same bodies with the same
shingles and the same bands and rows, called in-process with one task per step. Each tool
runs in its own child process, one after the other: CPU seconds and peak RSS of that child.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402

from newsdesk.dedup.minhash import tokens  # noqa: E402
from newsdesk.foundations.config import DedupConfig  # noqa: E402
from newsdesk.foundations.workspace import Workspace  # noqa: E402
from newsdesk.stages.dedup import dedup, load_clusters  # noqa: E402
from schemas import tables  # noqa: E402

DATA = ROOT.parent / "shared" / "bench-data" / "boilerplate"
SETS = ("plaintext_dev.jsonl", "plaintext_fundus_dev.jsonl")
KINDS = ("headline", "trimmed", "cut_half", "added", "reordered", "boiler", "edits", "wire")
WIRE = {"headline", "trimmed", "reordered", "boiler", "edits", "wire", "added"}
BOILER = [
    "Copyright 2025 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "Follow us on Facebook, X and Instagram for the latest news.",
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Related: more stories from this section",
    "Advertisement",
]
NEGATIVE_PAIRS = 150
MIN_WORDS = 60


def originals() -> list[tuple[str, str]]:
    """(id, body) of every gold body with at least MIN_WORDS words, paragraphs by line."""
    found = []
    for name in SETS:
        path = DATA / name
        if not path.exists():
            continue
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            body = "\n".join(p.strip() for p in record["gold_text"].splitlines() if p.strip())
            if len(tokens(body)) >= MIN_WORDS:
                found.append((f"{name.split('_')[1].split('.')[0]}-{record['id']}", body))
    for path in sorted((ROOT / "samples").rglob("*.txt")):
        body = path.read_text(encoding="utf-8", errors="replace").strip()
        if len(tokens(body)) >= MIN_WORDS:
            found.append((f"sample-{path.stem}", body))
    return found


def _edit(text: str, share: float, rng: random.Random, vocabulary: list[str]) -> str:
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < share:
            words[i] = re.sub(r"\d", lambda _: str(rng.randrange(10)), words[i])
            if not re.search(r"\d", words[i]):
                words[i] = rng.choice(vocabulary)
    return " ".join(words)


def variant(kind: str, body: str, rng: random.Random, other: str, vocab: list[str]) -> str:
    paragraphs = body.split("\n")
    n = len(paragraphs)
    if kind in ("headline", "wire"):
        head = " ".join(rng.sample(tokens(body)[:40], min(8, len(tokens(body)[:40])))).title()
        paragraphs = [head, f"NEW YORK (Wire) — {paragraphs[0]}", *paragraphs[1:]]
    if kind in ("trimmed", "wire"):
        paragraphs = paragraphs[: max(1, len(paragraphs) - max(1, len(paragraphs) // 4))]
    if kind == "cut_half":
        paragraphs = paragraphs[: max(1, round(n * 0.6))]
    if kind == "added":
        extra = rng.choice(other.split("\n"))
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), extra)
        paragraphs.append("Editor's note: this story has been updated with local reaction.")
    if kind == "reordered" and n > 2:
        for _ in range(2):
            paragraphs.insert(rng.randrange(n), paragraphs.pop(rng.randrange(n)))
    if kind in ("boiler", "wire"):
        paragraphs = [BOILER[-1], *paragraphs, *rng.sample(BOILER[:-1], 3)]
    text = "\n".join(paragraphs)
    if kind in ("edits", "wire"):
        text = _edit(text, 0.03 if kind == "edits" else 0.02, rng, vocab)
    return text


def word_jaccard(a: str, b: str) -> float:
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / max(1, len(x | y))


def labeled_set(seed: int = 7) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Bodies with their true cluster and kind, and the hard negative pairs (a, b, why)."""
    rng = random.Random(seed)
    base = originals()
    vocab = sorted({w for _, body in base[:50] for w in body.split(" ") if w.isalpha()})
    rows = [{"article_id": i, "truth": i, "kind": "original", "body": b} for i, b in base]
    negatives: list[tuple[str, str, str]] = []
    for index, (ident, body) in enumerate(base):
        for kind in KINDS:
            source_index = (index + 1 + rng.randrange(len(base) - 1)) % len(base)
            other_id, other = base[source_index]
            text = variant(kind, body, rng, other, vocab)
            vid = f"{ident}~{kind}"
            rows.append({"article_id": vid, "truth": ident, "kind": kind, "body": text})
            if kind == "added":
                negatives.append((vid, other_id, "shares one paragraph"))
    scored = sorted(
        ((word_jaccard(a[1], b[1]), a[0], b[0]) for i, a in enumerate(base) for b in base[i + 1 :]),
        reverse=True,
    )
    top = scored[:NEGATIVE_PAIRS]
    negatives += [(a, b, f"same topic (word overlap {s:.2f})") for s, a, b in top]
    return rows, negatives


def write_bodies(workspace: Workspace, rows: list[dict], shard_size: int = 1000) -> None:
    for start in range(0, len(rows), shard_size):
        chunk = rows[start : start + shard_size]
        table = pa.Table.from_pylist(
            [
                {
                    "article_id": r["article_id"],
                    "body": r["body"],
                    "published_at": r.get("published_at"),
                }
                for r in chunk
            ],
            tables.BODIES,
        )
        workspace.write_shard("bodies", f"b{start // shard_size:05d}", table, "bench")


def pairs_of(groups: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for members in groups.values() for a in members for b in members if a < b}


def quality(thresholds: list[float]) -> None:
    rows, negatives = labeled_set()
    truth: dict[str, set[str]] = {}
    kind = {r["article_id"]: r["kind"] for r in rows}
    for r in rows:
        truth.setdefault(r["truth"], set()).add(r["article_id"])
    true_pairs = pairs_of(truth)
    originals_n = sum(1 for r in rows if r["kind"] == "original")
    print(
        f"labeled set: {originals_n} originals, {len(rows) - originals_n} variants, "
        f"{len(true_pairs)} true pairs, {len(negatives)} hard negative pairs"
    )
    print(
        "| threshold | precision | recall | recall, wire-copy kinds | hard negatives merged | "
        + " | ".join(f"recall {k}" for k in KINDS)
        + " |"
    )
    print("|---" * (5 + len(KINDS)) + "|")
    for threshold in thresholds:
        with tempfile.TemporaryDirectory() as folder:
            workspace = Workspace(folder)
            write_bodies(workspace, rows)
            dedup(workspace, DedupConfig(threshold=threshold))
            clusters = load_clusters(workspace).to_pylist()
        found: dict[str, set[str]] = {}
        for c in clusters:
            found.setdefault(c["cluster_id"], set()).add(c["article_id"])
        cluster_of = {c["article_id"]: c["cluster_id"] for c in clusters}
        predicted = pairs_of(found)
        hit = predicted & true_pairs
        precision = len(hit) / len(predicted) if predicted else 1.0
        recall = len(hit) / len(true_pairs)

        def recall_of(kinds: set[str], hit: set = hit) -> float:
            wanted = {p for p in true_pairs if {kind[p[0]], kind[p[1]]} <= kinds | {"original"}}
            wanted = {p for p in wanted if kind[p[0]] in kinds or kind[p[1]] in kinds}
            return len(wanted & hit) / max(1, len(wanted))

        merged = [
            (a, b, why)
            for a, b, why in negatives
            if a in cluster_of and cluster_of[a] == cluster_of.get(b)
        ]
        print(
            f"| {threshold:.2f} | {precision:.3f} | {recall:.3f} | {recall_of(WIRE):.3f} | "
            f"{len(merged)} | " + " | ".join(f"{recall_of({k}):.3f}" for k in KINDS) + " |"
        )
        for a, b, why in merged[:5]:
            print(f"    merged negative: {a} / {b} ({why})")
        wrong = sorted(predicted - true_pairs)
        for a, b in wrong[:5]:
            print(f"    false pair: {a} / {b}")


# --- speed -----------------------------------------------------------------------------


def speed_corpus(count: int, seed: int = 11) -> list[dict]:
    """`count` bodies from real sentences: 90 % unrelated mixes, 10 % wire variants."""
    rng = random.Random(seed)
    source = [body for _, body in originals()] or [
        p.read_text(errors="replace") for p in (ROOT / "samples").rglob("*.txt")
    ]
    sentences = [s for body in source for s in re.split(r"(?<=[.!?])\s+", body) if len(s) > 30]
    vocab = sorted({w for s in sentences[:2000] for w in s.split(" ") if w.isalpha()})
    rows: list[dict] = []
    for index in range(count):
        if rows and rng.random() < 0.1:
            kind = rng.choice(KINDS)
            other = rows[rng.randrange(len(rows))]["body"]
            body = variant(kind, rows[rng.randrange(len(rows))]["body"], rng, other, vocab)
        else:
            picked = [rng.choice(sentences) for _ in range(rng.randint(8, 30))]
            body = "\n".join(" ".join(picked[i : i + 3]) for i in range(0, len(picked), 3))
        rows.append({"article_id": f"a{index:07d}", "body": body})
    return rows


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's over the exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_newsdesk(folder: str) -> dict:
    workspace = Workspace(folder)
    extra = [s for s in workspace.shards("bodies") if s.startswith("z")]
    for shard in extra:  # the incremental shard is added after the full run
        (Path(folder) / "bodies" / f"{shard}.parquet").rename(Path(folder) / f"{shard}.hold")
    start, cpu = time.perf_counter(), time.process_time()
    report = dedup(workspace, DedupConfig())
    full = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    for shard in extra:
        (Path(folder) / f"{shard}.hold").rename(Path(folder) / "bodies" / f"{shard}.parquet")
    start, cpu = time.perf_counter(), time.process_time()
    more = dedup(workspace, DedupConfig())
    incremental = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    return {
        "full": full,
        "incremental": incremental,
        "articles": report.articles,
        "added": more.articles,
        "clusters": more.clusters,
        "clustered": more.clustered,
        "peak_mb": _peak_mb(),
    }


def child_datatrove(folder: str) -> dict:
    import xxhash
    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.word_tokenizers import WordTokenizer

    from newsdesk.dedup.minhash import Hasher

    class Words(WordTokenizer):  # newsdesk's words (datatrove's English tokenizer needs spaCy)
        def word_tokenize(self, text: str) -> list[str]:
            return tokens(text)

        def sent_tokenize(self, text: str) -> list[str]:
            return [text]

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            return [(0, len(text))]

    hasher = Hasher(DedupConfig())
    config = MinhashConfig(
        n_grams=DedupConfig().shingle,
        num_buckets=hasher.bands,  # type: ignore[attr-defined]
        hashes_per_bucket=hasher.rows,  # type: ignore[attr-defined]
        hash_config=HashConfig(precision=32),
    )
    workspace = Workspace(folder)
    docs = [
        Document(text=row["body"], id=row["article_id"])
        for shard in workspace.shards("bodies")
        if not shard.startswith("z")  # the shard newsdesk adds incrementally
        for row in workspace.read_shard("bodies", shard).select(["article_id", "body"]).to_pylist()
    ]
    out = Path(folder) / "datatrove"
    start, cpu = time.perf_counter(), time.process_time()
    signature = MinhashDedupSignature(str(out / "sigs"), config=config, language=Words())
    # datatrove 0.10 hands xxhash a str, which xxhash 4 refuses: encode first, as xxhash 3 did
    signature._hash_func = lambda text: xxhash.xxh32_intdigest(text.encode())
    _drain(signature.run(iter(docs), 0, 1))
    buckets = MinhashDedupBuckets(str(out / "sigs"), str(out / "buckets"), config=config)
    for rank in range(config.num_buckets):
        _drain(buckets.run(None, rank, config.num_buckets))
    clusters = MinhashDedupCluster(str(out / "buckets"), str(out / "remove"), config=config)
    _drain(clusters.run(None, 0, 1))
    elapsed = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    removed = 0
    for path in (out / "remove").glob("*.remove"):
        removed += path.stat().st_size // 4
    return {"full": elapsed, "articles": len(docs), "removed": removed, "peak_mb": _peak_mb()}


def _drain(result: object) -> None:
    if result is not None and hasattr(result, "__next__"):
        for _ in result:  # type: ignore[attr-defined]
            pass


def speed(count: int) -> None:
    folder = tempfile.mkdtemp(prefix="bench-dedup-")
    try:
        rows = speed_corpus(count + 1000)
        workspace = Workspace(folder)
        write_bodies(workspace, rows[:count])
        extra = pa.Table.from_pylist(
            [{"article_id": r["article_id"], "body": r["body"]} for r in rows[count:]],
            tables.BODIES,
        )
        workspace.write_shard("bodies", "zextra", extra, "bench")
        mb = sum(len(r["body"].encode()) for r in rows[:count]) / 2**20
        print(f"speed corpus: {count} bodies ({mb:.0f} MB UTF-8) + 1000 added incrementally")
        results = {}
        for tool in ("newsdesk", "datatrove"):
            answer = subprocess.run(
                [sys.executable, __file__, "--child", tool, folder],
                capture_output=True,
                text=True,
                check=True,
            )
            results[tool] = json.loads(answer.stdout.strip().splitlines()[-1])
        ours, theirs = results["newsdesk"], results["datatrove"]
        print("| tool | articles | CPU s | wall s | articles/CPU-s | peak RSS MB |")
        print("|---|---|---|---|---|---|")
        for name, r in (("newsdesk dedup (from scratch)", ours), ("datatrove MinHash", theirs)):
            f = r["full"]
            print(
                f"| {name} | {r['articles']} | {f['cpu_s']:.1f} | {f['wall_s']:.1f} | "
                f"{r['articles'] / f['cpu_s']:.0f} | {r['peak_mb']:.0f} |"
            )
        inc = ours["incremental"]
        ratio = (ours["articles"] / ours["full"]["cpu_s"]) / (
            theirs["articles"] / theirs["full"]["cpu_s"]
        )
        print(
            f"| newsdesk dedup, +1 shard | {ours['added']} | {inc['cpu_s']:.1f} | "
            f"{inc['wall_s']:.1f} | {ours['added'] / inc['cpu_s']:.0f} | (same process) |"
        )
        print(
            f"newsdesk: {ours['clusters']} clusters holding {ours['clustered']} articles; "
            f"datatrove removes {theirs['removed']} (one kept per cluster); "
            f"speed ratio newsdesk/datatrove (articles per CPU second) {ratio:.2f}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        tool, folder = args.child
        work = child_newsdesk if tool == "newsdesk" else child_datatrove
        print(json.dumps(work(folder)))
        return
    if not args.speed_only:
        quality([float(t) for t in args.thresholds.split(",")])
    if not args.quality_only:
        speed(args.articles)


if __name__ == "__main__":
    main()
