"""Build: every config's tables of a version from the workspace, checked, in publishing order.

The hot path is columnar: the sentence rows are found, ordered and assembled with pyarrow
lookups and `take`, and only the annotated sentences go through Python (to check and
aggregate the annotators' labels), a chunk at a time. Every check runs before anything is
written (`newsdesk.publishing.publish` writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.foundations.config import Settings
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.checks import (
    PublishCheckFailed,
    check_label_ranges,
    check_offsets,
    check_stored_annotation,
    fail_missing,
)
from newsdesk.publishing.encode import NO_LABELS, LabelIds, aggregated_labels, annotation_row
from newsdesk.publishing.features import all_features
from newsdesk.publishing.splits import by_split, split_of, split_warnings
from newsdesk.publishing.tokens import bio_tags, tokenize
from newsdesk.stages.dedup import split_keys
from schemas import tables

NOTES_PER_CHUNK = 20_000  # annotations turned into Python objects at once


@dataclass
class Built:
    """Every config's tables by split (every configured split, empty or not), in publishing
    order, and what `publish` warns about (splits without labeled rows)."""

    data: dict[str, dict[str, pa.Table]]
    warnings: list[str]


@dataclass(frozen=True)
class Placement:
    """Where each published sentence row comes from and where it goes.

    A row is a pushed (campaign, sentence); arrays named `row_*` have one value per row in
    the order of `pushed`, `article_*` one per article in `articles` (sorted ids).
    """

    pushed: pa.Table  # campaign, sentence_id
    keys: pa.Array  # "campaign/sentence_id" of each row
    sentence_row: np.ndarray  # row in the sentences table
    articles: pa.Array
    body_row: np.ndarray  # per article: row in the bodies table
    row_article: np.ndarray  # per row: index into `articles`
    article_split: np.ndarray  # per article: index into the split names
    row_split: np.ndarray
    campaigns: list[str]  # sorted
    row_campaign: np.ndarray  # per row: index into `campaigns`
    row_index: np.ndarray  # per row: the sentence's index in its article
    order: np.ndarray  # the rows in publishing order: split, article, index, campaign


@dataclass(frozen=True)
class Labelled:
    """The annotations behind the rows: aggregated per annotated row, and one row each."""

    aggregated: pa.Table  # one row per annotated row, then the labels of an unannotated one
    annotated: np.ndarray  # the rows that have annotations, in `aggregated`'s order
    annotations: pa.Table  # the annotations config in publishing order, with its split
    annotation_split: np.ndarray
    done: int  # annotations not cancelled


def _np(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


def _sorted_unique(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    distinct = pc.unique(values)
    return distinct.take(pc.sort_indices(distinct))


def _without_split(schema: pa.Schema) -> pa.Schema:
    return schema.remove(schema.get_field_index("split"))


def placement(
    workspace: Workspace,
    settings: Settings,
    tasks: pa.Table,
    sentences: pa.Table,
    bodies: pa.Table,
) -> Placement:
    """Every pushed (campaign, sentence) of `tasks` located in the workspace, split and
    ordered; fails when a task points at a sentence, or a sentence at an article, that is
    not there."""
    pushed = tasks.group_by(["campaign", "sentence_id"], use_threads=False).aggregate([])
    if pushed.num_rows == 0:
        raise PublishCheckFailed("nothing to publish: no sentence has a task yet (newsdesk push)")
    if pc.count_distinct(sentences["sentence_id"]).as_py() != sentences.num_rows:
        raise PublishCheckFailed("the sentences table holds a sentence id twice")
    keys = pc.binary_join_element_wise(pushed["campaign"], pushed["sentence_id"], "/")
    found = pc.index_in(pushed["sentence_id"], value_set=sentences["sentence_id"])
    fail_missing("tasks point at sentences missing from the workspace", pc.is_null(found), keys)
    sentence_row = _np(found).astype(np.int64)
    row_articles = sentences["article_id"].take(sentence_row)
    articles = _sorted_unique(row_articles)
    found = pc.index_in(articles, value_set=bodies["article_id"])
    fail_missing("articles have sentences but no body", pc.is_null(found), articles)
    row_article = _np(pc.index_in(row_articles, value_set=articles)).astype(np.int64)
    # the key an article's split is hashed from: its near-duplicate cluster's stable key (its
    # own id when it has no near-copy), so no story is in two splits and a cluster keeps its
    # split as it grows
    cluster_key = split_keys(workspace)
    ratios, salt = settings.publish.splits, settings.publish.split_salt
    names = list(ratios)
    article_split = np.array(
        [
            names.index(split_of(cluster_key.get(article, article), salt, ratios))
            for article in articles.to_pylist()
        ],
        dtype=np.int64,
    )
    row_split = article_split[row_article] if len(row_article) else row_article
    campaigns = _sorted_unique(pushed["campaign"]).to_pylist()
    row_campaign = _np(pc.index_in(pushed["campaign"], value_set=pa.array(campaigns, pa.string())))
    row_index = _np(sentences["index"].take(sentence_row)).astype(np.int64)
    return Placement(
        pushed=pushed,
        keys=keys,
        sentence_row=sentence_row,
        articles=articles,
        body_row=_np(found).astype(np.int64),
        row_article=row_article,
        article_split=article_split,
        row_split=row_split,
        campaigns=campaigns,
        row_campaign=row_campaign,
        row_index=row_index,
        order=np.lexsort((row_campaign, row_index, row_article, row_split)),
    )


def _chunks(rows: np.ndarray) -> Iterator[tuple[int, int]]:
    """(begin, stop) of runs of about NOTES_PER_CHUNK sorted rows that never cut a row's run."""
    begin = 0
    while begin < len(rows):
        stop = min(len(rows), begin + NOTES_PER_CHUNK)
        while stop < len(rows) and rows[stop] == rows[stop - 1]:
            stop += 1
        yield begin, stop
        begin = stop


def _groups(notes: list[dict[str, Any]], rows: np.ndarray) -> Iterator[list[dict[str, Any]]]:
    """The notes of each row in turn; `rows` (the row of each note) is sorted by run."""
    position = 0
    while position < len(notes):
        end = position + 1
        while end < len(notes) and rows[end] == rows[position]:
            end += 1
        yield notes[position:end]
        position = end


def labelled(
    workspace: Workspace,
    place: Placement,
    sentences: pa.Table,
    schema: LabelSchema,
    settings: Settings,
) -> Labelled:
    """Every annotation checked and encoded, and each annotated row's labels aggregated, in
    publishing order and in chunks that never split a row's annotations, so the Python
    objects alive at once stay few."""
    labels = LabelIds.of(schema)
    share = settings.labelstudio.span_agreement
    features = all_features(schema)
    notes_table = workspace.read("annotations", tables.ANNOTATIONS)
    keys = pc.binary_join_element_wise(notes_table["campaign"], notes_table["sentence_id"], "/")
    found = pc.index_in(keys, value_set=place.keys)
    fail_missing("annotations are for sentences without a task", pc.is_null(found), keys)
    note_row = _np(found).astype(np.int64) if notes_table.num_rows else np.zeros(0, np.int64)
    annotators = _sorted_unique(notes_table["annotator"])
    note_order = np.lexsort(
        (
            _np(notes_table["annotation_id"]),
            _np(pc.index_in(notes_table["annotator"], value_set=annotators)),
            place.row_campaign[note_row],
            place.row_index[note_row],
            place.row_article[note_row],
            place.row_split[note_row],
        )
    )
    annotation_schema = _without_split(features["annotations"].arrow_schema)
    sentence_schema = features["sentences"].arrow_schema
    agg_schema = pa.schema([sentence_schema.field(k) for k in NO_LABELS])
    agg_parts: list[pa.Table] = []
    long_parts: list[pa.Table] = [annotation_schema.empty_table()]
    annotated: list[int] = []
    done = 0
    sorted_rows = note_row[note_order]
    for begin, stop in _chunks(sorted_rows):
        rows = sorted_rows[begin:stop]
        notes = notes_table.take(note_order[begin:stop]).to_pylist()
        unique_rows, first = np.unique(rows, return_index=True)
        chunk_rows = unique_rows[np.argsort(first)]
        texts = sentences["text"].take(place.sentence_row[chunk_rows]).to_pylist()
        ids = place.pushed["sentence_id"].take(chunk_rows).to_pylist()
        aggregated: list[dict[str, Any]] = []
        long_rows: list[dict[str, Any]] = []
        for group, text, sentence_id in zip(_groups(notes, rows), texts, ids, strict=True):
            for note in group:
                where = f"sentence {sentence_id}, annotation {note['annotation_id']}"
                check_stored_annotation(note, text, where, schema)
                done += not note["was_cancelled"]
                long_rows.append(annotation_row(note, sentence_id, labels))
            aggregated.append(aggregated_labels(group, labels, share))
        annotated += chunk_rows.tolist()
        agg_parts.append(pa.Table.from_pylist(aggregated, schema=agg_schema))
        long_part = pa.Table.from_pylist(long_rows, schema=annotation_schema)
        articles_of_part = sentences["article_id"].take(place.sentence_row[rows])
        long_parts.append(
            long_part.set_column(1, annotation_schema.field("article_id"), articles_of_part)
        )
    del notes_table
    split_values = pa.array(list(settings.publish.splits), pa.string())
    annotation_split = place.row_split[sorted_rows]
    annotations = pa.concat_tables(long_parts).combine_chunks()
    annotations = annotations.append_column("split", split_values.take(annotation_split))
    agg_parts.append(pa.Table.from_pylist([NO_LABELS], schema=agg_schema))
    return Labelled(
        aggregated=pa.concat_tables(agg_parts).combine_chunks(),
        annotated=np.array(annotated, dtype=np.int64),
        annotations=annotations,
        annotation_split=annotation_split,
        done=done,
    )


def sentence_table(
    place: Placement,
    notes: Labelled,
    sentences: pa.Table,
    bodies: pa.Table,
    settings: Settings,
    schema: pa.Schema,
) -> pa.Table:
    """The sentences config: one take per column in publishing order; the rows nobody
    annotated share one row of no labels."""
    agg_index = np.full(place.pushed.num_rows, len(notes.annotated), dtype=np.int64)
    agg_index[notes.annotated] = np.arange(len(notes.annotated), dtype=np.int64)
    targets = {c.name: c.target for c in settings.campaigns}
    target_of = pa.array([targets.get(c, c) for c in place.campaigns], pa.string())
    order = place.order
    s_take = place.sentence_row[order]
    b_take = place.body_row[place.row_article[order]]
    split_values = pa.array(list(settings.publish.splits), pa.string())
    columns: dict[str, Any] = {
        "sentence_id": sentences["sentence_id"].take(s_take),
        "article_id": sentences["article_id"].take(s_take),
        "campaign": place.pushed["campaign"].take(order),
        "target": target_of.take(place.row_campaign[order]),
        **{k: sentences[k].take(s_take) for k in ("index", "paragraph", "start", "end", "text")},
        **{k: bodies[k].take(b_take) for k in ("title", "source", "published_at")},
        **{k: notes.aggregated[k].take(agg_index[order]) for k in NO_LABELS},
        "split": split_values.take(place.row_split[order]),
    }
    return pa.table(
        [columns.pop(name).cast(schema.field(name).type) for name in schema.names],
        schema=schema,
    )


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


def build(workspace: Workspace, settings: Settings, schema: LabelSchema) -> Built:
    """Check the workspace tables and build every config's tables; raises PublishCheckFailed."""
    features = all_features(schema)
    split_names = list(settings.publish.splits)
    # only the pushed sentences and their articles: publish's memory follows the dataset,
    # not the corpus (most of a big corpus is never pushed)
    tasks = workspace.read("tasks", tables.TASKS, ["campaign", "sentence_id"])
    sentences = workspace.read(
        "sentences",
        tables.SENTENCES,
        filter=pc.field("sentence_id").isin(pc.unique(tasks["sentence_id"])),
    )
    bodies = workspace.read(
        "bodies",
        tables.BODIES,
        ["article_id", "title", "source", "url", "published_at", "language", "body"],
        filter=pc.field("article_id").isin(pc.unique(sentences["article_id"])),
    )
    place = placement(workspace, settings, tasks, sentences, bodies)
    notes = labelled(workspace, place, sentences, schema, settings)
    # offsets are checked before the sentences are copied into publishing order
    check_offsets(sentences, place.sentence_row, bodies)
    sentence_out = sentence_table(
        place, notes, sentences, bodies, settings, features["sentences"].arrow_schema
    )
    del sentences
    articles_order = np.argsort(place.article_split, kind="stable")
    article_out = _articles(
        bodies.take(place.body_row[articles_order]),
        sentence_out,
        np.bincount(place.row_article, minlength=len(place.articles))[articles_order],
        pa.array(split_names, pa.string()).take(place.article_split[articles_order]),
        features["articles"].arrow_schema,
    )
    del bodies
    token_out = _tokens(sentence_out, features["tokens"].arrow_schema)

    check_label_ranges(sentence_out, schema)
    check_label_ranges(notes.annotations, schema)
    aggregated_count = pc.sum(sentence_out["annotator_count"]).as_py() or 0
    if aggregated_count != notes.done:
        raise PublishCheckFailed(
            f"{aggregated_count} annotations aggregated but {notes.done} exported"
        )
    task_rows, note_rows = place.pushed.num_rows, len(notes.annotation_split)
    if sentence_out.num_rows != task_rows or notes.annotations.num_rows != note_rows:
        raise PublishCheckFailed(
            f"row counts do not match: {sentence_out.num_rows} sentence rows for {task_rows} "
            f"tasks, {notes.annotations.num_rows} annotation rows for {note_rows}"
        )
    token_split = _np(pc.index_in(token_out["split"], value_set=pa.array(split_names)))
    data = {
        "sentences": by_split(sentence_out, place.row_split[place.order], split_names),
        "tokens": by_split(token_out, token_split.astype(np.int64), split_names),
        "articles": by_split(article_out, place.article_split[articles_order], split_names),
        "annotations": by_split(notes.annotations, notes.annotation_split, split_names),
    }
    for config, splits in data.items():
        metadata = features[config].arrow_schema.metadata
        data[config] = {k: t.replace_schema_metadata(metadata) for k, t in splits.items()}
    return Built(data, split_warnings(data["sentences"]))
