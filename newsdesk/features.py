"""Hugging Face `Features` of the published configs, generated from the label schema."""

from __future__ import annotations

import datasets

from newsdesk.labelschema import LabelSchema


def span_feature(names: list[str]) -> list[dict[str, object]]:
    return [
        {
            "label": datasets.ClassLabel(names=names),
            "start": datasets.Value("int32"),
            "end": datasets.Value("int32"),
            "text": datasets.Value("string"),
        }
    ]


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
            "events": span_feature(schema.events.values),
            "arguments": span_feature(schema.roles.values),
            "annotator_count": datasets.Value("int32"),
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
            "events": span_feature(schema.events.values),
            "arguments": span_feature(schema.roles.values),
            "was_cancelled": datasets.Value("bool"),
            "ground_truth": datasets.Value("bool"),
            "lead_time": datasets.Value("float64"),
            "created_at": datasets.Value("string"),
        }
    )
