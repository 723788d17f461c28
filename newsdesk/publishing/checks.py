"""The checks a version passes before anything is written: each fails with one line that says
which row broke which rule, and nothing is published."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.annotation.validate import InvalidAnnotation, check_annotation
from newsdesk.foundations.errors import UserError
from newsdesk.foundations.labelschema import LabelSchema

OFFSET_CHECK_CHUNK = 100_000  # sentences whose offsets are checked in Python at once


class PublishCheckFailed(UserError):
    """The data failed a check before anything was written; the message says which."""


def check_stored_annotation(
    note: dict[str, Any], text: str, where: str, schema: LabelSchema
) -> None:
    """The annotation rule pull applied, applied again: the workspace may have been edited."""
    try:
        check_annotation(note["stance"], note["spans"] or [], note["relations"] or [], text, schema)
    except InvalidAnnotation as error:
        raise PublishCheckFailed(f"{where}: {error}") from None


def fail_missing(kind: str, mask: pa.Array, names: pa.Array) -> None:
    missing = pc.sum(pc.cast(mask, pa.int64())).as_py() or 0
    if missing:
        first = names.filter(mask)[0].as_py()
        raise PublishCheckFailed(f"{missing} {kind} (first: {first})")


def check_offsets(sentences: pa.Table, srow: np.ndarray, bodies: pa.Table) -> None:
    """`body[start:end] == text` for every published sentence, a chunk at a time."""
    rows = np.unique(srow)
    texts = bodies["body"].to_pylist()
    for begin in range(0, len(rows), OFFSET_CHECK_CHUNK):
        part = sentences.select(["sentence_id", "article_id", "start", "end", "text"]).take(
            rows[begin : begin + OFFSET_CHECK_CHUNK]
        )
        body_row = pc.index_in(part["article_id"], value_set=bodies["article_id"]).to_pylist()
        for sid, start, end, text, b in zip(
            part["sentence_id"].to_pylist(),
            part["start"].to_pylist(),
            part["end"].to_pylist(),
            part["text"].to_pylist(),
            body_row,
            strict=True,
        ):
            if (texts[b] or "")[start:end] != text:
                raise PublishCheckFailed(f"sentence {sid}: offsets do not match the article body")


def check_label_ranges(table: pa.Table, schema: LabelSchema) -> None:
    """Every label id within its ClassLabel (stance may be -1: no label)."""
    stances = len(schema.stance.values)
    checks = [("stance", table["stance"], stances, -1)]
    for column, size in (
        ("events", len(schema.events.values)),
        ("arguments", len(schema.roles.values)),
    ):
        flat = pc.list_flatten(table[column])
        checks.append((f"{column}.label", pc.struct_field(flat, "label"), size, 0))
    if "annotator_labels" in table.column_names:
        flat = pc.list_flatten(table["annotator_labels"])
        checks.append(("annotator_labels.stance", pc.struct_field(flat, "stance"), stances, -1))
    for name, values, size, low in checks:
        if len(values) == 0:
            continue
        bounds = pc.min_max(values).as_py()
        if bounds["min"] is not None and (bounds["min"] < low or bounds["max"] >= size):
            raise PublishCheckFailed(
                f"{name}: label id out of range {low}..{size - 1} "
                f"(found {bounds['min']}..{bounds['max']})"
            )
