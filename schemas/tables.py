"""Arrow schemas of the workspace tables every stage reads and writes."""

import pyarrow as pa

ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("source_file", pa.string()),
        ("record", pa.int32()),
        ("format", pa.string()),  # "html" or "text"
        ("content", pa.string()),
        ("encoding", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published_at", pa.string()),
        ("language", pa.string()),
        ("record_id", pa.string()),  # the record's own id: JSONL/CSV id, WARC-Record-ID, member
        ("replaced", pa.int32()),  # undecodable bytes or lone surrogates replaced by U+FFFD
        ("warnings", pa.string()),  # optional fields dropped (wrong type, not a date), and why
    ]
)

DUPLICATES = pa.schema(
    [
        ("article_id", pa.string()),
        ("source_file", pa.string()),
        ("record", pa.int32()),
        ("duplicate_of", pa.string()),  # "<source_file>#<record>" of the kept copy
    ]
)

QUARANTINE = pa.schema(
    [
        ("source_file", pa.string()),
        ("record", pa.int32()),  # -1 when the whole file is quarantined
        ("reason", pa.string()),
    ]
)

SKIPPED = pa.schema(
    [
        ("source_file", pa.string()),
        ("record", pa.int32()),  # -1: the whole file, or `count` records of one kind in it
        ("reason", pa.string()),  # hidden file, link leaving the input, special file, ...
        ("count", pa.int64()),
    ]
)

INGEST_RUNS = pa.schema(
    [
        ("run", pa.string()),
        ("started_at", pa.string()),
        ("finished_at", pa.string()),
        ("inputs", pa.string()),  # the paths given, one per line
        ("records", pa.int64()),  # = kept + duplicates + unchanged + quarantined + skipped
        ("kept", pa.int64()),
        ("duplicates", pa.int64()),
        ("unchanged", pa.int64()),
        ("quarantined", pa.int64()),
        ("skipped", pa.int64()),
    ]
)


# rows of `newsdesk.boilerplate.RepeatedLines.to_pylist()`: given, not inferred, because a
# shard whose sources are all None (or an empty one) would get a null-typed `source` column
LINE_STATS = pa.schema(
    [
        pa.field("source", pa.string()),
        pa.field("line_hash", pa.int64()),
        pa.field("documents", pa.int64(), nullable=False),
    ]
)

BODIES = pa.schema(
    [
        ("article_id", pa.string()),
        ("body", pa.string()),
        ("title", pa.string()),
        ("byline", pa.string()),
        ("published_at", pa.string()),
        ("language", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("error", pa.string()),  # why the body is empty, if it is
    ]
)

REMOVED = pa.schema(
    [
        ("article_id", pa.string()),
        ("index", pa.int32()),
        ("text", pa.string()),
        ("rule", pa.string()),
    ]
)

SENTENCES = pa.schema(
    [
        ("sentence_id", pa.string()),
        ("article_id", pa.string()),
        ("index", pa.int32()),
        ("paragraph", pa.int32()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
    ]
)

TASKS = pa.schema(
    [
        ("campaign", pa.string()),
        ("sentence_id", pa.string()),
        ("project_id", pa.int64()),
        ("task_id", pa.int64()),
    ]
)

SENTENCE_ALIASES = pa.schema(
    [
        ("old_sentence_id", pa.string()),
        ("article_id", pa.string()),
        ("old_text", pa.string()),
        ("new_sentence_id", pa.string()),  # null: no sentence of the article is like it
        ("offset", pa.int32()),  # where the old text starts in the new one; -1: not inside
        ("reason", pa.string()),
    ]
)

ORPHANED_TASKS = pa.schema(
    [
        ("campaign", pa.string()),
        ("sentence_id", pa.string()),  # the sentence that changed
        ("project_id", pa.int64()),
        ("task_id", pa.int64()),
        ("reason", pa.string()),
        ("retired", pa.bool_()),  # marked in Label Studio so annotators stop getting it
    ]
)

ORPHANED_ANNOTATIONS = pa.schema(
    [
        ("campaign", pa.string()),
        ("task_id", pa.int64()),
        ("annotation_id", pa.int64()),
        ("sentence_id", pa.string()),
        ("reason", pa.string()),
        ("annotation", pa.string()),  # the whole row as JSON: nothing is lost
    ]
)

REVIEW_TASKS = pa.schema(
    [
        ("campaign", pa.string()),
        ("sentence_id", pa.string()),
        ("project_id", pa.int64()),
        ("task_id", pa.int64()),
        ("opinions", pa.string()),  # digest of the side-by-side table the task shows
    ]
)

SPAN = pa.struct(
    [
        ("id", pa.string()),
        ("label", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
    ]
)

RELATION = pa.struct([("from_id", pa.string()), ("to_id", pa.string())])

ANNOTATIONS = pa.schema(
    [
        ("campaign", pa.string()),
        ("project_id", pa.int64()),
        ("task_id", pa.int64()),
        ("sentence_id", pa.string()),
        ("annotation_id", pa.int64()),
        ("annotator", pa.string()),
        ("stance", pa.string()),
        ("spans", pa.list_(SPAN)),
        ("relations", pa.list_(RELATION)),
        ("was_cancelled", pa.bool_()),
        ("ground_truth", pa.bool_()),
        ("lead_time", pa.float64()),
        ("created_at", pa.string()),
        ("updated_at", pa.string()),
    ]
)

INVALID_ANNOTATIONS = pa.schema(
    [
        ("campaign", pa.string()),
        ("task_id", pa.int64()),
        ("annotation_id", pa.int64()),
        ("link", pa.string()),
        ("reason", pa.string()),
    ]
)

REPAIRED_ANNOTATIONS = pa.schema(
    [
        ("campaign", pa.string()),
        ("task_id", pa.int64()),
        ("annotation_id", pa.int64()),
        ("spans", pa.int32()),  # spans of the annotation that were re-anchored
        ("reason", pa.string()),
    ]
)

PULL_STATE = pa.schema(
    [
        ("campaign", pa.string()),
        ("project_id", pa.int64()),
        ("watermark", pa.string()),  # server time when the last pull began to read
        ("salt", pa.string()),  # fingerprint of the pseudonym salt the rows were made with
    ]
)

PREDICTIONS = pa.schema(
    [
        ("campaign", pa.string()),
        ("task_id", pa.int64()),
        ("model_version", pa.string()),
    ]
)

# near-duplicate detection (newsdesk.stages.dedup): one MinHash signature and LSH band keys per
# article, by bodies shard; the verified pairs and the clusters they make, one shard each
MINHASH = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_at", pa.string()),
        ("body_chars", pa.int64()),
        ("batch", pa.int32()),  # the dedup run that first hashed the article's shard
        ("signature", pa.binary()),  # num_perm little-endian uint32 values
    ]
)

LSH_BANDS = pa.schema([("band_key", pa.int64()), ("article_id", pa.string())])

NEAR_DUPLICATE_PAIRS = pa.schema(
    [("a", pa.string()), ("b", pa.string()), ("similarity", pa.float32())]
)

CLUSTERS = pa.schema(
    [
        ("article_id", pa.string()),
        ("cluster_id", pa.string()),  # the stable key splits are hashed from
        ("similarity", pa.float32()),  # estimated Jaccard to the representative
        ("representative", pa.bool_()),
        ("created", pa.int32()),  # the dedup run in which the cluster got its key
    ]
)
