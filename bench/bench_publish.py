"""Benchmark: publishing a million sentences, against the straightforward `datasets` route.

    .venv/bin/python bench/bench_publish.py                  # 1,000,000 sentences
    .venv/bin/python bench/bench_publish.py --sentences 100000 --skip-alternative
    .venv/bin/python bench/bench_publish.py --sentences 2000000 --pushed 0.1   # a 10x corpus,
                                                                  # the same dataset as 200,000

Builds a synthetic workspace with pyarrow (bodies, sentences, one task per sentence, and
annotations by two annotators on a tenth of the sentences, with event and argument spans
linked by relations), then runs in a fresh subprocess each, timing it and reading its peak
RSS from `getrusage(RUSAGE_CHILDREN)`:

- `newsdesk`: `newsdesk.publishing.publish.publish` (first version, then a second one after a
  tenth of the annotations changed);
- `datasets`: what people write instead: rows as Python dicts (aggregated per sentence with
  the same `newsdesk.annotation.aggregate`), `datasets.Dataset.from_list(rows, features=...)` and
  `.to_parquet(...)` per split, for the sentences config only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "the",
    "minister",
    "said",
    "talks",
    "with",
    "Moscow",
    "would",
    "resume",
    "after",
    "sanctions",
    "were",
    "extended",
    "by",
    "the",
    "council",
    "while",
    "officials",
    "in",
    "Pyongyang",
    "warned",
    "of",
    "a",
    "missile",
    "test",
    "near",
    "the",
    "border",
    "and",
    "protesters",
    "marched",
    "through",
    "the",
    "capital",
    "on",
    "Tuesday",
    "demanding",
    "a",
    "ceasefire",
    "agreement",
]
STANCES = ["favor", "against", "neutral", "unrelated"]


def make_workspace(
    folder: Path, sentences: int, per_article: int, annotated_share: float, pushed: float = 1.0
) -> dict:
    """Write bodies, sentences, tasks and annotations shards straight into a workspace; only
    the first `pushed` share of the articles has tasks (a campaign's pick of the corpus)."""
    import numpy as np
    import pyarrow as pa

    from newsdesk.foundations.workspace import Workspace
    from schemas import tables

    started = time.perf_counter()
    workspace = Workspace(str(folder))
    rng = np.random.default_rng(7)
    pool = [
        " ".join(WORDS[j] for j in rng.integers(0, len(WORDS), n)).capitalize() + "."
        for n in rng.integers(8, 30, 4096)
    ]
    picks = rng.integers(0, len(pool), sentences).tolist()
    articles = (sentences + per_article - 1) // per_article
    pushed_articles = round(articles * pushed)
    shard_articles = 5000
    annotate = rng.random(sentences) < annotated_share
    stance_pick = rng.integers(0, len(STANCES), (sentences, 2)).tolist()
    n = 0
    note_id = 0
    for shard_start in range(0, articles, shard_articles):
        bodies, rows, tasks, notes = [], [], [], []
        for a in range(shard_start, min(articles, shard_start + shard_articles)):
            article = f"{a:016x}"
            texts, offsets, position = [], [], 0
            for _ in range(per_article):
                if n >= sentences:
                    break
                text = pool[picks[n]]
                texts.append(text)
                offsets.append((position, position + len(text), n))
                position += len(text) + 1
                n += 1
            body = " ".join(texts)
            bodies.append(
                {
                    "article_id": article,
                    "body": body,
                    "title": f'Article {a}: talks "resume"',
                    "byline": None,
                    "published_at": f"2026-{1 + a % 12:02d}-{1 + a % 28:02d}",
                    "language": "en",
                    "source": f"source-{a % 40}",
                    "url": f"https://news.example/{article}",
                    "error": None,
                }
            )
            for index, (start, end, k) in enumerate(offsets):
                sentence_id = f"{article}:{start}-{end}"
                text = body[start:end]
                rows.append(
                    {"sentence_id": sentence_id, "article_id": article, "index": index,
                     "paragraph": index // 4, "start": start, "end": end, "text": text}
                )  # fmt: skip
                if a >= pushed_articles:
                    continue
                tasks.append(
                    {"campaign": "c1", "sentence_id": sentence_id, "project_id": 1, "task_id": k}
                )
                if not annotate[k]:
                    continue
                first = text.split(" ", 2)
                trigger_end = len(first[0])
                role_start = trigger_end + 1
                role_end = role_start + len(first[1])
                for who in range(2):
                    note_id += 1
                    spans = [
                        {"id": f"e{note_id}", "label": "statement", "start": 0,
                         "end": trigger_end, "text": text[:trigger_end]},
                        {"id": f"r{note_id}", "label": "agent", "start": role_start,
                         "end": role_end, "text": text[role_start:role_end]},
                    ]  # fmt: skip
                    notes.append(
                        {"campaign": "c1", "project_id": 1, "task_id": k,
                         "sentence_id": sentence_id, "annotation_id": note_id,
                         "annotator": f"ann-{who}", "stance": STANCES[stance_pick[k][who]],
                         "spans": spans,
                         "relations": [{"from_id": f"r{note_id}", "to_id": f"e{note_id}"}],
                         "was_cancelled": False, "ground_truth": False, "lead_time": 3.0,
                         "created_at": "2026-11-01", "updated_at": "2026-11-01"}
                    )  # fmt: skip
        shard = f"bench-{shard_start:08d}"
        workspace.write_shard("bodies", shard, pa.Table.from_pylist(bodies, tables.BODIES))
        workspace.write_shard("sentences", shard, pa.Table.from_pylist(rows, tables.SENTENCES))
        workspace.write_shard("tasks", shard, pa.Table.from_pylist(tasks, tables.TASKS))
        workspace.write_shard("annotations", shard, pa.Table.from_pylist(notes, tables.ANNOTATIONS))
    return {
        "sentences": n,
        "articles": articles,
        "pushed_articles": pushed_articles,
        "annotations": note_id,
        "build_s": round(time.perf_counter() - started, 1),
    }


def relabel(folder: Path, share: float) -> None:
    """Change the stance of `share` of the annotations: the next publish is a patch."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsdesk.foundations.workspace import Workspace

    workspace = Workspace(str(folder))
    for shard in workspace.shards("annotations"):
        table = workspace.read_shard("annotations", shard)
        ids = table["annotation_id"]
        flip = pc.less(pc.bit_wise_and(ids, 1023), int(1024 * share))
        stance = pc.if_else(flip, pa.scalar("neutral"), table["stance"])
        table = table.set_column(table.schema.get_field_index("stance"), "stance", stance)
        workspace.write_shard("annotations", shard, table)


def _settings(workspace: Path, outputs: Path):
    from newsdesk.foundations.config import Campaign, load_settings

    settings = load_settings(
        workspace / "none.toml", workspace=str(workspace), publish__outputs=str(outputs)
    )
    return settings.model_copy(update={"campaigns": [Campaign(name="c1", target="Russia")]})


def child_newsdesk(workspace: Path, outputs: Path) -> dict:
    from newsdesk.foundations.labelschema import load_label_schema
    from newsdesk.foundations.workspace import Workspace
    from newsdesk.publishing.publish import publish

    started = time.perf_counter()
    result = publish(Workspace(str(workspace)), _settings(workspace, outputs), load_label_schema())
    return {"seconds": time.perf_counter() - started, "message": result.message}


def child_datasets(workspace: Path, outputs: Path) -> dict:
    """The straightforward route: Python rows, then Dataset.from_list(...).to_parquet(...)."""
    from collections import defaultdict

    import datasets

    from newsdesk.annotation.aggregate import aggregate
    from newsdesk.foundations.labelschema import load_label_schema
    from newsdesk.foundations.workspace import Workspace
    from newsdesk.publishing.features import sentence_features
    from newsdesk.publishing.splits import split_of
    from schemas import tables

    started = time.perf_counter()
    settings = _settings(workspace, outputs)
    schema = load_label_schema()
    ws = Workspace(str(workspace))
    stance = {v: i for i, v in enumerate(schema.stance.values)}
    events = {v: i for i, v in enumerate(schema.events.values)}
    roles = {v: i for i, v in enumerate(schema.roles.values)}
    notes = defaultdict(list)
    for row in ws.read("annotations", tables.ANNOTATIONS).to_pylist():
        notes[(row["campaign"], row["sentence_id"])].append(row)
    bodies = {r["article_id"]: r for r in ws.read("bodies", tables.BODIES).to_pylist()}
    pushed = ws.read("tasks", tables.TASKS, ["campaign", "sentence_id"]).to_pylist()
    campaign_of = {r["sentence_id"]: r["campaign"] for r in pushed}
    sentences = ws.read("sentences", tables.SENTENCES).to_pylist()
    sentences.sort(key=lambda s: (s["article_id"], s["index"]))
    rows: dict[str, list] = defaultdict(list)
    ratios, salt = settings.publish.splits, settings.publish.split_salt
    for s in sentences:
        campaign = campaign_of.get(s["sentence_id"])
        if campaign is None:  # never pushed: not in the dataset
            continue
        group = notes.get((campaign, s["sentence_id"]), [])
        result = aggregate(group)
        article = bodies[s["article_id"]]
        split = split_of(s["article_id"], salt, ratios)
        rows[split].append(
            {
                **s,
                "campaign": campaign,
                "target": "Russia",
                "title": article["title"],
                "source": article["source"],
                "published_at": article["published_at"],
                "stance": stance.get(result.stance or "", -1),
                "stance_agreement": result.stance_agreement,
                "events": [
                    {k: x[k] for k in ("start", "end", "text")} | {"label": events[x["label"]]}
                    for x in result.spans
                    if x["label"] in events
                ],
                "arguments": [
                    {k: x[k] for k in ("start", "end", "text")}
                    | {"label": roles[x["label"]], "event": -1}
                    for x in result.spans
                    if x["label"] in roles
                ],
                "annotator_count": result.annotators,
                "adjudicated": any(a["ground_truth"] for a in group),
                "annotator_labels": [
                    {"annotator": a["annotator"], "stance": stance.get(a["stance"], -1)}
                    for a in group
                ],
                "split": split,
            }
        )
    features = sentence_features(schema)
    outputs.mkdir(parents=True, exist_ok=True)
    for split, split_rows in rows.items():
        dataset = datasets.Dataset.from_list(split_rows, features=features)
        dataset.to_parquet(str(outputs / f"{split}.parquet"))
    return {"seconds": time.perf_counter() - started, "message": "datasets route done"}


def measure(kind: str, workspace: Path, outputs: Path) -> dict:
    """Run one child in a fresh process; its wall time and its own peak resident memory
    (`os.wait4` gives the rusage of that one child, which `RUSAGE_CHILDREN` would mix up
    with earlier children)."""
    command = [sys.executable, __file__, "--child", kind, str(workspace), str(outputs)]
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    env["HF_DATASETS_CACHE"] = str(outputs.parent / "hf-cache")
    log = outputs.parent / f"{kind}.log"
    started = time.perf_counter()
    with log.open("w") as stream:
        child = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    output = log.read_text()
    if child.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{output[-3000:]}")
    report = json.loads(output.strip().splitlines()[-1])
    return {
        "kind": kind,
        "inside_s": round(report["seconds"], 1),
        "process_s": round(wall, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "message": report["message"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--annotated", type=float, default=0.05, help="share of sentences")
    parser.add_argument("--pushed", type=float, default=1.0, help="share of articles with tasks")
    parser.add_argument("--skip-alternative", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "WORKSPACE", "OUTPUTS"))
    args = parser.parse_args()
    if args.child:
        kind, workspace, outputs = args.child
        run = child_newsdesk if kind.startswith("newsdesk") else child_datasets
        print(json.dumps(run(Path(workspace), Path(outputs))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        base = Path(tmp)
        shape = make_workspace(
            base / "ws", args.sentences, args.per_article, args.annotated, args.pushed
        )
        print(f"workspace: {json.dumps(shape)}", flush=True)
        results = [measure("newsdesk-first", base / "ws", base / "out")]
        print(json.dumps(results[-1]), flush=True)
        relabel(base / "ws", 0.1)
        results.append(measure("newsdesk-patch", base / "ws", base / "out"))
        print(json.dumps(results[-1]), flush=True)
        if not args.skip_alternative:
            results.append(measure("datasets", base / "ws", base / "alt"))
            print(json.dumps(results[-1]), flush=True)
            ratio = results[-1]["process_s"] / results[0]["process_s"]
            print(f"datasets route / newsdesk publish (wall time): {ratio:.1f}x")
        files = sorted((base / "out").rglob("data/sentences/*.parquet"))
        mib = sum(p.stat().st_size for p in files) / 2**20
        print(f"sentences Parquet files of both versions: {len(files)}, {mib:.0f} MiB")


if __name__ == "__main__":
    main()
