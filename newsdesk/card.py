"""The dataset card and changelog: YAML front matter `load_dataset` reads, and prose a reader
needs. Statistics are computed with Arrow kernels, so a card for a million rows is cheap.

Article text (titles, sources) never enters the YAML, and enters the Markdown only through
`_inline`, which keeps it on one line and escapes what Markdown would read as structure.
"""

from __future__ import annotations

import re
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from annotation.agreement import AgreementReport, agreement
from newsdesk.config import Settings
from newsdesk.labelschema import LabelSchema

CHANGE_WORDS = {
    "added": "rows added",
    "removed": "rows removed",
    "text_changed": "rows whose text changed",
    "relabeled": "rows relabeled",
    "moved_split": "rows moved to another split",
}
EXAMPLES_PER_CHANGE = 20


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if rows < limit:
            return name
    return "100K<n<1M" if rows < 1_000_000 else "1M<n<10M"


def _inline(value: object, limit: int = 120) -> str:
    """Untrusted text as one safe line of Markdown."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text) or "unknown"


def _all(splits: dict[str, pa.Table], features: datasets.Features) -> pa.Table:
    return pa.concat_tables([features.arrow_schema.empty_table(), *splits.values()])


def _counts(values: pa.Array | pa.ChunkedArray) -> dict[Any, int]:
    if len(values) == 0:
        return {}
    return {x["values"]: x["counts"] for x in pc.value_counts(values).to_pylist()}


def _span_counts(table: pa.Table, column: str) -> dict[int, int]:
    flat = pc.list_flatten(table[column])
    return _counts(pc.struct_field(flat, "label")) if len(flat) else {}


def front_matter(
    settings: Settings,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
    languages: list[str],
) -> dict[str, Any]:
    """What the Hub and `load_dataset` read: configs, features, splits and sizes."""
    configs = []
    infos = []
    for config, splits in data.items():
        if not splits:
            continue
        configs.append(
            {
                "config_name": config,
                **({"default": True} if config == "sentences" else {}),
                "data_files": [
                    {"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits
                ],
            }
        )
        info = datasets.DatasetInfo(features=features[config])._to_yaml_dict()
        info["config_name"] = config
        info["splits"] = [
            {"name": split, "num_bytes": table.nbytes, "num_examples": table.num_rows}
            for split, table in splits.items()
        ]
        prefix = f"data/{config}/"
        info["download_size"] = sum(
            entry["bytes"] for name, entry in manifest["files"].items() if name.startswith(prefix)
        )
        info["dataset_size"] = sum(table.nbytes for table in splits.values())
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


def _stats(data: dict[str, dict[str, pa.Table]], features: dict[str, datasets.Features]) -> dict:
    articles = _all(data["articles"], features["articles"])
    sentences = _all(data["sentences"], features["sentences"])
    annotations = _all(data["annotations"], features["annotations"])
    dates = pc.filter(articles["published_at"], pc.greater(articles["published_at"], ""))
    bounds = pc.min_max(dates).as_py() if len(dates) else {"min": None, "max": None}
    annotated = sentences.filter(pc.greater(sentences["annotator_count"], 0))
    multi = annotated.filter(pc.greater_equal(annotated["annotator_count"], 2))
    majority_share = multi["stance_agreement"]
    arguments = pc.list_flatten(sentences["arguments"])
    return {
        "articles": articles.num_rows,
        "sentences": sentences.num_rows,
        "annotated": annotated.num_rows,
        "annotations": annotations.num_rows,
        "cancelled": pc.sum(annotations["was_cancelled"]).as_py() or 0,
        "annotators": pc.count_distinct(annotations["annotator"]).as_py(),
        "sources": sorted(
            _counts(pc.fill_null(articles["source"], "unknown")).items(),
            key=lambda item: (-item[1], str(item[0])),
        ),
        "languages": sorted(
            x for x in pc.unique(articles["language"]).to_pylist() if x and x != "und"
        ),
        "dates": (bounds["min"], bounds["max"]),
        "stance": _counts(sentences["stance"]),
        "events": _span_counts(sentences, "events"),
        "roles": _span_counts(sentences, "arguments"),
        "linked": pc.sum(pc.greater_equal(pc.struct_field(arguments, "event"), 0)).as_py() or 0
        if len(arguments)
        else 0,
        "arguments": len(arguments),
        "multi": multi.num_rows,
        "mean_agreement": pc.mean(majority_share).as_py() if len(majority_share) else None,
        "full_agreement": pc.sum(pc.equal(majority_share, 1.0)).as_py() or 0
        if len(majority_share)
        else 0,
        "ties": multi.filter(pc.equal(multi["stance"], -1)).num_rows,
        "coefficients": _coefficients(annotations),
        "per_sentence": sorted(_counts(annotated["annotator_count"]).items()),
    }


def _coefficients(annotations: pa.Table) -> AgreementReport:
    """Chance-corrected agreement over the published annotations (labels as class ids)."""
    columns = ["campaign", "sentence_id", "annotator", "stance", "events", "was_cancelled"]
    rows = [
        {**row, "stance": row["stance"] if row["stance"] >= 0 else None, "spans": row["events"]}
        for row in annotations.select(columns).to_pylist()
    ]
    labels = sorted({span["label"] for row in rows for span in row["spans"]})
    return agreement(rows, [], labels)


def _table(header: str, rows: list[str]) -> str:
    return "\n".join([header, "|" + "---|" * header.count("|", 1), *rows])


def changes_summary(manifest: dict[str, Any]) -> str:
    counts = manifest.get("changes") or {}
    if not manifest.get("parent"):
        return "First version: every row is new."
    parts = [f"{counts.get(kind, 0)} {words}" for kind, words in CHANGE_WORDS.items()]
    return f"Since {manifest['parent']} ({manifest['bump']} release): " + "; ".join(parts) + "."


def dataset_card(
    settings: Settings,
    schema: LabelSchema,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
) -> str:
    """README.md for a version; article text only ever enters the Markdown through `_inline`."""
    s = _stats(data, features)
    header = yaml.safe_dump(
        front_matter(settings, manifest, data, features, s["languages"]),
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    sentence_rows = {split: t.num_rows for split, t in data["sentences"].items()}
    article_rows = {split: t.num_rows for split, t in data["articles"].items()}
    split_table = _table(
        "| split | ratio | sentence rows | articles |",
        [
            f"| {split} | {ratio:g} | {sentence_rows.get(split, 0)} | "
            f"{article_rows.get(split, 0)} |"
            for split, ratio in settings.publish.splits.items()
        ],
    )
    stance_table = _table(
        "| id | stance | sentence rows | meaning |",
        [
            f"| {i} | {x.value} | {s['stance'].get(i, 0)} | {_inline(x.description, 300)} |"
            for i, x in enumerate(schema.stance.labels)
        ]
        + [f"| -1 | (none) | {s['stance'].get(-1, 0)} | not annotated, or a tie |"],
    )
    event_table = _table(
        "| id | event type | spans | meaning |",
        [
            f"| {i} | {x.value} | {s['events'].get(i, 0)} | {_inline(x.description, 300)} |"
            for i, x in enumerate(schema.events.types)
        ],
    )
    role_table = _table(
        "| id | argument role | spans | meaning |",
        [
            f"| {i} | {x.value} | {s['roles'].get(i, 0)} | {_inline(x.description, 300)} |"
            for i, x in enumerate(schema.roles.labels)
        ],
    )
    sources = ", ".join(f"{_inline(name, 60)} ({count})" for name, count in s["sources"][:20])
    more = len(s["sources"]) - 20
    if more > 0:
        sources += f" and {more} more"
    first, last = s["dates"]
    per_sentence = ", ".join(f"{n} annotators: {rows}" for n, rows in s["per_sentence"])
    coefficients: AgreementReport = s["coefficients"]
    alpha, span_f1 = coefficients.stance_alpha, coefficients.span_f1
    agreement_text = (
        f"Krippendorff's alpha for stance (nominal) "
        f"{'n/a' if alpha is None else f'{alpha:.3f}'}; pairwise event span F1 "
        f"{'n/a' if span_f1 is None else f'{span_f1:.3f}'}; mean share of annotators choosing "
        f"the majority stance {s['mean_agreement']:.3f} over {s['multi']} sentence rows with two "
        f"or more annotators; {s['full_agreement']} of them unanimous, {s['ties']} ties left "
        "unlabeled"
        if s["mean_agreement"] is not None
        else "no sentence has two annotators yet, so agreement cannot be measured"
    )
    review = manifest.get("annotation_review") or {}
    rejected = review.get("rejected") or {}
    rejected_text = (
        f"{sum(rejected.values())} annotations were rejected by the schema checks and are not "
        "in this dataset:\n\n"
        + _table(
            "| reason | annotations |",
            [f"| {_inline(reason, 160)} | {count} |" for reason, count in rejected.items()],
        )
        if rejected
        else "No annotation was rejected by the schema checks."
    )
    repaired = review.get("repaired") or {}
    if repaired:
        listed = "; ".join(f"{_inline(r, 160)} ({n})" for r, n in repaired.items())
        rejected_text += f" {sum(repaired.values())} annotations were kept after repair: {listed}."
    orphaned = review.get("orphaned") or {}
    if orphaned:
        listed = "; ".join(f"{_inline(r, 160)} ({n})" for r, n in orphaned.items())
        rejected_text += (
            f" {sum(orphaned.values())} annotations were left out because improved cleaning or "
            f"splitting rules changed their sentence beyond carrying them over: {listed}."
        )
    campaigns = "\n".join(
        f"- `{_inline(c.name)}`: stance toward {_inline(c.target)}"
        + (f" ({_inline(c.description, 200)})" if c.description else "")
        for c in settings.campaigns
    )
    return f"""---
{header}---

# {_inline(settings.publish.dataset)} {manifest["version"]}

News sentences labeled in Label Studio for stance toward a campaign's target and for events
(trigger spans with typed argument spans linked to them), built by newsdesk from raw articles:
ingested, stripped of boilerplate, split into sentences with character offsets into the
cleaned article body.

```python
from datasets import load_dataset
ds = load_dataset("path/to/this/folder")                   # config "sentences" (default)
articles = load_dataset("path/to/this/folder", "articles")  # cleaned bodies and metadata
long = load_dataset("path/to/this/folder", "annotations")   # one row per annotator and sentence
```

## Data

- Articles: {s["articles"]} from {len(s["sources"])} sources: {sources or "none"}
- Published between {_inline(first or "unknown")} and {_inline(last or "unknown")}
- Languages: {", ".join(s["languages"]) or "unknown"}
- Sentence rows: {s["sentences"]} (one per campaign and sentence), {s["annotated"]} annotated
- Annotations: {s["annotations"]} ({s["cancelled"]} skipped by their annotator) by
  {s["annotators"]} annotators (pseudonymised with a salted hash)
- Label schema `{_inline(schema.name)}` v{schema.version}, fingerprint
  `{schema.fingerprint}`; published table layout v{manifest["tables_version"]}

Rejected and adjudicated annotations: {rejected_text}
{review.get("adjudicated", 0)} sentence rows carry a reviewer's decision (`adjudicated`):
their annotators disagreed and `newsdesk adjudicate` sent them to a review project.

Campaigns (one Label Studio project each):

{campaigns or "- none configured"}

### Configs

- `sentences` (default): one row per campaign and sentence, sorted by article and position:
  text with `start`/`end` offsets into the cleaned body, the article's title, source and date,
  the aggregated `stance` (a `ClassLabel`, -1 when unlabeled) and `stance_agreement`, `events`
  (trigger spans with a `ClassLabel` type and offsets into the sentence), `arguments` (role
  spans; `event` is the index in `events` of the trigger the argument is linked to, -1 when
  unlinked), `annotator_count`, `adjudicated` (a reviewer decided the labels) and every
  annotator's own stance in `annotator_labels`.
- `articles`: the cleaned bodies with their metadata, one row per article.
- `annotations`: every annotation as exported (long format), its own events and arguments
  linked the same way, and whether it was skipped or is ground truth.

## Splits

{split_table}

Splits are assigned per article by a salted hash of its id (salt
`{_inline(settings.publish.split_salt)}`): no article appears in two splits, the share of each
split approaches its ratio, and an article keeps its split as the dataset grows.

## How it was made

1. Ingest: raw files (HTML, text, JSON, CSV, Parquet, WARC) become articles with a
   content-derived id; exact duplicates are dropped, unreadable inputs quarantined.
2. Clean: boilerplate (navigation, captions, newsletter and donation boxes, share prompts, lines
   that repeat across a source's articles) is removed line by line, each with its rule recorded.
3. Segment: bodies are split into sentences by rules, with `start`/`end` offsets into the
   cleaned body (`body[start:end] == text`) and the paragraph index.
4. Annotate: each campaign's sentences are labeled in Label Studio; annotators see the sentence
   with its neighbours. Span offsets are Python string indices, as Label Studio counts them.
5. Aggregate: the stance is the majority of annotators (ties stay -1; a ground-truth annotation
   overrides); a span is kept when at least half of the annotators marked an overlapping span
   of the same type (its most common extent wins); an argument is linked to the kept trigger
   that at least half of the annotators linked it to.
6. Check and publish: every offset, span text, label id and row count is checked before
   anything is written; files are zstd Parquet sorted by article and position.

## Labels

{stance_table}

{event_table}

{role_table}

{s["linked"]} of {s["arguments"]} argument spans are linked to a trigger.

## Annotators and agreement

{s["annotators"]} annotators; annotated sentence rows by number of annotators:
{per_sentence or "none"}.
Agreement: {agreement_text}.

## Known limits

- Sentences nobody annotated are published with stance -1 and no spans; filter on
  `annotator_count > 0` for labeled data.
- Cleaning and sentence splitting are automatic and make mistakes (a caption kept, two
  sentences joined); annotators may mark such sentences `unrelated`.
- Span agreement matches spans of the same type by overlap, so agreed extents can differ;
  `newsdesk agreement` reports it per label and per annotator.
- Relations between two triggers or two arguments are not published.
- Article metadata (title, source, date) is as the source gave it and may be missing.

## Changes

{changes_summary(manifest)} Row-by-row changes are in `changes.parquet` and `CHANGELOG.md`.

## Version

{manifest["version"]}, parent {manifest["parent"] or "none"}, created {manifest["created_at"]};
every file's sha256, bytes and rows are in `manifest.json` (`newsdesk verify` checks them).
"""


def changelog(manifest: dict[str, Any], changes: pa.Table) -> str:
    """CHANGELOG.md of a version: what changed since its parent, with examples of each kind."""
    lines = [f"# {manifest['dataset']} {manifest['version']}", ""]
    lines.append(f"Created {manifest['created_at']}; parent {manifest['parent'] or 'none'}.")
    lines.append("")
    if not manifest.get("parent"):
        rows = sum(sum(splits.values()) for splits in [manifest["rows"]["sentences"]])
        lines.append(f"First version: {rows} sentence rows.")
        return "\n".join(lines) + "\n"
    lines.append(changes_summary(manifest))
    lines.append("")
    for kind, words in CHANGE_WORDS.items():
        part = changes.filter(pc.equal(changes["change"], kind))
        if not part.num_rows:
            continue
        lines.append(f"## {part.num_rows} {words}")
        lines.append("")
        for row in part.slice(0, EXAMPLES_PER_CHANGE).to_pylist():
            detail = ""
            if row["before"] is not None or row["after"] is not None:
                before = _inline(row["before"] or "-", 60)
                detail = f": {before} → {_inline(row['after'] or '-', 60)}"
            lines.append(f"- `{row['key']}`{detail}")
        if part.num_rows > EXAMPLES_PER_CHANGE:
            lines.append(f"- … {part.num_rows - EXAMPLES_PER_CHANGE} more in `changes.parquet`")
        lines.append("")
    return "\n".join(lines)
