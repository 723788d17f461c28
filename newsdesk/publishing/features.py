"""Hugging Face `Features` of the published configs, generated from the label schema.

`TABLES_VERSION` is the version of the published table layout (columns and their types, not
the label values): a change to it is a breaking change for users and bumps the major version.
"""

from __future__ import annotations

import datasets

from newsdesk.foundations.labelschema import LabelSchema

# 2: arguments carry `event`, the index of the trigger they are linked to in `events`
# 3: a `split` column in every config, every split present in every version, the `tokens`
#    config, and each article's sentences with their labels in `articles`
TABLES_VERSION = 3
SPLIT = datasets.Value("string")  # the split a row belongs to, also in the file's name


def _spans(names: list[str], **extra: object) -> list[dict[str, object]]:
    """A list of typed spans with offsets into the sentence."""
    span = {
        "label": datasets.ClassLabel(names=names),
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "text": datasets.Value("string"),
    }
    return [{**span, **extra}]


def event_feature(schema: LabelSchema) -> list[dict[str, object]]:
    """Event triggers: typed spans with offsets into the sentence."""
    return _spans(schema.events.values)


def argument_feature(schema: LabelSchema) -> list[dict[str, object]]:
    """Argument spans with their role and the index (into `events`) of their trigger, or -1."""
    return _spans(schema.roles.values, event=datasets.Value("int32"))


def sentence_features(schema: LabelSchema) -> datasets.Features:
    """One row per (campaign, sentence): the aggregated labels and every annotator's own."""
    stance = datasets.ClassLabel(names=schema.stance.values)
    return datasets.Features(
        {
            "sentence_id": datasets.Value("string"),
            "article_id": datasets.Value("string"),
            "campaign": datasets.Value("string"),
            "target": datasets.Value("string"),
            "index": datasets.Value("int32"),
            "paragraph": datasets.Value("int32"),
            "start": datasets.Value("int32"),
            "end": datasets.Value("int32"),
            "text": datasets.Value("string"),
            "title": datasets.Value("string"),
            "source": datasets.Value("string"),
            "published_at": datasets.Value("string"),
            "stance": stance,
            "stance_agreement": datasets.Value("float32"),
            "events": event_feature(schema),
            "arguments": argument_feature(schema),
            "annotator_count": datasets.Value("int32"),
            "adjudicated": datasets.Value("bool"),  # a reviewer's decision set the labels
            "annotator_labels": [{"annotator": datasets.Value("string"), "stance": stance}],
            "split": SPLIT,
        }
    )


ARTICLE_FIELDS = ("article_id", "title", "source", "url", "published_at", "language", "body")
# the columns of a sentence row that `articles` carries for each of its sentences
ARTICLE_SENTENCE_FIELDS = (
    "sentence_id",
    "campaign",
    "index",
    "paragraph",
    "start",
    "end",
    "text",
    "stance",
    "events",
    "arguments",
    "annotator_count",
)


def article_features(schema: LabelSchema) -> datasets.Features:
    """One row per article: cleaned body, metadata, and its published sentence rows in order
    (by position, then campaign), with their aggregated labels."""
    sentence = sentence_features(schema)
    return datasets.Features(
        {
            **{name: datasets.Value("string") for name in ARTICLE_FIELDS},
            "sentences": [{name: sentence[name] for name in ARTICLE_SENTENCE_FIELDS}],
            "split": SPLIT,
        }
    )


def bio_names(schema: LabelSchema) -> list[str]:
    """Token tags for event triggers: O, then B-type and I-type for each event type in order."""
    return ["O", *(f"{p}-{event}" for event in schema.events.values for p in ("B", "I"))]


def token_features(schema: LabelSchema) -> datasets.Features:
    """One row per annotated (campaign, sentence): tokens with offsets into the sentence and
    BIO tags of the aggregated event triggers."""
    return datasets.Features(
        {
            "sentence_id": datasets.Value("string"),
            "article_id": datasets.Value("string"),
            "campaign": datasets.Value("string"),
            "text": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "token_start": datasets.Sequence(datasets.Value("int32")),
            "token_end": datasets.Sequence(datasets.Value("int32")),
            "event_tags": datasets.Sequence(datasets.ClassLabel(names=bio_names(schema))),
            "annotator_count": datasets.Value("int32"),
            "adjudicated": datasets.Value("bool"),
            "split": SPLIT,
        }
    )


def annotation_features(schema: LabelSchema) -> datasets.Features:
    """Long format: one row per annotator and sentence."""
    return datasets.Features(
        {
            "sentence_id": datasets.Value("string"),
            "article_id": datasets.Value("string"),
            "campaign": datasets.Value("string"),
            "annotator": datasets.Value("string"),
            "stance": datasets.ClassLabel(names=schema.stance.values),
            "events": event_feature(schema),
            "arguments": argument_feature(schema),
            "was_cancelled": datasets.Value("bool"),
            "ground_truth": datasets.Value("bool"),
            "lead_time": datasets.Value("float64"),
            "created_at": datasets.Value("string"),
            "split": SPLIT,
        }
    )


def all_features(schema: LabelSchema) -> dict[str, datasets.Features]:
    """Features of every config, in publishing order."""
    return {
        "sentences": sentence_features(schema),
        "tokens": token_features(schema),
        "articles": article_features(schema),
        "annotations": annotation_features(schema),
    }
