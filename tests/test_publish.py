"""Publishing: versions, bumps, checks, layout, changes and what `load_dataset` sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from huggingface_hub import DatasetCard

import newsdesk.publishing.publish as publish_module
from newsdesk.foundations.config import Campaign, Settings, load_settings
from newsdesk.foundations.labelschema import LabelSchema, load_label_schema
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.checks import PublishCheckFailed, check_label_ranges
from newsdesk.publishing.features import all_features
from newsdesk.publishing.publish import publish
from newsdesk.publishing.splits import split_of
from newsdesk.publishing.versions import latest_version, list_versions, sha256_file
from newsdesk.stages.clean import clean
from newsdesk.stages.ingest import ingest
from newsdesk.stages.segment import segment
from schemas import LABEL_SCHEMA_PATH, tables
from tests.conftest import ROOT, SAMPLES, load_published


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Workspace, Settings]:
    return make_setup(tmp_path)


def make_setup(tmp_path: Path) -> tuple[Workspace, Settings]:
    """The bundled samples ingested, cleaned and segmented; tasks for the first 10 sentences."""
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


def _note(sentence: dict, n: int, who: str, stance: str | None, spans: list, relations: list):
    return {
        "campaign": "c1", "project_id": 1, "task_id": 0, "sentence_id": sentence["sentence_id"],
        "annotation_id": n, "annotator": who, "stance": stance, "spans": spans,
        "relations": relations, "was_cancelled": False, "ground_truth": False, "lead_time": 2.0,
        "created_at": "2026-11-01", "updated_at": "2026-11-01",
    }  # fmt: skip


def _sentence(workspace: Workspace, position: int = 0) -> dict:
    return workspace.read("sentences", tables.SENTENCES).to_pylist()[position]


def _annotate(workspace: Workspace, stance: str, word_of: int = 0) -> dict:
    sentence = _sentence(workspace, word_of)
    word = sentence["text"].split()[0]
    span = {"id": "s", "label": "statement", "start": 0, "end": len(word), "text": word}
    rows = [_note(sentence, n, who, stance, [span], []) for n, who in enumerate(["a", "b"])]
    _write_notes(workspace, rows)
    return sentence


def _write_notes(workspace: Workspace, rows: list[dict]) -> None:
    workspace.write_shard("annotations", "c1", pa.Table.from_pylist(rows, tables.ANNOTATIONS))


def _publish(workspace: Workspace, settings: Settings, schema: LabelSchema | None = None, **kw):
    return publish(workspace, settings, schema or load_label_schema(), **kw)


def _root(settings: Settings) -> Path:
    return Path(settings.publish.outputs) / settings.publish.dataset


def _latest(root: Path) -> str:
    """What `latest` points at; it must be a relative link to a version folder."""
    link = root / "latest"
    assert link.is_symlink() and (link / "manifest.json").is_file()
    target = os.readlink(link)
    assert "/" not in target, target
    return target


def test_first_version_loads_with_typed_labels_and_checksums(setup) -> None:
    workspace, settings = setup
    sentence = _annotate(workspace, "against")
    result = _publish(workspace, settings)
    assert result.version == "1.0.0"
    manifest = json.loads((result.path / "manifest.json").read_text())
    for relative, entry in manifest["files"].items():
        assert sha256_file(result.path / relative) == entry["sha256"]
        assert (result.path / relative).stat().st_size == entry["bytes"]
    assert {"README.md", "CHANGELOG.md"} <= set(manifest["files"])
    assert manifest["parent"] is None and manifest["tables_version"] == 3
    assert manifest["label_schema_fingerprint"] == load_label_schema().fingerprint
    loaded = load_published(result.path)
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
    configs = {"sentences", "tokens", "articles", "annotations"}
    assert {c["config_name"] for c in front["configs"]} == configs


def test_every_config_loads_offline_with_features_from_the_schema(setup) -> None:
    workspace, settings = setup
    _annotate(workspace, "favor")
    folder = _publish(workspace, settings).path
    schema = load_label_schema()
    sentences = load_published(folder, "sentences")
    features = next(iter(sentences.values())).features
    assert features["events"].feature["label"].names == schema.events.values
    assert features["arguments"].feature["label"].names == schema.roles.values
    assert features["annotator_labels"].feature["stance"].names == schema.stance.values
    articles = load_published(folder, "articles")
    article_rows = [r for split in articles.values() for r in split]
    assert {r["article_id"] for r in article_rows} == {
        r["article_id"] for split in sentences.values() for r in split
    }
    long = load_published(folder, "annotations")
    assert sorted(r["annotator"] for split in long.values() for r in split) == ["a", "b"]
    front = DatasetCard.load(folder / "README.md").data.to_dict()
    assert [c["config_name"] for c in front["configs"] if c.get("default")] == ["sentences"]
    for key in ("license", "language", "task_categories", "size_categories", "pretty_name"):
        assert front[key]
    info = {i["config_name"]: i for i in front["dataset_info"]}
    assert info["sentences"]["features"][12]["name"] == "stance"


def test_arguments_are_linked_to_their_trigger(setup) -> None:
    workspace, settings = setup
    sentence = _sentence(workspace, 1)  # "BRUSSELS — European Union foreign ministers agreed…"
    text = sentence["text"]
    agreed = text.index("agreed")
    agent = text.index("European Union")

    def spans(n: int) -> list[dict]:
        return [
            {"id": f"t{n}", "label": "agreement", "start": agreed, "end": agreed + 6,
             "text": "agreed"},
            {"id": f"g{n}", "label": "agent", "start": agent, "end": agent + 14,
             "text": "European Union"},
            {"id": f"p{n}", "label": "place", "start": 0, "end": 8, "text": "BRUSSELS"},
        ]  # fmt: skip

    # both link the agent (drawn in either direction); only one links the place
    rows = [
        _note(sentence, 1, "a", "neutral", spans(1),
              [{"from_id": "g1", "to_id": "t1"}, {"from_id": "t1", "to_id": "p1"}]),
        _note(sentence, 2, "b", "neutral", spans(2), [{"from_id": "t2", "to_id": "g2"}]),
        _note(sentence, 3, "c", "neutral", spans(3), []),
    ]  # fmt: skip
    _write_notes(workspace, rows)
    folder = _publish(workspace, settings).path
    loaded = load_published(folder, "sentences")
    (row,) = [r for s in loaded.values() for r in s if r["sentence_id"] == sentence["sentence_id"]]
    roles = load_label_schema().roles.values
    assert [(e["text"], e["start"]) for e in row["events"]] == [("agreed", agreed)]
    by_text = {a["text"]: a for a in row["arguments"]}
    assert roles[by_text["European Union"]["label"]] == "agent"
    assert by_text["European Union"]["event"] == 0
    assert by_text["BRUSSELS"]["event"] == -1  # 1 of 3 annotators linked it
    long = load_published(folder, "annotations")
    own = {r["annotator"]: r for s in long.values() for r in s}
    assert {a["text"]: a["event"] for a in own["a"]["arguments"]} == {
        "BRUSSELS": 0,
        "European Union": 0,
    }
    assert {a["text"]: a["event"] for a in own["c"]["arguments"]} == {
        "BRUSSELS": -1,
        "European Union": -1,
    }


def test_nothing_changed_means_no_version(setup) -> None:
    workspace, settings = setup
    first = _publish(workspace, settings)
    again = _publish(workspace, settings)
    assert again.version is None and "nothing changed" in again.message
    assert _publish(workspace, settings, bump="major").version is None
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
    assert _latest(result.path.parent) == "2.0.0"
    assert list_versions(result.path.parent) == ["1.0.0", "1.0.1", "1.1.0", "2.0.0"]


def test_a_bump_smaller_than_the_change_is_refused(setup) -> None:
    workspace, settings = setup
    _publish(workspace, settings)
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 2).to_pylist()
    _tasks(workspace, more, "second")
    with pytest.raises(PublishCheckFailed, match="at least minor"):
        _publish(workspace, settings, bump="patch")
    assert _publish(workspace, settings, bump="major").version == "2.0.0"


def test_changes_are_recorded_row_by_row(setup) -> None:
    workspace, settings = setup
    first = _sentence(workspace, 0)
    _publish(workspace, settings)
    _annotate(workspace, "against")  # relabels sentence 0
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 3).to_pylist()
    _tasks(workspace, more, "second")
    result = _publish(workspace, settings)
    assert result.version == "1.1.0"
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["changes"] == {
        "added": 3, "removed": 0, "text_changed": 0, "relabeled": 1, "moved_split": 0,
    }  # fmt: skip
    changes = pq.read_table(result.path / "changes.parquet").to_pylist()
    relabeled = [c for c in changes if c["change"] == "relabeled"]
    assert relabeled == [
        {"key": f"c1/{first['sentence_id']}", "sentence_id": first["sentence_id"],
         "campaign": "c1", "article_id": first["article_id"], "change": "relabeled",
         "before": None, "after": "against"}
    ]  # fmt: skip
    added = {c["sentence_id"] for c in changes if c["change"] == "added"}
    assert added == {s["sentence_id"] for s in more}
    log = (result.path / "CHANGELOG.md").read_text()
    assert "## 3 rows added" in log and "## 1 rows relabeled" in log
    assert f"`c1/{first['sentence_id']}`" in log
    card = (result.path / "README.md").read_text()
    assert "Since 1.0.0 (minor release): 3 rows added" in card
    loaded = load_published(result.path)  # changes.parquet is not data
    assert sum(split.num_rows for split in loaded.values()) == 13


def test_a_version_whose_latest_pointer_was_lost_is_still_the_parent(setup) -> None:
    workspace, settings = setup
    _publish(workspace, settings)
    _annotate(workspace, "favor")
    _publish(workspace, settings)
    root = _root(settings)
    (root / "latest").unlink()
    (root / "latest").symlink_to("1.0.0")  # as if the process died before moving it
    _annotate(workspace, "against")
    result = _publish(workspace, settings)
    assert result.version == "1.0.2"
    assert json.loads((result.path / "manifest.json").read_text())["parent"] == "1.0.1"
    assert _latest(root) == "1.0.2"


def test_latest_is_a_link_load_dataset_opens_and_an_old_text_pointer_becomes_one(setup) -> None:
    workspace, settings = setup
    _tasks(workspace, workspace.read("sentences", tables.SENTENCES).to_pylist(), "all")
    _publish(workspace, settings)
    root = _root(settings)
    (root / "latest").unlink()
    (root / "latest").write_text("1.0.0\n")  # the pointer of older newsdesk releases
    assert latest_version(root) == "1.0.0"
    _annotate(workspace, "favor")
    assert _publish(workspace, settings).version == "1.0.1"
    assert _latest(root) == "1.0.1"
    assert not any(p.name.startswith(".latest-") for p in root.iterdir())
    train = datasets.load_dataset(str(root / "latest"), split="train")
    manifest = json.loads((root / "1.0.1" / "manifest.json").read_text())
    assert train.num_rows == manifest["rows"]["sentences"]["train"] > 0


def test_text_change_and_split_move_are_minor(setup, tmp_path: Path) -> None:
    workspace, settings = setup
    _publish(workspace, settings)
    # the same sentence id (same offsets) with corrected text, in body and sentence alike
    sentence = _sentence(workspace, 2)
    bodies = workspace.read("bodies", tables.BODIES).to_pylist()
    for body in bodies:
        if body["article_id"] == sentence["article_id"]:
            start = sentence["start"]
            body["body"] = body["body"][:start] + "X" + body["body"][start + 1 :]
    workspace.write_shard("bodies", "fixed", pa.Table.from_pylist(bodies, tables.BODIES))
    for shard in workspace.shards("bodies"):
        if shard != "fixed":
            workspace.delete_shard("bodies", shard)
    rows = workspace.read("sentences", tables.SENTENCES).to_pylist()
    for row in rows:
        if row["sentence_id"] == sentence["sentence_id"]:
            row["text"] = "X" + row["text"][1:]
    for shard in workspace.shards("sentences"):
        workspace.delete_shard("sentences", shard)
    workspace.write_shard("sentences", "fixed", pa.Table.from_pylist(rows, tables.SENTENCES))
    result = _publish(workspace, settings)
    assert result.version == "1.1.0"
    assert json.loads((result.path / "manifest.json").read_text())["changes"]["text_changed"] == 1
    moved = settings.model_copy(deep=True)
    moved.publish.split_salt = "another-salt"
    result = _publish(workspace, moved)
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert result.version == "1.2.0" and manifest["changes"]["moved_split"] > 0
    assert "another-salt" in (result.path / "README.md").read_text()


def test_failed_check_writes_nothing(setup) -> None:
    workspace, settings = setup
    sentence = _annotate(workspace, "favor")
    table = workspace.read_shard("annotations", "c1").to_pylist()
    table[0]["spans"][0]["text"] = "not what the offsets say"
    _write_notes(workspace, table)
    with pytest.raises(PublishCheckFailed, match=sentence["sentence_id"]):
        _publish(workspace, settings)
    root = _root(settings)
    assert not root.exists() or not any(p for p in root.iterdir() if not p.name.startswith("."))


def _break_stance(workspace: Workspace) -> None:
    _annotate(workspace, "furious")


def _break_span_label(workspace: Workspace) -> None:
    sentence = _sentence(workspace)
    word = sentence["text"].split()[0]
    span = {"id": "s", "label": "gossip", "start": 0, "end": len(word), "text": word}
    _write_notes(workspace, [_note(sentence, 1, "a", "favor", [span], [])])


def _break_relation(workspace: Workspace) -> None:
    sentence = _sentence(workspace)
    relation = [{"from_id": "nowhere", "to_id": "s"}]
    _write_notes(workspace, [_note(sentence, 1, "a", "favor", [], relation)])


def _break_task(workspace: Workspace) -> None:
    ghost = {"sentence_id": "0000000000000000:0-5"}
    _tasks(workspace, [ghost], "ghost")


def _break_annotation_without_task(workspace: Workspace) -> None:
    sentence = _sentence(workspace, 30)  # no task was made for it
    _write_notes(workspace, [_note(sentence, 1, "a", "favor", [], [])])


def _break_sentence_offsets(workspace: Workspace) -> None:
    rows = workspace.read("sentences", tables.SENTENCES).to_pylist()
    rows[0]["text"] = rows[0]["text"].upper()
    for shard in workspace.shards("sentences"):
        workspace.delete_shard("sentences", shard)
    workspace.write_shard("sentences", "broken", pa.Table.from_pylist(rows, tables.SENTENCES))


def _break_duplicate_sentence(workspace: Workspace) -> None:
    rows = workspace.read("sentences", tables.SENTENCES).slice(0, 1)
    workspace.write_shard("sentences", "again", rows)


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        (_break_stance, "stance 'furious' is not in the label schema"),
        (_break_span_label, "span label 'gossip' is not in the label schema"),
        (_break_relation, "a relation links a span that does not exist"),
        (_break_task, "1 tasks point at sentences missing from the workspace"),
        (_break_annotation_without_task, "1 annotations are for sentences without a task"),
        (_break_sentence_offsets, "offsets do not match the article body"),
        (_break_duplicate_sentence, "holds a sentence id twice"),
    ],
)
def test_each_check_stops_the_publish_with_its_reason(setup, breakage, reason) -> None:
    workspace, settings = setup
    breakage(workspace)
    with pytest.raises(PublishCheckFailed, match=reason):
        _publish(workspace, settings)
    assert not _root(settings).exists()


def test_an_empty_workspace_publishes_nothing(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", publish__outputs=str(tmp_path / "out"))
    with pytest.raises(PublishCheckFailed, match="nothing to publish"):
        _publish(Workspace(str(tmp_path / "ws")), settings)
    assert not (tmp_path / "out").exists()


def test_label_ids_out_of_range_are_caught() -> None:
    schema = load_label_schema()
    features = all_features(schema)["sentences"]
    row = {name: None for name in features}
    row.update(
        stance=len(schema.stance.values), stance_agreement=1.0, annotator_count=1,
        events=[], arguments=[], annotator_labels=[],
    )  # fmt: skip
    table = pa.Table.from_pylist([row], schema=features.arrow_schema)
    with pytest.raises(PublishCheckFailed, match="stance: label id out of range"):
        check_label_ranges(table, schema)
    row["stance"] = 0
    row["events"] = [{"label": 99, "start": 0, "end": 1, "text": "x"}]
    table = pa.Table.from_pylist([row], schema=features.arrow_schema)
    with pytest.raises(PublishCheckFailed, match=r"events\.label"):
        check_label_ranges(table, schema)


def test_a_crash_mid_write_leaves_no_version_and_latest_unchanged(setup, monkeypatch) -> None:
    workspace, settings = setup
    _publish(workspace, settings)
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 5).to_pylist()
    _tasks(workspace, more, "second")
    real = publish_module.write_version

    def crash(folder: Path, *args, **kwargs):
        real(folder, *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(publish_module, "write_version", crash)
    with pytest.raises(OSError, match="disk full"):
        _publish(workspace, settings)
    root = _root(settings)
    assert sorted(p.name for p in root.iterdir()) == ["1.0.0", "latest"]
    assert _latest(root) == "1.0.0"


KILLED_MID_WRITE = """
import os, sys
import pyarrow.parquet as pq
from newsdesk.foundations.config import Campaign, load_settings
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.publishing.publish import publish
from newsdesk.foundations.workspace import Workspace

real = pq.ParquetWriter.write_table
def die(self, *args, **kwargs):
    real(self, *args, **kwargs)
    os._exit(9)  # the process dies between two files: no cleanup runs
pq.ParquetWriter.write_table = die
settings = load_settings(None, publish__outputs=sys.argv[2]).model_copy(
    update={"campaigns": [Campaign(name="c1", target="Russia")]}
)
publish(Workspace(sys.argv[1]), settings, load_label_schema())
"""


def test_a_killed_publish_leaves_no_version_and_the_next_one_cleans_up(setup) -> None:
    workspace, settings = setup
    _publish(workspace, settings)
    more = workspace.read("sentences", tables.SENTENCES).slice(10, 5).to_pylist()
    _tasks(workspace, more, "second")
    env = {**os.environ, "NEWSDESK_CONFIG": str(Path(workspace.uri).parent / "none.toml")}
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, workspace.uri, settings.publish.outputs],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 9, done.stderr
    root = _root(settings)
    assert list_versions(root) == ["1.0.0"]
    assert _latest(root) == "1.0.0"
    assert any(p.name.startswith(".staging-") for p in root.iterdir())  # the half-written one
    assert _publish(workspace, settings).version == "1.1.0"
    assert not any(p.name.startswith(".staging-") for p in root.iterdir())


def test_published_files_are_read_only(setup) -> None:
    workspace, settings = setup
    folder = _publish(workspace, settings).path
    for path in folder.rglob("*"):
        if path.is_file():
            assert not path.stat().st_mode & 0o222, path


def test_parquet_is_zstd_sorted_sharded_and_carries_the_schema(setup) -> None:
    workspace, settings = setup
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    _tasks(workspace, sentences, "all")
    schema = load_label_schema()
    folder = _publish(workspace, settings, shard_bytes=4_000).path
    manifest = json.loads((folder / "manifest.json").read_text())
    train = sorted(f for f in manifest["files"] if f.startswith("data/sentences/train-"))
    assert len(train) > 1
    assert train[0].endswith(f"-00000-of-{len(train):05d}.parquet")
    rows = []
    for relative in train:
        file = pq.ParquetFile(folder / relative)
        assert file.metadata.row_group(0).column(0).compression == "ZSTD"
        meta = json.loads(file.schema_arrow.metadata[b"newsdesk"])
        assert meta["label_schema_fingerprint"] == schema.fingerprint
        assert meta["tables_version"] == 3
        table = file.read(columns=["article_id", "index"])
        rows += list(zip(table["article_id"].to_pylist(), table["index"].to_pylist(), strict=True))
    assert rows == sorted(rows)
    assert sum(manifest["rows"]["sentences"].values()) == len(sentences)
    loaded = load_published(folder, "sentences")
    assert loaded["train"].num_rows == len(rows)


def test_splits_are_stable_grouped_and_near_the_ratios() -> None:
    ratios = {"train": 0.8, "validation": 0.1, "test": 0.1}
    ids = [f"article-{i}" for i in range(5000)]
    first = [split_of(i, "salt", ratios) for i in ids]
    assert first == [split_of(i, "salt", ratios) for i in ids]
    counts = Counter(first)
    assert 0.77 < counts["train"] / 5000 < 0.83 and counts["test"] > 400
    assert first != [split_of(i, "other-salt", ratios) for i in ids]


def test_splits_are_by_article_configurable_and_in_the_card(setup) -> None:
    workspace, settings = setup
    _tasks(workspace, workspace.read("sentences", tables.SENTENCES).to_pylist(), "all")
    custom = settings.model_copy(deep=True)
    custom.publish.splits = {"train": 0.5, "dev": 0.25, "test": 0.25}
    folder = _publish(workspace, custom).path
    loaded = load_published(folder, "sentences")
    assert set(loaded) <= {"train", "dev", "test"}
    seen: dict[str, str] = {}
    for name, split in loaded.items():
        for article in split["article_id"]:
            assert seen.setdefault(article, name) == name
            assert split_of(article, custom.publish.split_salt, custom.publish.splits) == name
    card = (folder / "README.md").read_text()
    assert "| dev | 0.25 |" in card and "| train | 0.5 |" in card
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["splits"]["ratios"] == custom.publish.splits


def test_article_text_cannot_break_the_card(setup) -> None:
    workspace, settings = setup
    nasty = "Talks: \"---\" 'quoted'\n---\nlayout: broken\n# heading | pipe"
    bodies = workspace.read("bodies", tables.BODIES).to_pylist()
    for body in bodies:
        body["title"] = nasty
        body["source"] = "evil: source\n---\nlicense: none"
    for shard in workspace.shards("bodies"):
        workspace.delete_shard("bodies", shard)
    workspace.write_shard("bodies", "nasty", pa.Table.from_pylist(bodies, tables.BODIES))
    folder = _publish(workspace, settings).path
    card = (folder / "README.md").read_text()
    front = DatasetCard.load(folder / "README.md").data.to_dict()
    assert front["license"] == "other" and settings.publish.license in front["license_name"]
    assert "layout" not in front
    configs = {c["config_name"] for c in front["configs"]}
    assert configs == {"sentences", "tokens", "articles", "annotations"}
    body = card.split("\n---\n", 1)[1]
    assert "\n---\n" not in body and "\nlicense: none" not in body
    assert "evil: source --- license: none" in body
    loaded = load_published(folder, "sentences")
    assert {r["title"] for s in loaded.values() for r in s} == {nasty}


def test_card_explains_the_data(setup) -> None:
    workspace, settings = setup
    _annotate(workspace, "against")
    card = (_publish(workspace, settings).path / "README.md").read_text()
    schema = load_label_schema()
    for label in schema.stance.labels + schema.events.types + schema.roles.labels:
        assert label.description in card
    for heading in ("## Splits", "## How it was made", "## Known limits", "## Annotators"):
        assert heading in card
    assert "| 1 | against | 1 |" in card  # the label distribution
    assert "2 annotators" in card and "unanimous" in card
    # one unit with one value: alpha is undefined; both marked the same span
    assert "alpha for stance (nominal) n/a" in card and "span F1 1.000" in card
    assert "Published between" in card and "northern-dispatch.example" in card


@pytest.mark.parametrize(("share", "kept"), [(0.5, 1), (0.75, 0)])
def test_span_agreement_share_comes_from_the_config(setup, share: float, kept: int) -> None:
    workspace, settings = setup
    sentence = _sentence(workspace)
    word = sentence["text"].split()[0]
    span = {"id": "s", "label": "statement", "start": 0, "end": len(word), "text": word}
    _write_notes(
        workspace,
        [_note(sentence, 0, "a", "favor", [span], []), _note(sentence, 1, "b", "favor", [], [])],
    )
    settings.labelstudio.span_agreement = share
    result = _publish(workspace, settings)
    loaded = load_published(result.path, "sentences")
    (row,) = [
        r for split in loaded.values() for r in split if r["sentence_id"] == sentence["sentence_id"]
    ]
    assert len(row["events"]) == kept
