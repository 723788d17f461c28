"""The dataset card: YAML front matter `load_dataset` reads, and prose a reader needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import datasets
import pyarrow as pa
import yaml

from newsdesk.config import Settings
from newsdesk.labelschema import LabelSchema


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if rows < limit:
            return name
    return "100K<n<1M" if rows < 1_000_000 else "1M<n<10M"


def _concat(parts: Iterable[pa.Table], features: datasets.Features) -> pa.Table:
    return pa.concat_tables([features.arrow_schema.empty_table(), *parts])


def _rows(splits: dict[str, pa.Table], split: str) -> int:
    return splits[split].num_rows if split in splits else 0


def front_matter(
    settings: Settings,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
    languages: list[str],
) -> dict[str, Any]:
    configs = [
        {
            "config_name": config,
            **({"default": True} if config == "sentences" else {}),
            "data_files": [
                {"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits
            ],
        }
        for config, splits in data.items()
        if splits
    ]
    infos = []
    for config, splits in data.items():
        if not splits:
            continue
        info = datasets.DatasetInfo(features=features[config])._to_yaml_dict()
        info["config_name"] = config
        info["splits"] = [
            {"name": split, "num_bytes": table.nbytes, "num_examples": table.num_rows}
            for split, table in splits.items()
        ]
        infos.append(info)
    sentence_rows = sum(t.num_rows for t in data["sentences"].values())
    return {
        "pretty_name": f"{settings.publish.dataset} {manifest['version']}",
        "license": settings.publish.license,
        "language": languages or ["en"],
        "task_categories": ["text-classification", "token-classification"],
        "task_ids": ["sentiment-classification", "named-entity-recognition"],
        "size_categories": [_size_category(sentence_rows)],
        "tags": ["news", "stance-detection", "event-extraction", "newsdesk"],
        "configs": configs,
        "dataset_info": infos,
    }


def dataset_card(
    settings: Settings,
    schema: LabelSchema,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
) -> str:
    """README.md for a version; article text only ever enters the YAML through a dumper."""
    articles = _concat(data["articles"].values(), features["articles"])
    sentences = _concat(data["sentences"].values(), features["sentences"])
    annotations = _concat(data["annotations"].values(), features["annotations"])
    languages = sorted({x for x in articles["language"].to_pylist() if x and x != "und"})
    sources = Counter(x or "unknown" for x in articles["source"].to_pylist())
    dates = sorted(x for x in articles["published_at"].to_pylist() if x)
    stance_counts = Counter(sentences["stance"].to_pylist())
    header = yaml.safe_dump(
        front_matter(settings, manifest, data, features, languages),
        sort_keys=False,
        allow_unicode=True,
    )
    split_lines = "\n".join(
        f"| {split} | {_rows(data['sentences'], split)} | {_rows(data['articles'], split)} |"
        for split in settings.publish.splits
    )
    stance_lines = "\n".join(
        f"| {label.value} | {stance_counts.get(i, 0)} | {label.description} |"
        for i, label in enumerate(schema.stance.labels)
    )
    event_lines = "\n".join(f"| {x.value} | {x.description} |" for x in schema.events.types)
    source_lines = ", ".join(f"{name} ({count})" for name, count in sources.most_common(20))
    ratios = ", ".join(f"{k} {v:g}" for k, v in settings.publish.splits.items())
    return f"""---
{header}---

# {settings.publish.dataset} {manifest["version"]}

News sentences labeled in Label Studio for stance toward a campaign's target and for event
triggers, built by newsdesk from raw articles: ingested, stripped of boilerplate, split into
sentences with character offsets into the cleaned article body.

```python
from datasets import load_dataset
ds = load_dataset("path/to/this/folder")            # config "sentences"
articles = load_dataset("path/to/this/folder", "articles")
```

## Data

- Articles: {articles.num_rows} from {len(sources)} sources: {source_lines or "none"}
- Published between {dates[0] if dates else "unknown"} and {dates[-1] if dates else "unknown"}
- Sentences: {sentences.num_rows}; annotations: {annotations.num_rows} by
  {len(set(annotations["annotator"].to_pylist()))} annotators (pseudonymised)
- Label schema `{schema.name}` v{schema.version}, fingerprint `{schema.fingerprint}`

| split | sentences | articles |
|---|---|---|
{split_lines}

Splits are assigned per article by a salted hash of its id ({ratios}): no article appears in
two splits, and an article keeps its split as the dataset grows.

## How it was made

Boilerplate (navigation, captions, newsletter and donation boxes, share prompts, lines that
repeat across a source's articles) was removed line by line with the rule recorded; sentences
carry `start`/`end` offsets into the cleaned body (`body[start:end] == text`), and event spans
carry offsets into their sentence. Stance is the majority of annotators; ties stay unlabeled
(-1). Event spans are kept when at least half of the annotators marked an overlapping span of
the same type.

## Labels

| stance | sentences | meaning |
|---|---|---|
{stance_lines}

| event type | meaning |
|---|---|
{event_lines}

## Known limits

Sentences without annotations have stance -1. Automatic cleaning and splitting make mistakes;
annotators see the sentence with its neighbours and may mark such sentences `unrelated`.

## Version

{manifest["version"]}, parent {manifest["parent"] or "none"}; files and checksums in
`manifest.json`.
"""
