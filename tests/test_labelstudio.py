"""Push and pull behaviours against the session's real Label Studio."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import newsdesk.annotation.push as push_module
from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.projects import SchemaChangeRefused
from newsdesk.annotation.pull import pull_campaign
from newsdesk.annotation.push import push_campaign
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import LabelSchema, load_label_schema
from newsdesk.foundations.workspace import Workspace
from schemas import LABEL_SCHEMA_PATH, tables
from tests.conftest import invited_annotator, sign_up

pytestmark = pytest.mark.labelstudio
SCHEMA = load_label_schema()


def _campaign(tmp_path: Path) -> Campaign:
    return Campaign(name=f"t-{tmp_path.name}", target="Russia", keywords=["Russia", "Moscow"])


def _tasks(client: LabelStudioClient, project_id: int) -> list:
    return list(client.sdk.tasks.list(project=project_id, page_size=500, fields="all"))


def _stance(task, value: str) -> list[dict]:
    return [{"from_name": "stance", "to_name": "sentence", "type": "choices",
             "value": {"choices": [value]}}]  # fmt: skip


def test_push_pre_annotates_and_adds_predictions_later(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    first = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    assert first.imported > 0 and first.predictions == 0
    tasks = _tasks(ls_client, first.project_id)
    assert not any(t.predictions for t in tasks)
    second = push_campaign(workspace, ls_client, campaign, SCHEMA)
    assert second.imported == 0 and second.predictions == first.imported
    tasks = _tasks(ls_client, first.project_id)
    assert len(tasks) == first.imported
    said = [t for t in tasks if " said" in t.data["sentence"]]
    assert said and all(
        any(r["value"]["labels"] == ["statement"] for p in t.predictions for r in p.result)
        for t in said
    )
    project = ls_client.sdk.projects.get(first.project_id)
    assert project.model_version.startswith("keywords-")
    assert push_campaign(workspace, ls_client, campaign, SCHEMA).predictions == 0


def test_push_builds_tasks_a_chunk_of_articles_at_a_time_in_priority_order(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path, monkeypatch
) -> None:
    campaign = _campaign(tmp_path)
    chosen = push_module.select_articles(workspace, campaign)
    expected, _ = push_module.payloads(workspace, chosen, campaign)
    monkeypatch.setattr(push_module, "ARTICLES_AT_ONCE", 1)
    built: list[int] = []
    real = push_module._chunk_payloads

    def spy(workspace, chosen, *args):  # type: ignore[no-untyped-def]
        built.append(len(chosen))
        return real(workspace, chosen, *args)

    monkeypatch.setattr(push_module, "_chunk_payloads", spy)
    first = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    assert len(chosen) > 1 and built == [1] * len(chosen)  # never more than a chunk held
    tasks = sorted(_tasks(ls_client, first.project_id), key=lambda t: t.id)
    assert [t.data["sentence_id"] for t in tasks] == [p["sentence_id"] for p in expected]
    second = push_campaign(workspace, ls_client, campaign, SCHEMA)  # predictions, chunk by chunk
    assert (second.imported, second.predictions) == (0, first.imported)
    said = [t for t in _tasks(ls_client, first.project_id) if " said" in t.data["sentence"]]
    assert said and all(t.predictions for t in said)


def test_interrupted_push_resumes_without_duplicates(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path, monkeypatch
) -> None:
    campaign = _campaign(tmp_path)
    monkeypatch.setattr(push_module, "IMPORT_BATCH", 10)
    real = push_module._record_tasks
    calls = {"n": 0}

    def crash_after_import(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch is in Label Studio, but not recorded here
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(push_module, "_record_tasks", crash_after_import)
    with pytest.raises(KeyboardInterrupt):
        push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    monkeypatch.setattr(push_module, "_record_tasks", real)
    report = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    tasks = _tasks(ls_client, report.project_id)
    sentence_ids = [t.data["sentence_id"] for t in tasks]
    assert len(sentence_ids) == len(set(sentence_ids)) == report.sentences
    assert report.imported == report.sentences - 20
    recorded = workspace.read("tasks", tables.TASKS)
    assert set(recorded["sentence_id"].to_pylist()) == set(sentence_ids)


def test_schema_change_that_drops_a_used_label_is_refused(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    report = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    task = _tasks(ls_client, report.project_id)[0]
    ls_client.sdk.annotations.create(task.id, result=_stance(task, "neutral"))
    raw = yaml.safe_load(LABEL_SCHEMA_PATH.read_text(encoding="utf-8"))
    raw["stance"]["labels"] = [x for x in raw["stance"]["labels"] if x["value"] != "neutral"]
    with pytest.raises(SchemaChangeRefused, match="neutral"):
        push_campaign(workspace, ls_client, campaign, LabelSchema.model_validate(raw))
    raw = yaml.safe_load(LABEL_SCHEMA_PATH.read_text(encoding="utf-8"))
    raw["stance"]["labels"].append({"value": "mixed", "hotkey": "5", "description": "Both."})
    push_campaign(workspace, ls_client, campaign, LabelSchema.model_validate(raw))
    assert 'value="mixed"' in ls_client.sdk.projects.get(report.project_id).label_config


def test_pull_is_incremental_and_records_skips(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    report = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    first, second, third = _tasks(ls_client, report.project_id)[:3]
    ls_client.sdk.annotations.create(first.id, result=_stance(first, "favor"), lead_time=3.0)
    time.sleep(1.1)  # the watermark has the server's one-second Date resolution
    pulled = pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt")
    assert (pulled.tasks, pulled.new, pulled.annotations) == (report.sentences, 1, 1)
    assert pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt").tasks == 0
    ls_client.sdk.annotations.create(second.id, result=_stance(second, "against"))
    ls_client.sdk.annotations.create(third.id, result=[], was_cancelled=True)
    pulled = pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt")
    assert pulled.tasks == 2 and pulled.annotations == 3
    rows = {r["task_id"]: r for r in workspace.read_shard("annotations", campaign.name).to_pylist()}
    assert rows[first.id]["stance"] == "favor" and rows[first.id]["lead_time"] == 3.0
    assert rows[second.id]["stance"] == "against"
    assert rows[third.id]["was_cancelled"] and rows[third.id]["stance"] is None
    assert pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt", full=True).annotations == 3


def test_sign_up_needs_the_invite_link(
    labelstudio: dict[str, object], ls_client: LabelStudioClient
) -> None:
    refused = sign_up(f"{labelstudio['url']}/user/signup/", "stranger@example.org", "Pw-2026-x!")
    assert refused.status_code == 403
    invited = invited_annotator(ls_client, "invited@example.org", "Pw-2026-x!")
    me = invited.get("who am I", "/api/current-user/whoami").json()
    assert me["email"] == "invited@example.org"


def test_status_keeps_the_password_and_invite_links_can_be_retired(
    labelstudio: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from newsdesk.app.cli import app

    monkeypatch.delenv("NEWSDESK_LABELSTUDIO_TOKEN", raising=False)
    monkeypatch.setenv("NEWSDESK_STATE_DIR", str(labelstudio["state_dir"]))
    monkeypatch.setenv("NEWSDESK_WORKSPACE", str(tmp_path / "ws"))
    config = ["-c", str(tmp_path / "newsdesk.toml")]
    status = CliRunner().invoke(app, ["status", *config])
    assert status.exit_code == 0, status.output
    assert f"Open Label Studio: {labelstudio['url']}" in status.output
    assert "password is kept in" in status.output
    assert str(labelstudio["password"]) not in status.output
    assert str(labelstudio["token"]) not in status.output

    def invite(*flags: str) -> str:
        result = CliRunner().invoke(app, ["annotators", "invite", *config, *flags])
        assert result.exit_code == 0, result.output
        return next(w for w in result.output.split() if "/user/signup/?token=" in w)

    old = invite()
    assert old.startswith(str(labelstudio["url"]))
    new = invite("--reset")
    assert new != old
    assert sign_up(old, "late@example.org", "Pw-2026-x!").status_code == 403
    assert sign_up(new, "late@example.org", "Pw-2026-x!").status_code == 200


def test_push_takes_at_most_max_sentences_per_article(
    workspace: Workspace, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    report = push_campaign(
        workspace, ls_client, campaign, SCHEMA, predictions=False, max_sentences_per_article=2
    )
    per_article: dict[str, int] = {}
    for task in _tasks(ls_client, report.project_id):
        per_article[task.data["article_id"]] = per_article.get(task.data["article_id"], 0) + 1
    assert per_article and max(per_article.values()) == 2
    assert report.left_out > 0 and report.imported == report.sentences == sum(per_article.values())
    assert "past max_sentences_per_article not pushed" in report.summary()
