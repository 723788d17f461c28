"""The whole pipeline against a real Label Studio and real Prefect flows, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from flows.pipeline import pipeline_flow
from flows.stages import publish_flow, pull_flow, push_flow
from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.offsets import to_labelstudio
from newsdesk.foundations.config import Campaign, Settings, load_settings
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import ROOT, SAMPLES, invited_annotator, load_published

pytestmark = pytest.mark.labelstudio


def _settings(tmp_path: Path, labelstudio: dict[str, object]) -> Settings:
    settings = load_settings(
        ROOT / "newsdesk.toml",
        workspace=str(tmp_path / "ws"),
        state_dir=str(tmp_path / "state"),
        labelstudio__url=str(labelstudio["url"]),
        publish__outputs=str(tmp_path / "outputs"),
    )
    campaign = Campaign(
        name=f"nk-{tmp_path.name}",
        target="North Korea",
        keywords=["North Korea", "Pyongyang"],
    )
    return settings.model_copy(update={"campaigns": [campaign]})


def _tasks(client: LabelStudioClient, project_id: int) -> list[object]:
    return list(client.sdk.tasks.list(project=project_id, page_size=500))


def _label(task: object, word: str, label: str, stance: str) -> list[dict[str, object]]:
    """A result as Label Studio's front end sends it (offsets in its units)."""
    sentence = task.data["sentence"]  # type: ignore[attr-defined]
    start = sentence.index(word)
    end = start + len(word)
    return [
        {"from_name": "stance", "to_name": "sentence", "type": "choices",
         "value": {"choices": [stance]}},
        {"id": f"span-{task.id}", "from_name": "event", "to_name": "sentence", "type": "labels",  # type: ignore[attr-defined]
         "value": {"start": to_labelstudio(sentence, start), "end": to_labelstudio(sentence, end),
                   "text": word, "labels": [label]}},
    ]  # fmt: skip


def test_pipeline_push_annotate_pull_publish(
    tmp_path: Path,
    labelstudio: dict[str, object],
    ls_client: LabelStudioClient,
    prefect_harness,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = str(labelstudio["token"])
    monkeypatch.setenv("NEWSDESK_LABELSTUDIO_TOKEN", token)
    settings = _settings(tmp_path, labelstudio)
    summaries = pipeline_flow(settings, [str(SAMPLES)])
    assert summaries[0].startswith("11 records: 8 kept") and "2 quarantined" in summaries[0]
    workspace = Workspace(settings.workspace_uri)
    tasks_table = workspace.read("tasks", tables.TASKS)
    project_id = tasks_table["project_id"][0].as_py()
    pushed = _tasks(ls_client, project_id)
    assert len(pushed) == tasks_table.num_rows > 0
    assert len({t.data["sentence_id"] for t in pushed}) == len(pushed)

    push_flow(settings)  # again: nothing new
    assert len(_tasks(ls_client, project_id)) == len(pushed)

    url = str(labelstudio["url"])
    other = invited_annotator(ls_client, f"{tmp_path.name}@example.org", "Annotate-2026!")
    by_text = {t.data["sentence"]: t for t in pushed}
    emoji_task = next(t for s, t in by_text.items() if "📺" in s)
    warning_task = next(t for s, t in by_text.items() if "warned" in s)
    for client, stance in ((ls_client, "neutral"), (other, "neutral")):
        client.sdk.annotations.create(
            emoji_task.id, result=_label(emoji_task, "morning", "other", stance), lead_time=4.0
        )
    ls_client.sdk.annotations.create(
        warning_task.id, result=_label(warning_task, "warned", "warning_threat", "against")
    )
    other.sdk.annotations.create(
        warning_task.id, result=_label(warning_task, "warned", "warning_threat", "against")
    )
    bad_task = next(t for t in pushed if t.id not in (emoji_task.id, warning_task.id))
    other.sdk.annotations.create(
        bad_task.id,
        result=[{"from_name": "stance", "to_name": "sentence", "type": "choices",
                 "value": {"choices": ["furious"]}}],
    )  # fmt: skip

    pull_flow(settings)
    annotations = workspace.read("annotations", tables.ANNOTATIONS)
    assert annotations.num_rows == 4
    assert len(set(annotations["annotator"].to_pylist())) == 2
    invalid = workspace.read("invalid_annotations", tables.INVALID_ANNOTATIONS).to_pylist()
    assert [row["task_id"] for row in invalid] == [bad_task.id]
    assert "furious" in invalid[0]["reason"] and url in invalid[0]["link"]

    assert "published 1.0.0" in publish_flow(settings)
    assert "nothing changed" in publish_flow(settings)
    folder = tmp_path / "outputs" / settings.publish.dataset / "1.0.0"
    loaded = load_published(folder, "sentences")
    rows = [row for split in loaded.values() for row in split]
    assert len(rows) == len(pushed)
    stance_names = loaded[next(iter(loaded))].features["stance"].names
    event_names = loaded[next(iter(loaded))].features["events"].feature["label"].names
    labeled = {row["sentence_id"]: row for row in rows if row["annotator_count"]}
    assert set(labeled) == {emoji_task.data["sentence_id"], warning_task.data["sentence_id"]}
    emoji_row = labeled[emoji_task.data["sentence_id"]]
    assert stance_names[emoji_row["stance"]] == "neutral"
    assert emoji_row["annotator_count"] == 2
    assert [(event_names[e["label"]], e["text"]) for e in emoji_row["events"]] == [
        ("other", "morning")
    ]
    warning_row = labeled[warning_task.data["sentence_id"]]
    assert stance_names[warning_row["stance"]] == "against"
    for row in rows:
        for event in row["events"]:
            assert row["text"][event["start"] : event["end"]] == event["text"]
    bodies = workspace.read("bodies", tables.BODIES)
    body_of = dict(zip(bodies["article_id"].to_pylist(), bodies["body"].to_pylist(), strict=True))
    for row in rows:
        assert body_of[row["article_id"]][row["start"] : row["end"]] == row["text"]
    long = load_published(folder, "annotations")
    assert sum(split.num_rows for split in long.values()) == 4
    # no article in two splits
    splits_of = {}
    for name, split in loaded.items():
        for article in set(split["article_id"]):
            assert splits_of.setdefault(article, name) == name
    assert pc.sum(pc.equal(tasks_table["project_id"], project_id)).as_py() == len(pushed)
    stored = _everything_prefect_stored()
    assert settings.workspace_uri in stored and token not in stored


def _everything_prefect_stored() -> str:
    """Every flow run's parameters as Prefect's API gives them to whoever can reach it."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        assert runs, "no flow run recorded"
        return json.dumps([run.parameters for run in runs], default=str)
