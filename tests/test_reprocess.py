"""Better rules reach existing workspaces: stale shards are rebuilt shard by shard, sentence ids
survive changes elsewhere in the article, and every task and annotation follows its sentence or
is kept aside with a reason. Also the one-time move from release 1's `article:start-end` ids."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import newsdesk.stages.clean as clean_module
import newsdesk.stages.segment as segment_module
from newsdesk.app.jobs import run_publish
from newsdesk.app.status import workspace_status
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.ids import sentence_ids
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.clean import clean
from newsdesk.stages.segment import segment
from schemas import tables
from tests.conftest import ROOT, merge_first_two, settings_for

RELEASE_1 = ROOT / "tests" / "fixtures" / "workspace-v1"  # made by the code of release 1


def test_an_id_does_not_move_when_another_sentence_of_the_article_changes() -> None:
    before = sentence_ids("a1", ["Talks began.", "Kim left.", "Talks began."])
    after = sentence_ids("a1", ["Talks began on Monday.", "Kim  left.", "Talks began."])
    assert before[1] == after[1]  # spacing is not identity
    assert before[0] != before[2]  # the same text twice: two ids
    assert before[0] == after[2]  # the first "Talks began." is now the only one
    assert len({*before, *after}) == 4


@pytest.fixture()
def migrated(tmp_path: Path) -> Workspace:
    """A copy of release 1's workspace, brought to the current rules by clean and segment."""
    shutil.copytree(RELEASE_1, tmp_path / "ws")
    workspace = Workspace(str(tmp_path / "ws"))
    clean(workspace)
    segment(workspace)
    return workspace


def _current(workspace: Workspace) -> dict[str, dict]:
    return {r["sentence_id"]: r for r in workspace.read("sentences", tables.SENTENCES).to_pylist()}


def _annotations(workspace: Workspace) -> list[dict]:
    return workspace.read("annotations", tables.ANNOTATIONS).to_pylist()


def _assert_spans_point_at_their_text(workspace: Workspace) -> None:
    sentences = _current(workspace)
    for note in _annotations(workspace):
        text = sentences[note["sentence_id"]]["text"]
        for span in note["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]


def _settings(workspace: Workspace, tmp_path: Path):
    return settings_for(workspace, tmp_path, [Campaign(name="russia", target="Russia")])


def test_a_release_1_workspace_moves_to_the_new_ids_once_and_keeps_every_label(
    migrated: Workspace, tmp_path: Path
) -> None:
    old = Workspace(str(RELEASE_1))
    old_ids = {r["sentence_id"] for r in old.read("sentences", tables.SENTENCES).to_pylist()}
    assert all(":" in i and "-" in i.split(":")[1] for i in old_ids)  # article:start-end
    sentences = _current(migrated)
    assert not old_ids & set(sentences)
    tasks = migrated.read("tasks", tables.TASKS).to_pylist()
    assert len(tasks) == old.count_rows("tasks")
    assert all(t["sentence_id"] in sentences for t in tasks)
    notes = _annotations(migrated)
    assert len(notes) == old.count_rows("annotations") == 80
    _assert_spans_point_at_their_text(migrated)
    assert migrated.count_rows("orphaned_annotations") == 0
    assert "published 1.0.0" in run_publish(_settings(migrated, tmp_path))
    again = segment(migrated)  # once: nothing is stale any more
    assert again.shards == 0 and again.relinked.carried == 0


def _rules_changed(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, change: Callable
) -> None:
    """New rules: the function wrapped by `change`, and its stage's rules version bumped."""
    monkeypatch.setattr(module, name, change(getattr(module, name)))
    monkeypatch.setattr(module, "RULES_VERSION", f"{module.RULES_VERSION}-changed")


def test_new_splitting_rules_rebuild_stale_shards_and_carry_grown_sentences(
    migrated: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _current(migrated)
    first_of_article = {
        r["sentence_id"] for r in before.values() if r["index"] == 0
    }  # these grow by the second sentence
    annotated_first = [n for n in _annotations(migrated) if n["sentence_id"] in first_of_article]
    assert annotated_first
    _rules_changed(monkeypatch, segment_module, "split_sentences", merge_first_two)
    assert "stale shards" in workspace_status(_settings(migrated, tmp_path))
    report = segment(migrated)
    assert report.shards == 1 and report.relinked.orphaned == 0
    after = _current(migrated)
    unchanged = set(before) & set(after)
    assert len(unchanged) >= len(before) - 2 * len(first_of_article)
    notes = _annotations(migrated)
    assert len(notes) == 80
    assert all(n["sentence_id"] in after for n in notes)
    _assert_spans_point_at_their_text(migrated)
    assert "stale shards" not in workspace_status(_settings(migrated, tmp_path))
    assert "published 1.0.0" in run_publish(_settings(migrated, tmp_path))


def test_a_changed_sentence_carries_what_still_fits_and_lists_the_rest(
    migrated: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = _annotations(migrated)
    sentences = _current(migrated)
    victim = next(n for n in notes if len(sentences[n["sentence_id"]]["text"]) > 60)
    text = sentences[victim["sentence_id"]]["text"]
    span_word = victim["spans"][0]["text"]
    other = next(w for w in text.split() if w.isalpha() and len(w) > 3 and w != span_word)

    def rewrite(extract: Callable) -> Callable:
        def changed(row, repeated, max_chars=None):
            result = extract(row, repeated, max_chars)
            if result.body and text in result.body:  # one word of one sentence is edited
                edited = text.replace(other, other.upper(), 1)
                return dataclasses.replace(result, body=result.body.replace(text, edited))
            return result

        return changed

    _rules_changed(monkeypatch, clean_module, "extract", rewrite)
    clean(migrated)
    report = segment(migrated).relinked
    assert report.carried + report.orphaned >= 2  # both annotators of the edited sentence
    kept = {n["annotation_id"]: n for n in _annotations(migrated)}
    orphaned = migrated.read("orphaned_annotations", tables.ORPHANED_ANNOTATIONS).to_pylist()
    edited = [n for n in notes if n["sentence_id"] == victim["sentence_id"]]
    for note in edited:  # its span is not the edited word: carried, spans re-anchored
        assert note["annotation_id"] in kept
        assert kept[note["annotation_id"]]["sentence_id"] != victim["sentence_id"]
    assert len(kept) + len(orphaned) == 80  # nothing dropped silently
    _assert_spans_point_at_their_text(migrated)
    assert "published 1.0.0" in run_publish(_settings(migrated, tmp_path))


def test_a_rebuild_killed_half_way_resumes_and_relinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(RELEASE_1, tmp_path / "ws")
    workspace = Workspace(str(tmp_path / "ws"))
    clean(workspace)
    real = segment_module.relink
    calls = {"n": 0}

    def killed_before_relink(ws: Workspace):
        calls["n"] += 1
        if calls["n"] == 2:  # aliases and sentences are written, the relink is not
            raise KeyboardInterrupt
        return real(ws)

    monkeypatch.setattr(segment_module, "relink", killed_before_relink)
    with pytest.raises(KeyboardInterrupt):
        segment(workspace)
    assert any(n["sentence_id"] not in _current(workspace) for n in _annotations(workspace))
    monkeypatch.setattr(segment_module, "relink", real)
    resumed = segment(workspace)
    assert resumed.shards == 0  # nothing rebuilt twice
    assert all(n["sentence_id"] in _current(workspace) for n in _annotations(workspace))
    assert len(_annotations(workspace)) == 80


def test_spans_shift_to_where_the_old_text_now_starts_or_are_found_again() -> None:
    from newsdesk.stages.relink import GREW, Alias, aliases_for, carry_spans

    old = [{"sentence_id": "a:1", "article_id": "a", "index": 1, "text": "Kim warned Seoul."}]
    new = [{"sentence_id": "a:2", "article_id": "a", "index": 0,
            "text": "Talks failed. Kim warned Seoul."}]  # fmt: skip
    (alias,) = aliases_for(old, new)
    assert (alias["new_sentence_id"], alias["offset"], alias["reason"]) == ("a:2", 14, GREW)
    span = {"id": "x", "label": "warning_threat", "start": 4, "end": 10, "text": "warned"}
    shifted = carry_spans([span], Alias("a:2", 14, old[0]["text"], GREW), new[0]["text"])
    assert shifted == [{**span, "start": 18, "end": 24}]
    found = carry_spans([span], Alias("a:3", -1, "", "changed"), "Yesterday Kim warned them.")
    assert found == [{**span, "start": 14, "end": 20}]
    assert carry_spans([span], Alias("a:3", -1, "", "changed"), "Kim spoke.") is None
