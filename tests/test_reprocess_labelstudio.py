"""Rules improve under a live labeling round: push, two annotators label, the cleaning and the
splitting rules change, the stages run again, then push, pull and publish. Against the real
Label Studio: unchanged sentences keep every label, changed ones carry theirs or list them,
the task of a sentence that could not be followed is retired, and the version diff shows it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import newsdesk.stages.clean as clean_module
import newsdesk.stages.segment as segment_module
from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.pull import pull_campaign
from newsdesk.annotation.push import push_campaign
from newsdesk.app.jobs import run_publish
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.workspace import Workspace
from newsdesk.publishing.versions import change_counts, diff_versions
from newsdesk.stages.clean import clean
from newsdesk.stages.segment import segment
from schemas import tables
from tests.conftest import invited_annotator, merge_first_two, settings_for

pytestmark = pytest.mark.labelstudio
SCHEMA = load_label_schema()


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w.isalpha() and len(w) > 3]


def _result(sentence: str, word: str, stance: str) -> list[dict]:
    start = sentence.index(word)
    return [
        {"from_name": "stance", "to_name": "sentence", "type": "choices",
         "value": {"choices": [stance]}},
        {"id": "w", "from_name": "event", "to_name": "sentence", "type": "labels",
         "value": {"start": start, "end": start + len(word), "text": word,
                   "labels": ["statement"]}},
    ]  # fmt: skip


def _edit(replacements: dict[str, str]) -> Callable:
    """A cleaning rule that rewrites some sentences of the bodies."""

    def wrap(extract: Callable) -> Callable:
        def changed(row, repeated, max_chars=None):
            result = extract(row, repeated, max_chars)
            body = result.body
            for old, new in replacements.items():
                body = body.replace(old, new)
            return dataclasses.replace(result, body=body)

        return changed

    return wrap


def test_better_rules_keep_every_label_they_can_and_list_the_rest(
    labelstudio: dict,
    ls_client: LabelStudioClient,
    workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = Campaign(name=f"r-{tmp_path.name}", target="Russia")
    settings = settings_for(workspace, tmp_path, [campaign])
    pushed = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    article = max(
        {s["article_id"] for s in sentences},
        key=lambda a: sum(s["article_id"] == a for s in sentences),
    )
    ordered = sorted((s for s in sentences if s["article_id"] == article), key=lambda s: s["index"])
    # the article's first two sentences will merge; `changed` and `lost` will be edited
    first, second = ordered[:2]
    changed, lost, unchanged = [s for s in ordered[2:] if len(_words(s["text"])) >= 3][:3]
    tasks = workspace.read("tasks", tables.TASKS).to_pylist()
    task_of = {r["sentence_id"]: r["task_id"] for r in tasks}
    other = invited_annotator(ls_client, f"{tmp_path.name}@example.org", "Pw-2026-x!")
    for sentence in (first, second, changed, lost, unchanged):
        word = (_words(sentence["text"]) or sentence["text"].split())[0]
        for client, stance in ((ls_client, "neutral"), (other, "neutral")):
            client.sdk.annotations.create(
                task_of[sentence["sentence_id"]], result=_result(sentence["text"], word, stance)
            )
    assert pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt").annotations == 10
    assert "published 1.0.0" in run_publish(settings)

    changed_word, lost_word = _words(changed["text"])[-1], _words(lost["text"])[0]
    edits = {
        changed["text"]: changed["text"].replace(changed_word, changed_word.upper()),
        lost["text"]: lost["text"].replace(lost_word, lost_word.upper()),
    }
    for module, name, change in (
        (clean_module, "extract", _edit(edits)),
        (segment_module, "split_sentences", merge_first_two),
    ):
        monkeypatch.setattr(module, name, change(getattr(module, name)))
        monkeypatch.setattr(module, "RULES_VERSION", f"{module.RULES_VERSION}-better")
    clean(workspace)
    moved = segment(workspace).relinked
    assert moved.tasks_orphaned >= 1 and moved.orphaned == 2  # the two labels of `lost`

    again = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    assert again.retired == 1 and again.imported >= 1  # the rewritten `lost` is a new task
    retired = ls_client.get("read", f"/api/tasks/{task_of[lost['sentence_id']]}").json()
    assert retired["is_labeled"] and "newsdesk_retired" in retired["data"]
    time.sleep(1.1)  # the pull watermark has one-second resolution
    pulled = pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt", full=True)
    assert pulled.annotations == 8 and pulled.orphaned == 2 and pulled.rejected == 0

    now = {s["sentence_id"]: s for s in workspace.read("sentences", tables.SENTENCES).to_pylist()}
    notes = workspace.read("annotations", tables.ANNOTATIONS).to_pylist()
    assert sum(n["sentence_id"] == unchanged["sentence_id"] for n in notes) == 2
    merged = [n for n in notes if first["text"] in now[n["sentence_id"]]["text"]]
    assert len(merged) == 4 and len({n["sentence_id"] for n in merged}) == 1
    for note in notes:
        text = now[note["sentence_id"]]["text"]
        assert all(text[s["start"] : s["end"]] == s["text"] for s in note["spans"])

    assert "published 1.1.0" in run_publish(settings)
    root = tmp_path / "outputs" / settings.publish.dataset
    counts = change_counts(diff_versions(root / "1.0.0", root / "1.1.0"))
    assert counts["removed"] >= 3 and counts["added"] >= 2  # old ids out, new ids in
    card = (root / "1.1.0" / "README.md").read_text(encoding="utf-8")
    assert "2 annotations were left out because improved cleaning or splitting rules" in card
    assert pushed.project_id == again.project_id
