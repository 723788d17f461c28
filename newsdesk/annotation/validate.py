"""What makes an annotation valid, written once: pull applies it to what Label Studio stored,
publish applies it again to what the workspace holds before anything is written.

A valid annotation has a stance of the schema (or none), spans whose labels are in the schema
and whose offsets lie inside the sentence and hold exactly their text, and relations between
its own spans only.
"""

from __future__ import annotations

from typing import Any

from newsdesk.foundations.labelschema import LabelSchema


class InvalidAnnotation(ValueError):
    """An annotation that does not fit the label schema or its sentence; the message says how."""


def check_annotation(
    stance: str | None,
    spans: list[dict[str, Any]],
    relations: list[dict[str, str]],
    sentence: str,
    schema: LabelSchema,
) -> None:
    """Raise InvalidAnnotation unless the annotation is valid for this sentence."""
    if stance is not None and stance not in schema.stance.values:
        raise InvalidAnnotation(f"stance {stance!r} is not in the label schema")
    labels = set(schema.events.values) | set(schema.roles.values)
    ids = set()
    for span in spans:
        if span["label"] not in labels:
            raise InvalidAnnotation(f"span label {span['label']!r} is not in the label schema")
        start, end = span["start"], span["end"]
        if not (0 <= start < end <= len(sentence)) or sentence[start:end] != span["text"]:
            raise InvalidAnnotation(f"span {start}-{end} does not match its text {span['text']!r}")
        ids.add(span["id"])
    for relation in relations:
        if relation["from_id"] not in ids or relation["to_id"] not in ids:
            raise InvalidAnnotation("a relation links a span that does not exist")
