"""Publishing: versions, bumps, checks and what `load_dataset` sees."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pytest
import yaml

from newsdesk.clean import clean
from newsdesk.config import Campaign, Settings, load_settings
from newsdesk.ingest import ingest
from newsdesk.labelschema import LabelSchema, load_label_schema
from newsdesk.publish import PublishCheckFailed, publish, split_of
from newsdesk.segment import segment
from newsdesk.versions import sha256_file
from newsdesk.workspace import Workspace
from schemas import LABEL_SCHEMA_PATH, tables
from tests.conftest import SAMPLES


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Workspace, Settings]:
    workspace = Workspace(str(tmp_path / "ws"))
    ingest(workspace, [SAMPLES])
    clean(workspace)
    segment(workspace)
    settings = load_settings(tmp_path / "none.toml", publish__outputs=str(tmp_path / "out"))
    settings = settings.model_copy(
        update={"campaigns": [Campaign(name="c1", target="Russia", keywords=["Russia"])]}
    )
    sentences = workspace.read("sentences", tables.SENTENCES).slice(0, 10).to_pylist()
    _tasks(workspace, sentences, "first")
    return workspace, settings


def _tasks(workspace: Workspace, sentences: list[dict], shard: str) -> None:
    rows = [
        {"campaign": "c1", "sentence_id": s["sentence_id"], "project_id": 1, "task_id": i}
        for i, s in enumerate(sentences)
    ]
    workspace.write_shard("tasks", shard, pa.Table.from_pylist(rows, tables.TASKS))


def _annotate(workspace: Workspace, stance: str, word_of: int = 0) -> dict:
    sentence = workspace.read("sentences", tables.SENTENCES).to_pylist()[word_of]
    word = sentence["text"].split()[0]
    rows = [
        {
            "campaign": "c1", "project_id": 1, "task_id": 0,
            "sentence_id": sentence["sentence_id"], "annotation_id": n, "annotator": who,
            "stance": stance, "relations": [], "was_cancelled": False, "ground_truth": False,
            "lead_time": 2.0, "created_at": "2026-11-01", "updated_at": "2026-11-01",
            "spans": [{"id": "s", "label": "statement", "start": 0, "end": len(word),
                       "text": word}],
        }
        for n, who in enumerate(["ann-a", "ann-b"])
    ]  # fmt: skip
    workspace.write_shard("annotations", "c1", pa.Table.from_pylist(rows, tables.ANNOTATIONS))
    return sentence


def _publish(workspace: Workspace, settings: Settings, schema: LabelSchema | None = None):
    return publish(workspace, settings, schema or load_label_schema())


def test_first_version_loads_with_typed_labels_and_checksums(setup) -> None:
    workspace, settings = setup
    sentence = _annotate(workspace, "against")
    result = _publish(workspace, settings)
    assert result.version == "1.0.0"
    manifest = json.loads((result.path / "manifest.json").read_text())
    for relative, entry in manifest["files"].items():
        assert sha256_file(result.path / relative) == entry["sha256"]
    loaded = datasets.load_dataset(str(result.path))
    rows = [row for split in loaded.values() for row in split]
    assert len(rows) == 10
    features = next(iter(loaded.values())).features
    assert features["stance"].names == load_label_schema().stance.values
    (row,) = [r for r in rows if r["sentence_id"] == sentence["sentence_id"]]
    assert features["stance"].int2str(row["stance"]) == "against"
    assert row["annotator_count"] == 2
    assert row["events"][0]["text"] == row["text"][: row["events"][0]["end"]]
    assert all(r["stance"] == -1 for r in rows if r is not row)
    card = (result.path / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert {c["config_name"] for c in front["configs"]} == {"sentences", "articles", "annotations"}


def test_nothing_changed_means_no_version(setup) -> None:
    workspace, settings = setup
    first = _publish(workspace, settings)
    again = _publish(workspace, settings)
    assert again.version is None and "nothing changed" in again.message
    assert sorted(p.name for p in first.path.parent.iterdir()) == ["1.0.0", "latest"]


def test_bumps_patch_minor_major(setup) -> None:
    workspace, settings = setup
    _annotate(workspace, "favor")
    assert _publish(workspace, settings).version == "1.0.0"
    _annotate(workspace, "against")
    assert _publish(workspace, settings).version == "1.0.1"
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 5).to_pylist()
    _tasks(workspace, more, "second")
    assert _publish(workspace, settings).version == "1.1.0"
    raw = yaml.safe_load(LABEL_SCHEMA_PATH.read_text())
    raw["stance"]["labels"].append({"value": "mixed", "hotkey": "5", "description": "Both."})
    result = _publish(workspace, settings, LabelSchema.model_validate(raw))
    assert result.version == "2.0.0"
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["parent"] == "1.1.0"
    assert (result.path.parent / "latest").read_text().strip() == "2.0.0"


def test_failed_check_writes_nothing(setup) -> None:
    workspace, settings = setup
    sentence = _annotate(workspace, "favor")
    table = workspace.read_shard("annotations", "c1").to_pylist()
    table[0]["spans"][0]["text"] = "not what the offsets say"
    workspace.write_shard("annotations", "c1", pa.Table.from_pylist(table, tables.ANNOTATIONS))
    # both annotators must disagree on text for the aggregated span to carry the bad text
    table[1]["spans"][0]["text"] = "not what the offsets say"
    workspace.write_shard("annotations", "c1", pa.Table.from_pylist(table, tables.ANNOTATIONS))
    with pytest.raises(PublishCheckFailed, match=sentence["sentence_id"]):
        _publish(workspace, settings)
    root = Path(settings.publish.outputs) / settings.publish.dataset
    assert not root.exists() or not any(p for p in root.iterdir() if not p.name.startswith("."))


def test_splits_are_stable_grouped_and_near_the_ratios() -> None:
    ratios = {"train": 0.8, "validation": 0.1, "test": 0.1}
    ids = [f"article-{i}" for i in range(5000)]
    first = [split_of(i, "salt", ratios) for i in ids]
    assert first == [split_of(i, "salt", ratios) for i in ids]
    counts = Counter(first)
    assert 0.77 < counts["train"] / 5000 < 0.83 and counts["test"] > 400
    assert first != [split_of(i, "other-salt", ratios) for i in ids]
