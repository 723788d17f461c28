"""Publish: immutable, versioned dataset folders that `datasets.load_dataset` reads offline.

The hot path is columnar: the sentence rows are found, ordered and assembled with pyarrow
lookups and `take`, and only the annotated sentences go through Python (to aggregate the
annotators' labels). Every check runs before anything is written. A version is built in a
staging folder and renamed into place, so a crash leaves no partial version; an existing
version is never written again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import struct
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsdesk.annotation.aggregate import aggregate, spans_overlap
from newsdesk.foundations.config import Settings
from newsdesk.foundations.errors import UserError
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.card import changelog, dataset_card
from newsdesk.publishing.features import TABLES_VERSION, all_features
from newsdesk.publishing.tokens import bio_tags, tokenize
from newsdesk.publishing.versions import (
    change_counts,
    dataset_root,
    diff_rows,
    latest_is_link,
    latest_version,
    list_versions,
    read_manifest,
    row_index,
    sha256_file,
    version_index,
    version_key,
)
from newsdesk.stages.dedup import cluster_summary, split_keys
from schemas import tables

ROW_GROUP_BYTES = 64 * 2**20  # uncompressed bytes per row group (at most ROW_GROUP_ROWS rows)
ROW_GROUP_ROWS = 100_000
SHARD_BYTES = 256 * 2**20  # uncompressed bytes per Parquet file before a split is sharded
BUMPS = ("patch", "minor", "major")
NOTES_PER_CHUNK = 20_000  # annotations turned into Python objects at once
OFFSET_CHECK_CHUNK = 100_000  # sentences whose offsets are checked in Python at once


class PublishCheckFailed(UserError):
    """The data failed a check before anything was written; the message says which."""


@dataclass(frozen=True)
class PublishResult:
    version: str | None
    path: Path | None
    message: str
    warnings: tuple[str, ...] = ()


@dataclass
class Built:
    """Every config's tables by split (every configured split, empty or not), in publishing
    order, and what `publish` warns about (splits without labeled rows)."""

    data: dict[str, dict[str, pa.Table]]
    warnings: list[str]


def split_of(key: str, salt: str, ratios: dict[str, float]) -> str:
    """The split of `key` by a salted hash: stable as the data grows, and everything that
    shares a key shares a split. The key is an article id today (see `build`)."""
    digest = hashlib.sha256(f"{salt}\x1f{key}".encode()).digest()
    point = struct.unpack(">Q", digest[:8])[0] / 2**64
    total = sum(ratios.values())
    edge = 0.0
    for name, ratio in ratios.items():
        edge += ratio / total
        if point < edge:
            return name
    return next(reversed(ratios))


# --- annotations: validated one by one, aggregated per sentence ------------------------------


@dataclass(frozen=True)
class _Labels:
    stance: dict[str, int]
    events: dict[str, int]
    roles: dict[str, int]


def _check_annotation(note: dict[str, Any], text: str, where: str, labels: _Labels) -> None:
    if note["stance"] is not None and note["stance"] not in labels.stance:
        raise PublishCheckFailed(f"{where}: stance {note['stance']!r} is not in the label schema")
    ids = set()
    for span in note["spans"] or []:
        if span["label"] not in labels.events and span["label"] not in labels.roles:
            raise PublishCheckFailed(
                f"{where}: span label {span['label']!r} is not in the label schema"
            )
        start, end = span["start"], span["end"]
        if not (0 <= start < end <= len(text)) or text[start:end] != span["text"]:
            raise PublishCheckFailed(
                f"{where}: span {start}-{end} does not match its text {span['text']!r}"
            )
        ids.add(span["id"])
    for relation in note["relations"] or []:
        if relation["from_id"] not in ids or relation["to_id"] not in ids:
            raise PublishCheckFailed(f"{where}: a relation links a span that does not exist")


def _trigger_of(note: dict[str, Any], labels: _Labels) -> dict[str, dict[str, Any]]:
    """An annotator's argument spans (by id) mapped to the event span each is linked to.

    Label Studio relations have a direction, but annotators draw them either way: a relation
    counts when one end is an argument role and the other an event type.
    """
    spans = {span["id"]: span for span in note["spans"] or []}
    links: dict[str, dict[str, Any]] = {}
    for relation in note["relations"] or []:
        ends = [spans.get(relation["from_id"]), spans.get(relation["to_id"])]
        if any(end is None for end in ends):
            continue
        roles = [end for end in ends if end and end["label"] in labels.roles]
        events = [end for end in ends if end and end["label"] in labels.events]
        if len(roles) == 1 and len(events) == 1:
            links.setdefault(roles[0]["id"], events[0])
    return links


def _span_key(span: dict[str, Any]) -> tuple[int, int, str]:
    return span["start"], span["end"], span["label"]


def _own_spans(note: dict[str, Any], labels: _Labels) -> tuple[list[dict], list[dict]]:
    """One annotator's events and arguments as published (arguments linked by event index)."""
    spans = sorted(note["spans"] or [], key=_span_key)
    events = [s for s in spans if s["label"] in labels.events]
    position = {s["id"]: i for i, s in enumerate(events)}
    links = _trigger_of(note, labels)
    event_rows = [_span_row(s, labels.events) for s in events]
    argument_rows = [
        _span_row(s, labels.roles, position[links[s["id"]]["id"]] if s["id"] in links else -1)
        for s in spans
        if s["label"] in labels.roles
    ]
    return event_rows, argument_rows


def _span_row(span: dict[str, Any], ids: dict[str, int], event: int | None = None) -> dict:
    row = {"label": ids[span["label"]], "start": span["start"], "end": span["end"]}
    row["text"] = span["text"]
    if event is not None:
        row["event"] = event
    return row


def _aggregate_row(notes: list[dict[str, Any]], labels: _Labels, share: float) -> dict[str, Any]:
    """The published labels of one (campaign, sentence) from its annotations; `share` of the
    annotators must agree on a span or an argument link for it to be kept."""
    result = aggregate(notes, share)
    done = [n for n in notes if not n["was_cancelled"]]
    truth = [n for n in done if n["ground_truth"]]
    voters = [max(truth, key=lambda n: n["updated_at"] or "")] if truth else done
    events = [s for s in result.spans if s["label"] in labels.events]
    arguments = [s for s in result.spans if s["label"] in labels.roles]
    # an argument is linked to the agreed trigger most of its annotators linked it to
    votes: list[Counter[int]] = [Counter() for _ in arguments]
    for note in voters:
        spans = {s["id"]: s for s in note["spans"] or []}
        seen: set[tuple[int, int]] = set()
        for argument_id, trigger in _trigger_of(note, labels).items():
            argument = spans[argument_id]
            a = next((i for i, s in enumerate(arguments) if spans_overlap(s, argument)), None)
            e = next((i for i, s in enumerate(events) if spans_overlap(s, trigger)), None)
            if a is not None and e is not None and (a, e) not in seen:
                seen.add((a, e))
                votes[a][e] += 1
    links = []
    for counter in votes:
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        keep = ranked and voters and ranked[0][1] / len(voters) >= share
        links.append(ranked[0][0] if keep else -1)
    return {
        "stance": labels.stance.get(result.stance or "", -1),
        "stance_agreement": result.stance_agreement,
        "events": [_span_row(s, labels.events) for s in events],
        "arguments": [
            _span_row(s, labels.roles, link) for s, link in zip(arguments, links, strict=True)
        ],
        "annotator_count": result.annotators,
        "adjudicated": bool(truth),
        "annotator_labels": [
            {"annotator": n["annotator"], "stance": labels.stance.get(n["stance"] or "", -1)}
            for n in sorted(done, key=lambda n: (n["annotator"], n["annotation_id"]))
        ],
    }


def _reason_kind(reason: str) -> str:
    """A reason without its particulars (quoted text, numbers), so like reasons count together."""
    general = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\d+", "…", reason)
    return re.sub(r"\s+", " ", general).strip()[:120]


def annotation_review(workspace: Workspace, data: dict[str, dict[str, pa.Table]]) -> dict:
    """What the card reports of the annotations behind this version: how many `pull` rejected
    or repaired and why, and how many sentence rows a reviewer's decision set."""
    invalid = workspace.read("invalid_annotations", tables.INVALID_ANNOTATIONS, ["reason"])
    rejected = Counter(_reason_kind(reason) for reason in invalid["reason"].to_pylist())
    fixed = workspace.read("repaired_annotations", tables.REPAIRED_ANNOTATIONS, ["reason"])
    repaired = Counter(fixed["reason"].to_pylist())
    lost = workspace.read("orphaned_annotations", tables.ORPHANED_ANNOTATIONS, ["reason"])
    orphaned = Counter(_reason_kind(reason) for reason in lost["reason"].to_pylist())
    adjudicated = sum(
        pc.sum(table["adjudicated"]).as_py() or 0 for table in data["sentences"].values()
    )
    return {
        "rejected": dict(sorted(rejected.items())),
        "repaired": dict(sorted(repaired.items())),
        "orphaned": dict(sorted(orphaned.items())),
        "adjudicated": adjudicated,
    }


# --- building the tables ----------------------------------------------------------------------


def _fail_missing(kind: str, mask: pa.Array, names: pa.Array) -> None:
    missing = pc.sum(pc.cast(mask, pa.int64())).as_py() or 0
    if missing:
        first = names.filter(mask)[0].as_py()
        raise PublishCheckFailed(f"{missing} {kind} (first: {first})")


def _np(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


def build(workspace: Workspace, settings: Settings, schema: LabelSchema) -> Built:
    """Check the workspace tables and build every config's tables; raises PublishCheckFailed."""
    features = all_features(schema)
    ratios, salt = settings.publish.splits, settings.publish.split_salt
    share = settings.labelstudio.span_agreement
    split_names = list(ratios)
    labels = _Labels(
        {v: i for i, v in enumerate(schema.stance.values)},
        {v: i for i, v in enumerate(schema.events.values)},
        {v: i for i, v in enumerate(schema.roles.values)},
    )

    tasks = workspace.read("tasks", tables.TASKS, ["campaign", "sentence_id"])
    pushed = tasks.group_by(["campaign", "sentence_id"], use_threads=False).aggregate([])
    if pushed.num_rows == 0:
        raise PublishCheckFailed("nothing to publish: no sentence has a task yet (newsdesk push)")
    sentences = workspace.read("sentences", tables.SENTENCES)
    if pc.count_distinct(sentences["sentence_id"]).as_py() != sentences.num_rows:
        raise PublishCheckFailed("the sentences table holds a sentence id twice")
    pushed_keys = pc.binary_join_element_wise(pushed["campaign"], pushed["sentence_id"], "/")
    srow = pc.index_in(pushed["sentence_id"], value_set=sentences["sentence_id"])
    _fail_missing(
        "tasks point at sentences missing from the workspace", pc.is_null(srow), pushed_keys
    )
    srow_np = _np(srow).astype(np.int64)

    bodies = workspace.read(
        "bodies",
        tables.BODIES,
        ["article_id", "title", "source", "url", "published_at", "language", "body"],
    )
    row_articles = sentences["article_id"].take(srow_np)
    distinct = pc.unique(row_articles)
    used_articles = distinct.take(pc.sort_indices(distinct))
    brow = pc.index_in(used_articles, value_set=bodies["article_id"])
    _fail_missing("articles have sentences but no body", pc.is_null(brow), used_articles)
    brow_np = _np(brow).astype(np.int64)
    article_rank = _np(pc.index_in(row_articles, value_set=used_articles)).astype(np.int64)
    # the key an article's split is hashed from: its near-duplicate cluster's stable key (its
    # own id when it has no near-copy), so no story is in two splits and a cluster keeps its
    # split as it grows
    cluster_key = split_keys(workspace)
    article_split = np.array(
        [
            split_names.index(split_of(cluster_key.get(article, article), salt, ratios))
            for article in used_articles.to_pylist()
        ],
        dtype=np.int64,
    )
    row_split = article_split[article_rank] if len(article_rank) else article_rank
    distinct = pc.unique(pushed["campaign"])
    campaigns = distinct.take(pc.sort_indices(distinct)).to_pylist()
    campaign_rank = _np(pc.index_in(pushed["campaign"], value_set=pa.array(campaigns, pa.string())))
    row_index_in_article = _np(sentences["index"].take(srow_np)).astype(np.int64)
    order = np.lexsort((campaign_rank, row_index_in_article, article_rank, row_split))

    # annotations: every one validated, the annotated sentences aggregated in Python
    notes_table = workspace.read("annotations", tables.ANNOTATIONS)
    note_keys = pc.binary_join_element_wise(
        notes_table["campaign"], notes_table["sentence_id"], "/"
    )
    note_row = pc.index_in(note_keys, value_set=pushed_keys)
    _fail_missing("annotations are for sentences without a task", pc.is_null(note_row), note_keys)
    note_row_np = _np(note_row).astype(np.int64) if notes_table.num_rows else np.zeros(0, np.int64)
    annotators = pc.unique(notes_table["annotator"])
    annotators = annotators.take(pc.sort_indices(annotators))
    note_order = np.lexsort(
        (
            _np(notes_table["annotation_id"]),
            _np(pc.index_in(notes_table["annotator"], value_set=annotators)),
            campaign_rank[note_row_np],
            row_index_in_article[note_row_np],
            article_rank[note_row_np],
            row_split[note_row_np],
        )
    )
    sentence_schema = features["sentences"].arrow_schema
    annotation_schema = _without_split(features["annotations"].arrow_schema)
    default = {
        "stance": -1,
        "stance_agreement": 0.0,
        "events": [],
        "arguments": [],
        "annotator_count": 0,
        "adjudicated": False,
        "annotator_labels": [],
    }
    label_columns = list(default)
    agg_schema = pa.schema([sentence_schema.field(k) for k in label_columns])
    agg_parts: list[pa.Table] = []
    long_parts: list[pa.Table] = [annotation_schema.empty_table()]
    annotated: list[int] = []
    done = 0
    # in publishing order and in chunks that never split a sentence's annotations, so the
    # Python objects alive at once stay few
    sorted_rows = note_row_np[note_order]
    begin = 0
    while begin < len(note_order):
        stop = min(len(note_order), begin + NOTES_PER_CHUNK)
        while stop < len(note_order) and sorted_rows[stop] == sorted_rows[stop - 1]:
            stop += 1
        rows = sorted_rows[begin:stop]
        notes = notes_table.take(note_order[begin:stop]).to_pylist()
        unique_rows, first = np.unique(rows, return_index=True)
        chunk_rows = unique_rows[np.argsort(first)]
        texts = sentences["text"].take(srow_np[chunk_rows]).to_pylist()
        ids = pushed["sentence_id"].take(chunk_rows).to_pylist()
        aggregated: list[dict[str, Any]] = []
        long_rows: list[dict[str, Any]] = []
        position = 0
        for row, text, sentence_id in zip(chunk_rows.tolist(), texts, ids, strict=True):
            group_end = position
            while group_end < len(notes) and rows[group_end] == row:
                group_end += 1
            group = notes[position:group_end]
            position = group_end
            for note in group:
                where = f"sentence {sentence_id}, annotation {note['annotation_id']}"
                _check_annotation(note, text, where, labels)
            aggregated.append(_aggregate_row(group, labels, share))
            annotated.append(row)
            for note in group:
                done += not note["was_cancelled"]
                events, arguments = _own_spans(note, labels)
                long_rows.append(
                    {
                        "sentence_id": sentence_id,
                        "article_id": None,  # set from the sentence row below
                        "campaign": note["campaign"],
                        "annotator": note["annotator"],
                        "stance": labels.stance.get(note["stance"] or "", -1),
                        "events": events,
                        "arguments": arguments,
                        "was_cancelled": note["was_cancelled"],
                        "ground_truth": note["ground_truth"],
                        "lead_time": note["lead_time"],
                        "created_at": note["created_at"],
                    }
                )
        agg_parts.append(pa.Table.from_pylist(aggregated, schema=agg_schema))
        long_part = pa.Table.from_pylist(long_rows, schema=annotation_schema)
        articles_of_part = row_articles.take(rows)
        long_parts.append(
            long_part.set_column(1, annotation_schema.field("article_id"), articles_of_part)
        )
        begin = stop
    del notes_table
    long_split = row_split[sorted_rows]
    split_values = pa.array(split_names, pa.string())
    annotation_out = pa.concat_tables(long_parts).combine_chunks()
    annotation_out = annotation_out.append_column("split", split_values.take(long_split))
    agg_parts.append(pa.Table.from_pylist([default], schema=agg_schema))
    agg_table = pa.concat_tables(agg_parts).combine_chunks()
    annotated_count = len(annotated)

    # offsets are checked before the sentences are copied into publishing order
    _check_offsets(sentences, srow_np, bodies)

    # sentences: one take per column in publishing order; unannotated rows share one default
    agg_index = np.full(pushed.num_rows, annotated_count, dtype=np.int64)
    agg_index[annotated] = np.arange(annotated_count, dtype=np.int64)
    targets = {c.name: c.target for c in settings.campaigns}
    target_of = pa.array([targets.get(c, c) for c in campaigns], pa.string())
    s_take = srow_np[order]
    b_take = brow_np[article_rank[order]]
    columns: dict[str, Any] = {
        "sentence_id": sentences["sentence_id"].take(s_take),
        "article_id": sentences["article_id"].take(s_take),
        "campaign": pushed["campaign"].take(order),
        "target": target_of.take(campaign_rank[order]),
        **{k: sentences[k].take(s_take) for k in ("index", "paragraph", "start", "end", "text")},
        **{k: bodies[k].take(b_take) for k in ("title", "source", "published_at")},
        **{k: agg_table[k].take(agg_index[order]) for k in label_columns},
        "split": split_values.take(row_split[order]),
    }
    del sentences, s_take, b_take
    sentence_out = pa.table(
        [
            columns.pop(name).cast(sentence_schema.field(name).type)
            for name in sentence_schema.names
        ],
        schema=sentence_schema,
    )
    sorted_split = row_split[order]
    task_rows = pushed.num_rows
    del pushed, agg_table, agg_index, order

    articles_order = np.argsort(article_split, kind="stable")
    article_out = _articles(
        bodies.take(brow_np[articles_order]),
        sentence_out,
        np.bincount(article_rank, minlength=len(used_articles))[articles_order],
        split_values.take(article_split[articles_order]),
        features["articles"].arrow_schema,
    )
    del bodies
    token_out = _tokens(sentence_out, features["tokens"].arrow_schema)

    _check_label_ranges(sentence_out, schema)
    _check_label_ranges(annotation_out, schema)
    aggregated_count = pc.sum(sentence_out["annotator_count"]).as_py() or 0
    if aggregated_count != done:
        raise PublishCheckFailed(f"{aggregated_count} annotations aggregated but {done} exported")
    if sentence_out.num_rows != task_rows or annotation_out.num_rows != len(note_order):
        raise PublishCheckFailed(
            f"row counts do not match: {sentence_out.num_rows} sentence rows for {task_rows} "
            f"tasks, {annotation_out.num_rows} annotation rows for {len(note_order)}"
        )

    token_split = _np(pc.index_in(token_out["split"], value_set=split_values))
    data = {
        "sentences": _by_split(sentence_out, sorted_split, split_names),
        "tokens": _by_split(token_out, token_split.astype(np.int64), split_names),
        "articles": _by_split(article_out, article_split[articles_order], split_names),
        "annotations": _by_split(annotation_out, long_split, split_names),
    }
    for config, splits in data.items():
        metadata = features[config].arrow_schema.metadata
        data[config] = {k: t.replace_schema_metadata(metadata) for k, t in splits.items()}
    return Built(data, split_warnings(data["sentences"]))


def split_warnings(sentences: dict[str, pa.Table]) -> list[str]:
    """One line per split that has no labeled sentence row (it is published all the same)."""
    warnings = []
    for split, table in sentences.items():
        labeled = pc.sum(pc.greater(table["annotator_count"], 0)).as_py() or 0
        if not labeled:
            warnings.append(
                f"split {split!r} has no labeled rows ({table.num_rows} rows in all): it is "
                "published empty of labels; label more of its articles, or change the ratios"
            )
    return warnings


def _without_split(schema: pa.Schema) -> pa.Schema:
    return schema.remove(schema.get_field_index("split"))


def _articles(
    bodies: pa.Table,
    sentence_out: pa.Table,
    counts: np.ndarray,
    split: pa.Array,
    schema: pa.Schema,
) -> pa.Table:
    """The articles config: each article's body and metadata, and its sentence rows.

    `bodies` and `sentence_out` are in the same article order (split, then article id), so
    each article's sentences are one contiguous run of sentence rows: a list column is their
    offsets over a struct of the sentence columns, with no row going through Python.
    """
    sentence_type = schema.field("sentences").type
    struct_type = sentence_type.value_type
    values = pa.StructArray.from_arrays(
        [sentence_out[f.name].combine_chunks() for f in struct_type],
        fields=list(struct_type),
    )
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    sentences = pa.ListArray.from_arrays(offsets, values, type=sentence_type)
    columns = [bodies[name] for name in schema.names[: schema.get_field_index("sentences")]]
    return pa.Table.from_arrays([*columns, sentences, split], schema=schema)


def _tokens(sentence_out: pa.Table, schema: pa.Schema) -> pa.Table:
    """The tokens config: the annotated sentence rows, tokenized, with BIO tags of their
    aggregated event triggers (see `newsdesk.publishing.tokens`)."""
    keep = pc.indices_nonzero(pc.greater(sentence_out["annotator_count"], 0))
    rows = sentence_out.select(["text", "events"]).take(keep)
    starts: list[list[int]] = []
    ends: list[list[int]] = []
    words: list[list[str]] = []
    tags: list[list[int]] = []
    for text, events in zip(rows["text"].to_pylist(), rows["events"].to_pylist(), strict=True):
        found = tokenize(text)
        starts.append([a for a, _ in found])
        ends.append([b for _, b in found])
        words.append([text[a:b] for a, b in found])
        tags.append(bio_tags(found, [(e["start"], e["end"], e["label"]) for e in events]))
    picked = sentence_out.take(keep)
    columns = {
        **{k: picked[k] for k in ("sentence_id", "article_id", "campaign", "text")},
        "tokens": pa.array(words, schema.field("tokens").type),
        "token_start": pa.array(starts, schema.field("token_start").type),
        "token_end": pa.array(ends, schema.field("token_end").type),
        "event_tags": pa.array(tags, schema.field("event_tags").type),
        **{k: picked[k] for k in ("annotator_count", "adjudicated", "split")},
    }
    return pa.table([columns[name] for name in schema.names], schema=schema)


def _by_split(table: pa.Table, ranks: np.ndarray, names: list[str]) -> dict[str, pa.Table]:
    """Zero-copy slices of a table sorted by split, one for every split, empty or not."""
    edges = np.searchsorted(ranks, np.arange(len(names) + 1), side="left")
    return {
        name: table.slice(int(edges[i]), int(edges[i + 1] - edges[i]))
        for i, name in enumerate(names)
    }


def _check_offsets(sentences: pa.Table, srow: np.ndarray, bodies: pa.Table) -> None:
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


def _check_label_ranges(table: pa.Table, schema: LabelSchema) -> None:
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


# --- fingerprints, versions, writing ----------------------------------------------------------


def content_fingerprint(data: dict[str, dict[str, pa.Table]], window: int = 65_536) -> str:
    """sha256 of every config's rows in order, independent of how Arrow chunked them."""
    hasher = hashlib.sha256()
    for config in sorted(data):
        for split in sorted(data[config]):
            table = data[config][split]
            hasher.update(f"{config}/{split}/{table.num_rows}".encode())
            schema = table.schema.remove_metadata()
            for start in range(0, table.num_rows, window):
                piece = table.slice(start, window).combine_chunks()
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, schema) as writer:
                    for batch in piece.to_batches():
                        writer.write_batch(batch)
                hasher.update(memoryview(sink.getvalue()))
    return hasher.hexdigest()


def required_bump(
    parent: dict[str, Any] | None, schema: LabelSchema, counts: dict[str, int]
) -> str:
    """major: label schema or table layout changed; minor: rows added, removed, moved or
    their text changed; patch: only labels or article metadata corrected."""
    if parent is None:
        return "major"
    if parent.get("label_schema_fingerprint") != schema.fingerprint:
        return "major"
    if parent.get("tables_version") != TABLES_VERSION:
        return "major"
    if any(counts[k] for k in ("added", "removed", "text_changed", "moved_split")):
        return "minor"
    return "patch"


def next_version(parent_version: str | None, bump: str) -> str:
    if parent_version is None:
        return "1.0.0"
    major, minor, patch = version_key(parent_version)
    return {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[bump]


def _remove_stale_staging(root: Path) -> None:
    """Staging folders left by a publish that died (its process is gone)."""
    for path in root.glob(".staging-*"):
        try:
            pid = int(path.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass


def publish(
    workspace: Workspace,
    settings: Settings,
    schema: LabelSchema,
    *,
    bump: str = "auto",
    provenance: dict[str, str] | None = None,
    shard_bytes: int = SHARD_BYTES,
) -> PublishResult:
    """Build, check and write a new version; nothing is written when nothing changed."""
    if bump not in ("auto", *BUMPS):
        raise PublishCheckFailed(f"bump must be auto, major, minor or patch, not {bump!r}")
    built = build(workspace, settings, schema)
    data = built.data
    fingerprint = content_fingerprint(data)
    root = dataset_root(settings)
    # the newest version is the parent, even if a crash kept `latest` from pointing at it
    published = list_versions(root)
    parent_version = published[-1] if published else None
    if parent_version and (latest_version(root) != parent_version or not latest_is_link(root)):
        _point_latest(root, parent_version)
    parent = read_manifest(root / parent_version) if parent_version else None
    if parent and (
        parent.get("content_fingerprint"),
        parent.get("label_schema_fingerprint"),
        parent.get("tables_version"),
    ) == (fingerprint, schema.fingerprint, TABLES_VERSION):
        message = f"nothing changed since {parent_version}"
        return PublishResult(None, root / parent_version, message, tuple(built.warnings))
    new_index = row_index(data["sentences"])
    if parent_version:
        changes = diff_rows(version_index(root / parent_version), new_index)
    else:
        changes = diff_rows(None, new_index)
    counts = change_counts(changes)
    needed = required_bump(parent, schema, counts)
    if bump == "auto":
        bump = needed if parent else "major"
    elif parent and BUMPS.index(bump) < BUMPS.index(needed):
        raise PublishCheckFailed(
            f"--bump {bump} is too small: this release needs at least {needed} "
            f"({', '.join(f'{v} {k}' for k, v in counts.items() if v) or 'schema changed'})"
        )
    version = next_version(parent_version, bump)
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(root)
    if (root / version).exists():
        raise PublishCheckFailed(f"version {version} exists already: versions are never rewritten")
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-{version}-", dir=root))
    try:
        files = write_version(staging, data, schema, version, shard_bytes)
        if parent_version:
            files["changes.parquet"] = _write_changes(staging / "changes.parquet", changes)
        manifest = {
            "dataset": settings.publish.dataset,
            "version": version,
            "parent": parent_version,
            "bump": bump,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "label_schema_fingerprint": schema.fingerprint,
            "label_schema_version": schema.version,
            "tables_version": TABLES_VERSION,
            "content_fingerprint": fingerprint,
            "splits": {"ratios": settings.publish.splits, "salt": settings.publish.split_salt},
            "rows": {
                config: {split: t.num_rows for split, t in splits.items()}
                for config, splits in data.items()
            },
            "changes": counts,
            "warnings": built.warnings,
            "annotation_review": annotation_review(workspace, data),
            "near_duplicates": cluster_summary(workspace),
            **(provenance or {}),
            "files": files,
        }
        features = all_features(schema)
        texts = {
            "CHANGELOG.md": changelog(manifest, changes),
            "README.md": dataset_card(settings, schema, manifest, data, features),
        }
        for name, text in texts.items():
            path = staging / name
            path.write_text(text, encoding="utf-8")
            files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _read_only(staging)
        try:
            staging.rename(root / version)
        except OSError:
            raise PublishCheckFailed(
                f"version {version} was published by another run meanwhile: publish again"
            ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_latest(root, version)
    message = f"published {version} ({bump})"
    return PublishResult(version, root / version, message, tuple(built.warnings))


def _point_latest(root: Path, version: str) -> None:
    """Point `latest` at a version: a relative link to its folder, made under a temporary
    name and renamed over the old one, so readers see the old or the new version, never
    none; the dataset folder can move with its link intact."""
    pointer = root / f".latest-{os.getpid()}.tmp"
    pointer.unlink(missing_ok=True)
    os.symlink(version, pointer, target_is_directory=True)
    os.replace(pointer, root / "latest")


def _read_only(folder: Path) -> None:
    """Published files are not to be edited: drop their write bits."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o444)


def _write_changes(path: Path, changes: pa.Table) -> dict[str, Any]:
    pq.write_table(changes, path, compression="zstd")
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": changes.num_rows}


def _file_metadata(table: pa.Table, schema: LabelSchema, version: str) -> dict[bytes, bytes]:
    metadata = dict(table.schema.metadata or {})
    metadata[b"newsdesk"] = json.dumps(
        {
            "version": version,
            "tables_version": TABLES_VERSION,
            "label_schema_fingerprint": schema.fingerprint,
            "label_schema_version": schema.version,
            "sorted_by": ["article_id", "index", "campaign"],
        }
    ).encode()
    return metadata


def write_version(
    folder: Path,
    data: dict[str, dict[str, pa.Table]],
    schema: LabelSchema,
    version: str,
    shard_bytes: int = SHARD_BYTES,
) -> dict[str, dict[str, Any]]:
    """Parquet files in the Hugging Face layout, streamed row group by row group and sharded
    by size; returns each file's sha256, bytes and rows."""
    files: dict[str, dict[str, Any]] = {}
    for config, splits in data.items():
        for split, table in splits.items():
            row_bytes = max(1, table.nbytes // max(1, table.num_rows))
            shard_rows = max(1, shard_bytes // row_bytes)
            group_rows = max(1, min(ROW_GROUP_ROWS, ROW_GROUP_BYTES // row_bytes, shard_rows))
            shard_rows = shard_rows // group_rows * group_rows
            shards = max(1, math.ceil(table.num_rows / shard_rows))
            arrow_schema = table.schema.with_metadata(_file_metadata(table, schema, version))
            for shard in range(shards):
                relative = f"data/{config}/{split}-{shard:05d}-of-{shards:05d}.parquet"
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                part = table.slice(shard * shard_rows, shard_rows)
                with pq.ParquetWriter(
                    path,
                    arrow_schema,
                    compression="zstd",
                    write_page_index=True,
                    sorting_columns=_sorting(arrow_schema),
                ) as writer:
                    for start in range(0, part.num_rows, group_rows):
                        writer.write_table(part.slice(start, group_rows), row_group_size=group_rows)
                rows = pq.ParquetFile(path).metadata.num_rows
                if rows != part.num_rows:
                    raise PublishCheckFailed(f"{relative}: wrote {rows} rows of {part.num_rows}")
                files[relative] = {
                    "sha256": sha256_file(path),
                    "bytes": path.stat().st_size,
                    "rows": rows,
                }
    return files


def _sorting(schema: pa.Schema) -> list[pq.SortingColumn] | None:
    names = [n for n in ("article_id", "index") if n in schema.names]
    if not names:
        return None
    return [pq.SortingColumn(schema.get_field_index(n)) for n in names]
