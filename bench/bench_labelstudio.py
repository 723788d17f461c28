"""Push and pull against a real Label Studio, beside a bare bulk import of the same tasks.

    .venv/bin/python bench/bench_labelstudio.py [--sentences 10000]

Starts a throwaway Label Studio on a free port (the venv `newsdesk labelstudio install`
made), builds a synthetic workspace, and prints tasks per second for a bare SDK bulk import
and for `push` (with and without pre-annotations), the re-push time, and the time to pull
that many annotations. Goals: push >= 80% of bare import speed, re-push < 15 s, pulling
10,000 annotations < 30 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.labelconfig import label_config
from newsdesk.annotation.prelabel import KeywordTagger
from newsdesk.annotation.projects import ensure_project
from newsdesk.annotation.pull import pull_campaign
from newsdesk.annotation.push import payloads, push_campaign, select_articles
from newsdesk.annotation.server import LocalLabelStudio
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.ids import sentence_ids
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.services import free_port
from newsdesk.foundations.workspace import Workspace
from schemas import tables

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "the",
    "minister",
    "said",
    "talks",
    "with",
    "officials",
    "would",
    "resume",
    "next",
    "week",
    "after",
    "a",
    "warning",
    "over",
    "sanctions",
    "on",
    "shipping",
    "and",
    "a",
    "missile",
    "launch",
    "near",
    "the",
    "border",
    "drew",
    "protests",
    "in",
    "the",
    "capital",
]


def synthetic_workspace(folder: Path, sentences: int, per_article: int = 20) -> Workspace:
    """Articles of `per_article` sentences each, in shards of 500 articles."""
    rng = random.Random(1)
    workspace = Workspace(str(folder))
    articles = sentences // per_article
    for shard_start in range(0, articles, 500):
        bodies, rows = [], []
        for a in range(shard_start, min(articles, shard_start + 500)):
            article = f"art{a:07d}"
            texts = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))).capitalize() + "."
                for _ in range(per_article)
            ]
            body = " ".join(texts)
            position = 0
            identities = sentence_ids(article, texts)
            for index, (text, identity) in enumerate(zip(texts, identities, strict=True)):
                start = body.index(text, position)
                position = start + len(text)
                rows.append({"sentence_id": identity,
                             "article_id": article, "index": index, "paragraph": 0,
                             "start": start, "end": position, "text": text})  # fmt: skip
            bodies.append({"article_id": article, "body": body, "title": f"Story {a}",
                           "byline": None, "published_at": f"2026-10-{1 + a % 28:02d}",
                           "language": "en", "source": "bench.example", "url": None,
                           "error": None})  # fmt: skip
        shard = f"s{shard_start:07d}"
        workspace.write_shard("bodies", shard, pa.Table.from_pylist(bodies, tables.BODIES))
        workspace.write_shard("sentences", shard, pa.Table.from_pylist(rows, tables.SENTENCES))
    return workspace


def bare_import(
    client: LabelStudioClient, data: list[dict], config: str, tagger: KeywordTagger | None = None
) -> float:
    """What a script without newsdesk does: create a project, import in batches of 1,000
    (with `tagger`, each task carries its keyword predictions inline). Timed like `push`,
    which also creates its project."""
    started = time.perf_counter()
    project = client.sdk.projects.create(title=f"bare-{time.time()}", label_config=config)
    for i in range(0, len(data), 1000):
        tasks = [{"data": d} for d in data[i : i + 1000]]
        if tagger:
            for task in tasks:
                result = tagger.result(task["data"]["sentence"])
                task["predictions"] = [{"model_version": tagger.model_version, "result": result}]
        client.sdk.projects.import_tasks(project.id, request=tasks)
    return time.perf_counter() - started


def annotated_project(client: LabelStudioClient, data: list[dict], schema) -> Campaign:
    """A campaign project whose every task already has one stance annotation."""
    campaign = Campaign(name="bench-pull", target="X")
    project_id = ensure_project(client, campaign, schema)
    result = [{"from_name": "stance", "to_name": "sentence", "type": "choices",
               "value": {"choices": ["neutral"]}}]  # fmt: skip
    for i in range(0, len(data), 1000):
        batch = [{"data": d, "annotations": [{"result": result}]} for d in data[i : i + 1000]]
        client.sdk.projects.import_tasks(project_id, request=batch)
    return campaign


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=10_000)
    args = parser.parse_args()
    schema = load_label_schema()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "ls"
        server = LocalLabelStudio(home, shared_venv=ROOT / ".newsdesk" / "labelstudio" / "venv")
        print("starting Label Studio…", flush=True)
        state, _ = server.start(free_port(18700), "bench@newsdesk.local")
        try:
            client = LabelStudioClient(str(state["url"]), str(state["token"]))
            workspace = synthetic_workspace(Path(tmp) / "ws", args.sentences)
            campaign = Campaign(name="bench-plain", target="X")
            data, _ = payloads(workspace, select_articles(workspace, campaign), campaign)
            n = len(data)
            bare = bare_import(client, data, label_config(schema))
            tagger = KeywordTagger.from_schema(schema)
            bare_predicted = bare_import(client, data, label_config(schema), tagger)
            started = time.perf_counter()
            push_campaign(workspace, client, campaign, schema, predictions=False)
            plain = time.perf_counter() - started
            started = time.perf_counter()
            again = push_campaign(workspace, client, campaign, schema, predictions=False)
            repush = time.perf_counter() - started
            assert again.imported == 0
            predicted = Campaign(name="bench-predictions", target="X")
            started = time.perf_counter()
            push_campaign(workspace, client, predicted, schema)
            with_predictions = time.perf_counter() - started
            annotated = annotated_project(client, data, schema)
            # push adopts the annotated tasks it finds (it imports none), so the workspace
            # knows them, as it knows every task pull trusts
            adopted = push_campaign(workspace, client, annotated, schema, predictions=False)
            assert adopted.imported == 0, adopted.summary()
            started = time.perf_counter()
            pulled = pull_campaign(workspace, client, annotated, schema, "salt")
            pull_time = time.perf_counter() - started
        finally:
            server.stop()
    print(f"\n{n} sentences, Label Studio 1.23 on 127.0.0.1 (2 cores, shared machine)\n")
    print(f"{'what':<42}{'seconds':>9}{'tasks/s':>10}{'vs bare':>9}")
    for name, seconds in (
        ("bare SDK bulk import (no checks)", bare),
        ("newsdesk push, no pre-annotations", plain),
    ):
        print(f"{name:<42}{seconds:>9.1f}{n / seconds:>10.0f}{bare / seconds:>9.2f}")
    print(f"{'':<42}{'':>9}{'':>10}{'vs bare+pred':>13}")
    for name, seconds in (
        ("bare import, predictions inline", bare_predicted),
        ("newsdesk push, with pre-annotations", with_predictions),
    ):
        print(f"{name:<42}{seconds:>9.1f}{n / seconds:>10.0f}{bare_predicted / seconds:>13.2f}")
    print(f"{'re-push, nothing new (goal < 15 s)':<42}{repush:>9.1f}")
    print(f"{f'pull {pulled.annotations} annotations (goal < 30 s)':<42}{pull_time:>9.1f}")


if __name__ == "__main__":
    main()
