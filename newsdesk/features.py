"""Hugging Face `Features` of the published configs, generated from the label schema.

`TABLES_VERSION` is the version of the published table layout (columns and their types, not
the label values): a change to it is a breaking change for users and bumps the major version.
"""

from __future__ import annotations

import datasets

from newsdesk.labelschema import LabelSchema

# 2: arguments carry `event`, the index of the trigger they are linked to in `events`
TABLES_VERSION = 2


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
        }
    )


def article_features() -> datasets.Features:
    return datasets.Features(
        {
            name: datasets.Value("string")
            for name in ("article_id", "title", "source", "url", "published_at", "language", "body")
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
        }
    )


def all_features(schema: LabelSchema) -> dict[str, datasets.Features]:
    """Features of every config, in publishing order."""
    return {
        "sentences": sentence_features(schema),
        "articles": article_features(),
        "annotations": annotation_features(schema),
    }
