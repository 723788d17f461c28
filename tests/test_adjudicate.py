"""Adjudication against a real Label Studio: disagreements go to a review project once, the
reviewer's decision comes back as ground truth and wins in the published dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.annotation.adjudicate import adjudicate_campaign, disagreements, review_campaign
from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.projects import find_project
from newsdesk.annotation.push import push_campaign
from newsdesk.app.jobs import run_publish, run_pull
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import invited_annotator, load_published, settings_for

pytestmark = pytest.mark.labelstudio
SCHEMA = load_label_schema()


def _result(sentence: str, stance: str, word: str | None = None) -> list[dict]:
    result = [{"from_name": "stance", "to_name": "sentence", "type": "choices",
               "value": {"choices": [stance]}}]  # fmt: skip
    if word:
        start = sentence.index(word)
        result.append(
            {"id": "w", "from_name": "event", "to_name": "sentence", "type": "labels",
             "value": {"start": start, "end": start + len(word), "text": word,
                       "labels": ["statement"]}}
        )  # fmt: skip
    return result


def _tasks(client: LabelStudioClient, project_id: int) -> list[dict]:
    answer = client.get("read", "/api/tasks/", project=project_id, fields="all", page_size=100)
    return answer.json()["tasks"]


def test_disagreements_are_reviewed_once_and_the_decision_wins(
    labelstudio: dict,
    ls_client: LabelStudioClient,
    workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_TOKEN", str(labelstudio["token"]))
    campaign = Campaign(name=f"a-{tmp_path.name}", target="Russia", keywords=["Russia", "Moscow"])
    settings = settings_for(
        workspace, tmp_path, [campaign], labelstudio__url=str(labelstudio["url"])
    )
    pushed = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    assert ls_client.sdk.projects.get(pushed.project_id).maximum_annotations == 2
    other = invited_annotator(ls_client, f"{tmp_path.name}@example.org", "Pw-2026-x!")
    said = [t for t in _tasks(ls_client, pushed.project_id) if " said" in t["data"]["sentence"]]
    stance_split, agreed, span_split = said[:3]
    for task, mine, theirs in (
        (stance_split, ("favor",), ("against",)),
        (agreed, ("neutral",), ("neutral",)),
        (span_split, ("neutral", "said"), ("neutral",)),
    ):
        sentence = task["data"]["sentence"]
        ls_client.sdk.annotations.create(task["id"], result=_result(sentence, *mine))
        other.sdk.annotations.create(task["id"], result=_result(sentence, *theirs))
    run_pull(settings)

    rows = workspace.read("annotations", tables.ANNOTATIONS).to_pylist()
    disputed = disagreements(rows)
    assert set(disputed) == {stance_split["data"]["sentence_id"], span_split["data"]["sentence_id"]}
    first = adjudicate_campaign(workspace, ls_client, campaign, SCHEMA)
    assert (first.disagreements, first.new) == (2, 2)
    again = adjudicate_campaign(workspace, ls_client, campaign, SCHEMA)
    assert (again.new, again.refreshed, again.project_id) == (0, 0, first.project_id)
    review_id = find_project(ls_client, review_campaign(campaign))
    assert review_id == first.project_id
    assert ls_client.sdk.projects.get(review_id).maximum_annotations == 1
    review_tasks = {t["data"]["sentence_id"]: t for t in _tasks(ls_client, review_id)}
    assert len(review_tasks) == 2
    shown = review_tasks[stance_split["data"]["sentence_id"]]["data"]["opinions"]
    assert "favor" in shown and "against" in shown and "Annotator 2" in shown

    decided = review_tasks[stance_split["data"]["sentence_id"]]
    ls_client.sdk.annotations.create(
        decided["id"], result=_result(decided["data"]["sentence"], "against")
    )
    summaries = run_pull(settings)
    assert f"{campaign.name}.review" in summaries
    truth = [r for r in workspace.read("annotations", tables.ANNOTATIONS).to_pylist()
             if r["ground_truth"]]  # fmt: skip
    assert [(r["sentence_id"], r["stance"]) for r in truth] == [
        (stance_split["data"]["sentence_id"], "against")
    ]

    assert "published 1.0.0" in run_publish(settings)
    folder = tmp_path / "outputs" / settings.publish.dataset / "1.0.0"
    loaded = load_published(folder, "sentences")
    rows_by_id = {row["sentence_id"]: row for split in loaded.values() for row in split}
    names = loaded[next(iter(loaded))].features["stance"].names
    decided_row = rows_by_id[stance_split["data"]["sentence_id"]]
    assert names[decided_row["stance"]] == "against" and decided_row["adjudicated"]
    assert not rows_by_id[agreed["data"]["sentence_id"]]["adjudicated"]
    assert not rows_by_id[span_split["data"]["sentence_id"]]["adjudicated"]  # not decided yet
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "1 sentence rows carry a reviewer's decision" in card
