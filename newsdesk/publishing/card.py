"""The dataset card and changelog: YAML front matter `load_dataset` reads, and prose a reader
needs. Statistics are computed with Arrow kernels, so a card for a million rows is cheap.

Article text (titles, sources) never enters the YAML, and enters the Markdown only through
`_inline`, which keeps it on one line and escapes what Markdown would read as structure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from newsdesk.annotation.agreement import AgreementReport, agreement
from newsdesk.foundations.config import Settings
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.publishing.tokens import TOKENIZER

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


def yaml_features(features: datasets.Features) -> list[dict[str, Any]]:
    """Features in the list form of a card's `dataset_info` (what the Hub and `load_dataset`
    read back with `DatasetInfosDict.from_dataset_card_data`)."""
    return [{"name": name, **_yaml_type(feature)} for name, feature in features.items()]


def _yaml_type(feature: Any) -> dict[str, Any]:
    if isinstance(feature, datasets.Value):
        return {"dtype": feature.dtype}
    if isinstance(feature, datasets.ClassLabel):
        return {"dtype": _class_label(feature)}
    if isinstance(feature, dict):
        return {"struct": yaml_features(datasets.Features(feature))}
    if isinstance(feature, list | datasets.List | datasets.Sequence):
        inner = feature[0] if isinstance(feature, list) else feature.feature
        if isinstance(inner, dict):
            return {"list": yaml_features(datasets.Features(inner))}
        if isinstance(inner, datasets.ClassLabel):
            return {"list": _class_label(inner)}
        if isinstance(inner, datasets.Value):
            return {"list": inner.dtype}
    raise TypeError(f"no YAML form for the feature {feature!r}")


def _class_label(feature: datasets.ClassLabel) -> dict[str, Any]:
    return {"class_label": {"names": {str(i): name for i, name in enumerate(feature.names)}}}


def front_matter(
    settings: Settings,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
    languages: list[str],
) -> dict[str, Any]:
    """What the Hub and `load_dataset` read: configs, features, splits and sizes. A split
    without rows keeps its file (schema only) but is left out here: `datasets` cannot build a
    split of zero examples, and declaring one would make `load_dataset(path)` fail."""
    configs = []
    infos = []
    for config, splits in data.items():
        configs.append(
            {
                "config_name": config,
                **({"default": True} if config == "sentences" else {}),
                "data_files": [
                    {"split": split, "path": f"data/{config}/{split}-*.parquet"}
                    for split, table in splits.items()
                    if table.num_rows
                ],
            }
        )
        prefix = f"data/{config}/"
        infos.append(
            {
                "config_name": config,
                "features": yaml_features(features[config]),
                "splits": [
                    {"name": split, "num_bytes": table.nbytes, "num_examples": table.num_rows}
                    for split, table in splits.items()
                    if table.num_rows
                ],
                "download_size": sum(
                    entry["bytes"]
                    for name, entry in manifest["files"].items()
                    if name.startswith(prefix)
                ),
                "dataset_size": sum(table.nbytes for table in splits.values()),
            }
        )
    sentence_rows = sum(t.num_rows for t in data["sentences"].values())
    return {
        "pretty_name": f"{settings.publish.dataset} {manifest['version']}",
        # the annotations are under the configured licence, the source text under its
        # publishers' terms: no one licence id covers both
        "license": "other",
        "license_name": f"annotations-{settings.publish.license}-source-text-publishers-terms",
        "language": languages or ["en"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
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
        "annotator_emails": len(
            [a for a in pc.unique(annotations["annotator"]).to_pylist() if a and "@" in a]
        ),
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


TEMPLATE = Path(__file__).with_name("card_template.md")
RECIPE = Path(__file__).parent / "recipes" / "stance_baseline.py"
RECIPE_PATH = '"outputs/newsdesk-news/latest"'  # the dataset path in the recipe file

# what each published field holds; the field tables list every field of the features, with
# the type generated from them and this text (an empty cell for a field not described here)
FIELD_DOCS = {
    "sentence_id": "the sentence: `<article_id>:<start>-<end>`",
    "article_id": "the article, a content-derived id",
    "campaign": "the campaign (Label Studio project) the row was labeled in",
    "target": "what the stance is toward",
    "index": "position of the sentence in its article, from 0",
    "paragraph": "paragraph of the sentence in its article, from 0",
    "start": "offset of the sentence (or span, token) start",
    "end": "offset just past its end",
    "text": "the sentence text (of a span: its text)",
    "title": "the article's headline as found",
    "source": "the publisher (site) of the article",
    "url": "the article's address, when known",
    "published_at": "publication date (ISO), when known",
    "language": "language code detected from the body",
    "body": "the cleaned article body",
    "stance": "aggregated stance; -1 when nobody labeled it or a tie",
    "stance_agreement": "share of annotators choosing the majority stance",
    "events": "agreed event triggers",
    "arguments": "agreed argument spans",
    "label": "the span's type (event type or argument role)",
    "event": "index in `events` of the trigger the argument is linked to, -1 if none",
    "annotator_count": "annotators who labeled the sentence (skips excluded)",
    "adjudicated": "a reviewer's decision set the labels",
    "annotator_labels": "each annotator's own stance",
    "annotator": "the annotator's pseudonym",
    "sentences": "the article's published sentence rows, in order",
    "tokens": "the sentence's tokens",
    "token_start": "offset of each token into the sentence",
    "token_end": "offset just past each token",
    "event_tags": "BIO tag of each token",
    "was_cancelled": "the annotator skipped the sentence",
    "ground_truth": "a reviewer's decision (adjudication)",
    "lead_time": "seconds the annotator spent",
    "created_at": "when the annotation was made",
    "split": "the split of the row (the same as its file's)",
    # where a name means something else in its place: "<config>.<path>" or "<path>"
    "events[].text": "the span's text",
    "arguments[].text": "the span's text",
    "events[].start": "span start, offset into the sentence",
    "events[].end": "span end, offset into the sentence",
    "arguments[].start": "span start, offset into the sentence",
    "arguments[].end": "span end, offset into the sentence",
    "articles.sentences[].start": "sentence start, offset into `body`",
    "articles.sentences[].end": "sentence end, offset into `body`",
    "sentences.start": "sentence start, offset into the article body",
    "sentences.end": "sentence end, offset into the article body",
    "annotator_labels[].stance": "that annotator's stance; -1 if none (skipped)",
    "annotations.stance": "the annotator's stance; -1 if none",
    "annotations.events": "the annotator's event triggers",
    "annotations.arguments": "the annotator's argument spans",
    "arguments[].label": "the argument's role",
    "events[].label": "the trigger's event type",
}


def _type_text(feature: Any) -> str:
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, datasets.ClassLabel):
        return f"ClassLabel ({feature.num_classes} names)"
    if isinstance(feature, dict):
        return "struct"
    inner = feature[0] if isinstance(feature, list) else feature.feature
    return "list of structs" if isinstance(inner, dict) else f"list of {_type_text(inner)}"


def _field_doc(config: str, path: str, name: str) -> str:
    """The most specific description: of this config's field, of the path, of the name."""
    for key in (f"{config}.{path}", path, path.rsplit(".", 1)[-1], name):
        if key in FIELD_DOCS:
            return FIELD_DOCS[key]
    return ""


def _field_rows(config: str, features: dict[str, Any], prefix: str = "") -> list[str]:
    rows = []
    for name, feature in features.items():
        path = f"{prefix}{name}"
        rows.append(f"| `{path}` | {_type_text(feature)} | {_field_doc(config, path, name)} |")
        if isinstance(feature, list | datasets.List | datasets.Sequence):
            inner = feature[0] if isinstance(feature, list) else feature.feature
            if isinstance(inner, dict):
                rows += _field_rows(config, inner, f"{path}[].")
        elif isinstance(feature, dict):
            rows += _field_rows(config, feature, f"{path}.")
    return rows


def field_tables(features: dict[str, datasets.Features]) -> str:
    """One table per config, every field (nested ones as `parent[].child`) with its type
    generated from the features."""
    return "\n\n".join(
        f"`{config}`:\n\n" + _table("| field | type | holds |", _field_rows(config, feats))
        for config, feats in features.items()
    )


def span_rule(share: float) -> str:
    """How spans were aggregated, in words that follow `labelstudio.span_agreement`."""
    words = {0.5: "at least half", 1.0: "all"}.get(share, f"at least {share:.0%}")
    return (
        f"a span is kept when {words} of the annotators (`labelstudio.span_agreement = "
        f"{share:g}`) marked an overlapping span of the same type (its most common extent "
        f"wins); an argument is linked to the kept trigger that {words} of the annotators "
        "linked it to."
    )


def _per_split(splits: dict[str, pa.Table], column: str, spans: bool) -> dict[str, dict]:
    return {
        split: (_span_counts(table, column) if spans else _counts(table[column]))
        for split, table in splits.items()
    }


def _distribution(title: str, names: list[str], counts: dict[str, dict], extra=None) -> str:
    splits = list(counts)
    rows = [
        f"| {name} | " + " | ".join(str(counts[s].get(i, 0)) for s in splits) + " |"
        for i, name in enumerate(names)
    ]
    if extra is not None:
        rows.append(f"| {extra} | " + " | ".join(str(counts[s].get(-1, 0)) for s in splits) + " |")
    return _table(f"| {title} | " + " | ".join(splits) + " |", rows)


def _fence(text: str, language: str) -> str:
    """A code block no text inside can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _shorten(value: Any, limit: int = 300) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    return value


def _example(data: dict[str, dict[str, pa.Table]], schema: LabelSchema) -> tuple[str, str, str]:
    """The first labeled row of `sentences` (train first), as JSON; where it is; its names."""
    for split, table in data["sentences"].items():
        labeled = pc.indices_nonzero(pc.greater(table["annotator_count"], 0))
        if len(labeled):
            row = table.take(labeled[:1]).to_pylist()[0]
            where = f"the first labeled row of `{split}`"
            break
    else:
        rows = [t.slice(0, 1).to_pylist() for t in data["sentences"].values() if t.num_rows]
        if not rows:
            return "No row in this version.", "none", "none"
        row, where = rows[0][0], "no row is labeled yet: the first row"
    names = []
    if row["stance"] >= 0:
        names.append(f"`stance` {row['stance']} is `{schema.stance.values[row['stance']]}`")
    for i, event in enumerate(row["events"]):
        value = schema.events.values[event["label"]]
        names.append(f"`events[{i}].label` {event['label']} is `{value}`")
    text = json.dumps(_shorten(row), ensure_ascii=False, indent=2)
    return _fence(text, "json"), where, "; ".join(names) or "it has no label"


def _empty_splits(settings: Settings, data: dict[str, dict[str, pa.Table]], warnings) -> str:
    lines = [f"**Warning:** {_inline(w, 300)}." for w in warnings]
    empty = [split for split, table in data["sentences"].items() if not table.num_rows]
    if empty:
        names = ", ".join(f"`{s}`" for s in empty)
        lines.append(
            f"**{names} {'has' if len(empty) == 1 else 'have'} no rows in this version.** Its "
            "file is there (schema, no rows) and the manifest lists it, but it is left out of "
            "the loading configuration above: `datasets` (5.2 and older) cannot build a split "
            "of zero examples, and declaring it would make `load_dataset(path)` fail. It "
            "appears as soon as one of its articles is published; until then "
            "`load_dataset(path)` gives the other splits."
        )
    return "\n\n".join(lines)


def _citation(settings: Settings, manifest: dict[str, Any]) -> str:
    key = re.sub(r"\W", "_", f"{settings.publish.dataset}_{manifest['version']}")
    year = str(manifest["created_at"])[:4]
    return "\n".join(
        [
            f"@misc{{{key},",
            f"  title = {{{settings.publish.dataset}: news sentences labeled for stance and "
            f"events, version {manifest['version']}}},",
            f"  year = {{{year}}},",
            f"  version = {{{manifest['version']}}},",
            f"  note = {{Built with newsdesk; label schema fingerprint "
            f"{manifest['label_schema_fingerprint']}}}",
            "}",
        ]
    )


def recipe(settings: Settings) -> str:
    """The stance baseline of the card, with this dataset's path."""
    text = RECIPE.read_text(encoding="utf-8").strip()
    return text.replace(RECIPE_PATH, json.dumps(f"outputs/{settings.publish.dataset}/latest"))


def _split_texts(
    settings: Settings, manifest: dict[str, Any], data: dict[str, dict[str, pa.Table]]
) -> tuple[str, str]:
    """The table of splits and how articles were assigned to them."""
    sentences, articles, tokens = data["sentences"], data["articles"], data["tokens"]
    total = sum(t.num_rows for t in sentences.values()) or 1
    split_table = _table(
        "| split | ratio | sentence rows | share | labeled rows | token rows | articles |",
        [
            f"| {split} | {ratio:g} | {sentences[split].num_rows} | "
            f"{sentences[split].num_rows / total:.1%} | "
            f"{pc.sum(pc.greater(sentences[split]['annotator_count'], 0)).as_py() or 0} | "
            f"{tokens[split].num_rows} | {articles[split].num_rows} |"
            for split, ratio in settings.publish.splits.items()
        ],
    )
    ratio_sum = sum(settings.publish.splits.values())
    ratios = ", ".join(f"{k} {v / ratio_sum:.0%}" for k, v in settings.publish.splits.items())
    copies = manifest.get("near_duplicates") or {}
    split_how = (
        f"Splits are assigned per story by a salted hash (sha256 of salt "
        f"`{_inline(settings.publish.split_salt)}`, `publish.split_salt`, and a key) against "
        f"the ratios {ratios} (`publish.splits`). Near-duplicate articles (wire copies, updated "
        f"versions; found by {copies.get('method', 'MinHash LSH')}: "
        f"{copies.get('clusters', 0)} clusters holding {copies.get('articles_in_clusters', 0)} "
        "articles in this workspace) share one key, fixed when their cluster formed, so no "
        "story appears in two splits and a cluster keeps its split as it grows; every other "
        "article's key is its own id. The share of each split approaches its ratio as articles "
        "accumulate (a small version can be far from it, as the table shows). Campaigns label "
        f"one article per cluster by default, its representative: "
        f"{_inline(copies.get('representative_rule', ''), 300)}."
    )
    return split_table, split_how


def _label_tables(schema: LabelSchema, s: dict[str, Any]) -> dict[str, str]:
    """One table per label kind: ids, names, counts in this version, meanings."""
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
    return {"stance_table": stance_table, "event_table": event_table, "role_table": role_table}


def _agreement_text(s: dict[str, Any]) -> str:
    """Agreement in one paragraph, or why it cannot be measured yet."""
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
    return agreement_text


def _annotator_texts(settings: Settings, s: dict[str, Any]) -> tuple[str, str]:
    """Who annotated and how, and how their identities are protected."""
    per_sentence = ", ".join(f"{n} annotators: {rows}" for n, rows in s["per_sentence"])
    emails = s["annotator_emails"]
    annotator_text = (
        f"{s['annotations']} annotations ({s['cancelled']} skipped by their annotator) by "
        f"{s['annotators']} annotators; labeled sentence rows by number of annotators: "
        f"{per_sentence or 'none'}. Annotators were invited by the maintainers and labeled "
        "in Label Studio's stream, which shows no one another's labels (its task list can: "
        "agreement is only as blind as the annotators kept it)."
    )
    annotator_privacy = (
        f"The {s['annotators']} annotators appear under pseudonyms (`annotator`): with "
        "`labelstudio.pseudonymize` on (it is "
        f"{'on' if settings.labelstudio.pseudonymize else 'off'} for this publish) `pull` "
        "stores a salted hash of each annotator's e-mail address, and the salt stays with "
        "the installation, so a pseudonym cannot be matched to a known address."
        if not emails
        else f"**{emails} annotator identifiers look like e-mail addresses**: they were pulled "
        "with `labelstudio.pseudonymize` off; pull again with it on before sharing this version."
    )
    return annotator_text, annotator_privacy


def _review_text(manifest: dict[str, Any]) -> str:
    """Annotations rejected, repaired, orphaned and adjudicated, by reason."""
    review = manifest.get("annotation_review") or {}
    rejected = review.get("rejected") or {}
    review_text = (
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
        review_text += f" {sum(repaired.values())} annotations were kept after repair: {listed}."
    orphaned = review.get("orphaned") or {}
    if orphaned:
        listed = "; ".join(f"{_inline(r, 160)} ({n})" for r, n in orphaned.items())
        review_text += (
            f" {sum(orphaned.values())} annotations were left out because improved cleaning or "
            f"splitting rules changed their sentence beyond carrying them over: {listed}."
        )
    review_text += (
        f"\n\n{review.get('adjudicated', 0)} sentence rows carry a reviewer's decision "
        "(`adjudicated`): their annotators disagreed and `newsdesk adjudicate` sent them to a "
        "review project."
    )
    return review_text


def _source_text(s: dict[str, Any]) -> str:
    """Where the articles come from: sources, dates, languages, row counts."""
    sources = ", ".join(f"{_inline(name, 60)} ({count})" for name, count in s["sources"][:20])
    more = len(s["sources"]) - 20
    if more > 0:
        sources += f" and {more} more"
    first, last = s["dates"]
    first, last = s["dates"]
    source_text = "\n".join(
        [
            f"- Articles: {s['articles']} from {len(s['sources'])} sources: {sources or 'none'}",
            f"- Published between {_inline(first or 'unknown')} and {_inline(last or 'unknown')}",
            f"- Languages: {', '.join(s['languages']) or 'unknown'}",
            f"- Sentence rows: {s['sentences']} (one per campaign and sentence), "
            f"{s['annotated']} labeled",
        ]
    )
    return source_text + "\n\n" + _tokenizer_text()


def _limits(manifest: dict[str, Any]) -> str:
    """Known limitations, and this version's warnings."""
    limits = [
        "Sentences nobody annotated are published with stance -1 and no spans; filter on "
        "`annotator_count > 0` (or `stance >= 0`) for labeled data.",
        "Cleaning and sentence splitting are automatic and make mistakes (a caption kept, two "
        "sentences joined); annotators may mark such sentences `unrelated`.",
        "Span agreement matches spans of the same type by overlap, so agreed extents can "
        "differ; `newsdesk agreement` reports it per label and per annotator.",
        "In `tokens`, a span's edge inside a token tags the whole token; where two agreed "
        "spans overlap, the token keeps the first one's tag.",
        "Relations between two triggers or two arguments are not published.",
        "Article metadata (title, source, date) is as the source gave it and may be missing.",
    ]
    limits += [f"{_inline(w, 300)}." for w in manifest.get("warnings") or []]
    return "\n".join(f"- {line}" for line in limits)


def dataset_card(
    settings: Settings,
    schema: LabelSchema,
    manifest: dict[str, Any],
    data: dict[str, dict[str, pa.Table]],
    features: dict[str, datasets.Features],
) -> str:
    """README.md for a version, from `card_template.md`: every number from this version's
    data; article text only ever enters the Markdown through `_inline` or a JSON code block.

    Its length is the one mapping of the template's fields to their values; each section's
    prose is made by a helper above."""
    s = _stats(data, features)
    header = yaml.safe_dump(
        front_matter(settings, manifest, data, features, s["languages"]),
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    splits = list(settings.publish.splits)
    sentences = data["sentences"]
    split_table, split_how = _split_texts(settings, manifest, data)
    annotator_text, annotator_privacy = _annotator_texts(settings, s)
    tag_names = features["tokens"]["event_tags"].feature.names
    campaigns = "\n".join(
        f"- `{_inline(c.name)}`: stance toward {_inline(c.target)}"
        + (f" ({_inline(c.description, 200)})" if c.description else "")
        for c in settings.campaigns
    )
    example, example_where, example_names = _example(data, schema)
    values = {
        "front_matter": header,
        "title": f"{_inline(settings.publish.dataset)} {manifest['version']}",
        "dataset": settings.publish.dataset,
        "version": manifest["version"],
        "sentence_rows": s["sentences"],
        "article_count": s["articles"],
        "annotated_rows": s["annotated"],
        "languages": ", ".join(s["languages"]) or "unknown",
        "empty_splits": _empty_splits(settings, data, manifest.get("warnings") or []),
        "split_names": ", ".join(f"`{name}`" for name in splits),
        "tokenizer": TOKENIZER,
        "tag_count": len(tag_names),
        "tag_names": ", ".join(f"{i} `{name}`" for i, name in enumerate(tag_names)),
        "example": example,
        "example_where": example_where,
        "example_names": example_names,
        "field_tables": field_tables(features),
        "schema_name": _inline(schema.name),
        "schema_version": schema.version,
        "schema_fingerprint": schema.fingerprint,
        "stance_help": _inline(schema.stance.description, 600),
        "event_help": _inline(schema.events.description, 600),
        "role_help": _inline(schema.roles.description, 600),
        **_label_tables(schema, s),
        "linked": s["linked"],
        "argument_count": s["arguments"],
        "split_table": split_table,
        "split_how": split_how,
        "stance_by_split": _distribution(
            "stance", schema.stance.values, _per_split(sentences, "stance", False), "(none)"
        ),
        "event_by_split": _distribution(
            "event type", schema.events.values, _per_split(sentences, "events", True)
        ),
        "span_rule": span_rule(settings.labelstudio.span_agreement),
        "campaigns": campaigns or "- none configured",
        "annotator_text": annotator_text,
        "agreement_text": _agreement_text(s),
        "review_text": _review_text(manifest),
        "source_text": _source_text(s),
        "limits": _limits(manifest),
        "license": _inline(settings.publish.license),
        "source_count": len(s["sources"]),
        "annotator_privacy": annotator_privacy,
        "recipe": recipe(settings),
        "citation": _citation(settings, manifest),
        "changes": changes_summary(manifest),
        "parent": manifest["parent"] or "none",
        "created_at": manifest["created_at"],
        "tables_version": manifest["tables_version"],
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def _tokenizer_text() -> str:
    return (
        f"The `tokens` config is cut by `{TOKENIZER}`, newsdesk's own rule tokenizer "
        "(`newsdesk/publishing/tokens.py`): a word is a run of letters, digits and combining "
        "marks, with inner apostrophes and hyphens, and `.` or `,` between digits; each CJK "
        "ideograph or kana is a token; any other character that is not a space is a token of "
        "its own. "
        "Offsets are Python string indices into the sentence."
    )


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
