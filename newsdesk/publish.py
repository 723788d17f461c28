"""Publish: immutable, versioned dataset folders that `datasets.load_dataset` reads offline.

A version is built in a temporary folder and renamed into place, so a crash leaves no
partial version; an existing version is never written again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from annotation.aggregate import aggregate
from newsdesk.card import dataset_card
from newsdesk.config import Settings
from newsdesk.features import annotation_features, article_features, sentence_features
from newsdesk.labelschema import LabelSchema
from newsdesk.versions import dataset_root, latest_version, read_manifest, sha256_file
from newsdesk.workspace import Workspace
from schemas import tables

CONFIGS = ("sentences", "articles", "annotations")
ROW_GROUP_ROWS = 100_000


class PublishCheckFailed(ValueError):
    """The data failed a check before anything was written; the message says which."""


@dataclass(frozen=True)
class PublishResult:
    version: str | None
    path: Path | None
    message: str


def split_of(article_id: str, salt: str, ratios: dict[str, float]) -> str:
    """Stable split by a salted hash of the article: no article in two splits, ever."""
    digest = hashlib.sha256(f"{salt}\x1f{article_id}".encode()).digest()
    point = struct.unpack(">Q", digest[:8])[0] / 2**64
    total = sum(ratios.values())
    edge = 0.0
    for name, ratio in ratios.items():
        edge += ratio / total
        if point < edge:
            return name
    return next(reversed(ratios))


def _spans(spans: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    index = {name: i for i, name in enumerate(names)}
    return [
        {"label": index[s["label"]], "start": s["start"], "end": s["end"], "text": s["text"]}
        for s in spans
        if s["label"] in index
    ]


def build_rows(
    workspace: Workspace, settings: Settings, schema: LabelSchema
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every config, each with its split, sorted by article and position."""
    stance_index = {name: i for i, name in enumerate(schema.stance.values)}
    targets = {c.name: c.target for c in settings.campaigns}
    tasks = workspace.read("tasks", tables.TASKS, ["campaign", "sentence_id"])
    pushed: dict[str, list[str]] = defaultdict(list)
    for campaign, sentence in zip(
        tasks["campaign"].to_pylist(), tasks["sentence_id"].to_pylist(), strict=True
    ):
        if campaign not in pushed[sentence]:
            pushed[sentence].append(campaign)
    notes = defaultdict(list)
    for row in workspace.read("annotations", tables.ANNOTATIONS).to_pylist():
        notes[(row["campaign"], row["sentence_id"])].append(row)
    bodies = {row["article_id"]: row for row in workspace.read("bodies", tables.BODIES).to_pylist()}
    sentences = workspace.read("sentences", tables.SENTENCES)
    sentences = sentences.filter(pc.is_in(sentences["sentence_id"], pa.array(list(pushed))))
    sentences = sentences.sort_by([("article_id", "ascending"), ("index", "ascending")])
    ratios, salt = settings.publish.splits, settings.publish.split_salt
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CONFIGS}
    used_articles: list[str] = []
    for sentence in sentences.to_pylist():
        article = bodies[sentence["article_id"]]
        split = split_of(sentence["article_id"], salt, ratios)
        if not used_articles or used_articles[-1] != sentence["article_id"]:
            used_articles.append(sentence["article_id"])
        for campaign in sorted(pushed[sentence["sentence_id"]]):
            annotations = notes.get((campaign, sentence["sentence_id"]), [])
            result = aggregate(annotations)
            events = [s for s in result.spans if s["label"] in schema.events.values]
            rows["sentences"].append(
                {
                    **{k: sentence[k] for k in ("sentence_id", "article_id", "index", "paragraph")},
                    **{k: sentence[k] for k in ("start", "end", "text")},
                    "campaign": campaign,
                    "target": targets.get(campaign, campaign),
                    "title": article["title"],
                    "source": article["source"],
                    "published_at": article["published_at"],
                    "stance": stance_index.get(result.stance or "", -1),
                    "stance_agreement": result.stance_agreement,
                    "events": _spans(events, schema.events.values),
                    "arguments": _spans(result.spans, schema.roles.values),
                    "annotator_count": result.annotators,
                    "annotator_labels": [
                        {"annotator": a["annotator"], "stance": stance_index.get(a["stance"], -1)}
                        for a in sorted(annotations, key=lambda a: a["annotator"])
                        if not a["was_cancelled"]
                    ],
                    "split": split,
                }
            )
            for a in sorted(annotations, key=lambda a: (a["annotator"], a["annotation_id"])):
                rows["annotations"].append(
                    {
                        "sentence_id": sentence["sentence_id"],
                        "article_id": sentence["article_id"],
                        "campaign": campaign,
                        "annotator": a["annotator"],
                        "stance": stance_index.get(a["stance"] or "", -1),
                        "events": _spans(list(a["spans"]), schema.events.values),
                        "arguments": _spans(list(a["spans"]), schema.roles.values),
                        "was_cancelled": a["was_cancelled"],
                        "ground_truth": a["ground_truth"],
                        "lead_time": a["lead_time"],
                        "created_at": a["created_at"],
                        "split": split,
                    }
                )
    for article_id in used_articles:
        article = bodies[article_id]
        rows["articles"].append(
            {
                **{k: article[k] for k in ("article_id", "title", "source", "url")},
                **{k: article[k] for k in ("published_at", "language", "body")},
                "split": split_of(article_id, salt, ratios),
            }
        )
    return rows


def check_rows(rows: dict[str, list[dict[str, Any]]], bodies_text: dict[str, str]) -> None:
    """Refuse to publish data whose offsets or counts do not hold."""
    for row in rows["sentences"]:
        body = bodies_text.get(row["article_id"], "")
        if body[row["start"] : row["end"]] != row["text"]:
            raise PublishCheckFailed(f"sentence {row['sentence_id']}: offsets do not match text")
        for span in row["events"] + row["arguments"]:
            if row["text"][span["start"] : span["end"]] != span["text"]:
                raise PublishCheckFailed(
                    f"sentence {row['sentence_id']}: span {span['start']}-{span['end']} "
                    f"does not match its text {span['text']!r}"
                )
    annotated = sum(r["annotator_count"] for r in rows["sentences"])
    done = sum(1 for r in rows["annotations"] if not r["was_cancelled"])
    if annotated != done:
        raise PublishCheckFailed(f"{annotated} annotations aggregated but {done} exported")


def to_table(rows: list[dict[str, Any]], features: datasets.Features) -> pa.Table:
    """Encode through the features, so a label id out of range fails here, not for users."""
    try:
        encoded = [features.encode_example(row) for row in rows]
    except (ValueError, KeyError) as error:
        raise PublishCheckFailed(f"a label does not fit the schema: {error}") from None
    return pa.Table.from_pylist(encoded, schema=features.arrow_schema)


def content_fingerprint(data: dict[str, dict[str, pa.Table]]) -> str:
    hasher = hashlib.sha256()
    for config in sorted(data):
        for split in sorted(data[config]):
            sink = pa.BufferOutputStream()
            table = data[config][split]
            with pa.ipc.new_stream(sink, table.schema.remove_metadata()) as writer:
                writer.write_table(table)
            hasher.update(f"{config}/{split}".encode())
            hasher.update(sink.getvalue().to_pybytes())
    return hasher.hexdigest()


def next_version(parent: dict[str, Any] | None, schema_fp: str, keys: set[str], bump: str) -> str:
    """Semantic version: schema change -> major, rows added or removed -> minor, else patch."""
    if parent is None:
        return "1.0.0"
    major, minor, patch = (int(x) for x in parent["version"].split("."))
    if bump == "auto":
        if parent["label_schema_fingerprint"] != schema_fp:
            bump = "major"
        elif set(parent["row_keys"]) != keys:
            bump = "minor"
        else:
            bump = "patch"
    return {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[bump]


def publish(
    workspace: Workspace,
    settings: Settings,
    schema: LabelSchema,
    *,
    bump: str = "auto",
    provenance: dict[str, str] | None = None,
) -> PublishResult:
    """Build, check and write a new version; nothing is written when nothing changed."""
    rows = build_rows(workspace, settings, schema)
    bodies_text = {
        row["article_id"]: row["body"] or ""
        for row in workspace.read("bodies", tables.BODIES, ["article_id", "body"]).to_pylist()
    }
    check_rows(rows, bodies_text)
    features = {
        "sentences": sentence_features(schema),
        "articles": article_features(),
        "annotations": annotation_features(schema),
    }
    data: dict[str, dict[str, pa.Table]] = {}
    for config in CONFIGS:
        by_split: dict[str, list[dict[str, Any]]] = {name: [] for name in settings.publish.splits}
        for row in rows[config]:
            by_split[row.pop("split")].append(row)
        # an empty Parquet file has no row group and `datasets` cannot read it: leave it out
        data[config] = {
            split: to_table(split_rows, features[config])
            for split, split_rows in by_split.items()
            if split_rows
        }
    fingerprint = content_fingerprint(data)
    root = dataset_root(settings)
    parent_version = latest_version(root)
    parent = read_manifest(root / parent_version) if parent_version else None
    unchanged = parent and (parent["content_fingerprint"], parent["label_schema_fingerprint"]) == (
        fingerprint,
        schema.fingerprint,
    )
    if unchanged and bump == "auto":
        return PublishResult(None, root / parent_version, f"nothing changed since {parent_version}")
    keys = {f"{r['campaign']}/{r['sentence_id']}" for r in rows["sentences"]}
    version = next_version(parent, schema.fingerprint, keys, bump)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
    try:
        files = write_version(staging, data, schema, version)
        manifest = {
            "dataset": settings.publish.dataset,
            "version": version,
            "parent": parent_version,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "label_schema_fingerprint": schema.fingerprint,
            "label_schema_version": schema.version,
            "content_fingerprint": fingerprint,
            "files": files,
            "row_keys": sorted(keys),
            **(provenance or {}),
        }
        (staging / "README.md").write_text(
            dataset_card(settings, schema, manifest, data, features), encoding="utf-8"
        )
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        staging.rename(root / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (root / ".latest.tmp").write_text(version + "\n", encoding="utf-8")
    (root / ".latest.tmp").replace(root / "latest")
    return PublishResult(version, root / version, f"published {version}")


def write_version(
    folder: Path, data: dict[str, dict[str, pa.Table]], schema: LabelSchema, version: str
) -> dict[str, dict[str, Any]]:
    """Parquet files in the Hugging Face layout; returns their sha256, bytes and rows."""
    files: dict[str, dict[str, Any]] = {}
    for config, splits in data.items():
        for split, table in splits.items():
            relative = f"data/{config}/{split}-00000-of-00001.parquet"
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            metadata = dict(table.schema.metadata or {})
            metadata[b"newsdesk"] = json.dumps(
                {
                    "version": version,
                    "label_schema_fingerprint": schema.fingerprint,
                    "label_schema_version": schema.version,
                }
            ).encode()
            pq.write_table(
                table.replace_schema_metadata(metadata),
                path,
                compression="zstd",
                row_group_size=ROW_GROUP_ROWS,
            )
            files[relative] = {
                "sha256": sha256_file(path),
                "bytes": path.stat().st_size,
                "rows": table.num_rows,
            }
    return files
