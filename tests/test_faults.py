"""Writes to Label Studio under faults: a proxy between newsdesk and the real server breaks one
chosen request, and each test checks what the server holds afterwards, not only what newsdesk
says. Also: a push killed at its worst moment, a hung server, and the workspace lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsdesk.annotation.client import LabelStudioClient, LabelStudioUnavailable
from newsdesk.annotation.prelabel import KeywordTagger
from newsdesk.annotation.projects import PROJECT_PREFIX
from newsdesk.annotation.push import push_campaign
from newsdesk.app.jobs import run_pull, run_push
from newsdesk.foundations.config import Campaign, load_settings
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.lock import WorkspaceBusy, workspace_lock
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import ROOT
from tests.faultproxy import KINDS, fault_proxy

pytestmark = pytest.mark.labelstudio
SCHEMA = load_label_schema()
MODEL_VERSION = KeywordTagger.from_schema(SCHEMA).model_version
IMPORT = r"^/api/projects/\d+/import\?"
IMPORT_PREDICTIONS = r"^/api/projects/\d+/import/predictions"
CREATE_PROJECT = r"^/api/projects/?$"
CLIENT_TIMEOUT_S = 2.0  # the proxy's late answers and hangs outlast it


def _campaign(tmp_path: Path) -> Campaign:
    return Campaign(name=f"f-{tmp_path.name}", target="Russia", keywords=["Russia", "Moscow"])


def _through(proxy_url: str, token: str, deadline: float = 40) -> LabelStudioClient:
    return LabelStudioClient(proxy_url, token, deadline=deadline, timeout=CLIENT_TIMEOUT_S)


def _server_tasks(client: LabelStudioClient, project_id: int) -> list[dict]:
    tasks, page = [], 1
    while True:
        answer = client.get(
            "read", "/api/tasks/", project=project_id, fields="all", page=page, page_size=500
        ).json()
        tasks += answer["tasks"]
        if len(tasks) >= answer["total"]:
            return tasks
        page += 1


def _projects_titled(client: LabelStudioClient, title: str) -> list[int]:
    found = client.get("list", "/api/projects/", title=title, page_size=1000).json()["results"]
    return [p["id"] for p in found if p["title"] == title]


def _assert_once_each(client: LabelStudioClient, workspace: Workspace, project_id: int) -> None:
    """One task per sentence, the tasks table agrees, at most one keyword prediction each."""
    tasks = _server_tasks(client, project_id)
    sentence_ids = [t["data"]["sentence_id"] for t in tasks]
    assert len(sentence_ids) == len(set(sentence_ids)) > 0
    recorded = workspace.read("tasks", tables.TASKS).to_pylist()
    assert {(r["sentence_id"], r["task_id"]) for r in recorded} == {
        (t["data"]["sentence_id"], t["id"]) for t in tasks
    }
    versions = [[p["model_version"] for p in t["predictions"]] for t in tasks]
    assert all(v.count(MODEL_VERSION) <= 1 for v in versions)
    assert any(v.count(MODEL_VERSION) == 1 for v in versions)  # the keywords did fire


@pytest.mark.parametrize("kind", KINDS)
def test_a_fault_on_task_import_leaves_one_task_per_sentence(
    kind: str, labelstudio: dict, ls_client: LabelStudioClient, workspace: Workspace, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    with fault_proxy(str(labelstudio["url"]), late_s=4, hang_s=4) as proxy:
        fault = proxy.fault(kind, "POST", IMPORT)
        client = _through(proxy.url, labelstudio["token"])
        report = push_campaign(workspace, client, campaign, SCHEMA)
        assert fault.fired
    assert report.imported == report.sentences
    _assert_once_each(ls_client, workspace, report.project_id)


@pytest.mark.parametrize("kind", ["error_after", "cut", "late", "reset"])
def test_a_fault_on_project_creation_leaves_one_project(
    kind: str, labelstudio: dict, ls_client: LabelStudioClient, workspace: Workspace, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    with fault_proxy(str(labelstudio["url"]), late_s=4) as proxy:
        fault = proxy.fault(kind, "POST", CREATE_PROJECT)
        client = _through(proxy.url, labelstudio["token"])
        report = push_campaign(workspace, client, campaign, SCHEMA)
        assert fault.fired
    assert _projects_titled(ls_client, PROJECT_PREFIX + campaign.name) == [report.project_id]
    _assert_once_each(ls_client, workspace, report.project_id)


@pytest.mark.parametrize("kind", ["error_after", "cut", "late", "refuse"])
def test_a_fault_on_later_predictions_leaves_one_prediction_per_task(
    kind: str, labelstudio: dict, ls_client: LabelStudioClient, workspace: Workspace, tmp_path: Path
) -> None:
    campaign = _campaign(tmp_path)
    first = push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    with fault_proxy(str(labelstudio["url"]), late_s=4) as proxy:
        fault = proxy.fault(kind, "POST", IMPORT_PREDICTIONS)
        client = _through(proxy.url, labelstudio["token"])
        second = push_campaign(workspace, client, campaign, SCHEMA)
        assert fault.fired
    assert second.imported == 0 and second.predictions == first.imported
    _assert_once_each(ls_client, workspace, first.project_id)


def _config(tmp_path: Path, url: str, campaign: Campaign) -> Path:
    config = tmp_path / "newsdesk.toml"
    config.write_text(
        f'workspace = "{tmp_path / "ws"}"\nstate_dir = "{tmp_path / "state"}"\n'
        f'[labelstudio]\nurl = "{url}"\ndeadline_s = 40\ntimeout_s = 30\n'
        f'[[campaigns]]\nname = "{campaign.name}"\ntarget = "{campaign.target}"\n'
        f"keywords = {campaign.keywords!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    return config


def test_a_push_killed_while_its_import_is_answered_leaves_no_duplicate(
    labelstudio: dict, ls_client: LabelStudioClient, workspace: Workspace, tmp_path: Path
) -> None:
    """SIGKILL after the server imported the tasks (with predictions) but before newsdesk heard
    back or recorded anything; the next push must find them rather than import them again."""
    campaign = _campaign(tmp_path)
    with fault_proxy(str(labelstudio["url"]), late_s=60) as proxy:
        proxy.fault("late", "POST", IMPORT)
        config = _config(tmp_path, proxy.url, campaign)
        env = {**os.environ, "NEWSDESK_LABELSTUDIO_TOKEN": str(labelstudio["token"])}
        command = [
            sys.executable,
            "-m",
            "newsdesk.app.cli",
            "push",
            "--no-prefect",
            "-c",
            str(config),
        ]
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        title = PROJECT_PREFIX + campaign.name
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            projects = _projects_titled(ls_client, title)
            if projects and _server_tasks(ls_client, projects[0]):
                break
            assert process.poll() is None, "push ended before the import was answered"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert workspace.read("tasks", tables.TASKS).num_rows == 0  # nothing recorded
    again = push_campaign(workspace, ls_client, campaign, SCHEMA)
    assert again.imported == 0 and again.already_pushed == again.sentences
    assert _projects_titled(ls_client, title) == [again.project_id]
    _assert_once_each(ls_client, workspace, again.project_id)


def test_a_hung_server_gives_up_at_the_deadline_in_one_line(
    labelstudio: dict, workspace: Workspace, tmp_path: Path
) -> None:
    with fault_proxy(str(labelstudio["url"]), hang_s=3) as proxy:
        proxy.fault("hang", "GET", r".", nth=0)
        client = _through(proxy.url, str(labelstudio["token"]), deadline=4)
        with pytest.raises(LabelStudioUnavailable) as error:
            push_campaign(workspace, client, _campaign(tmp_path), SCHEMA)
        asked = len(proxy.requests)
    message = str(error.value)
    assert "within 4 s" in message and "\n" not in message and "run the command again" in message
    assert 1 <= asked <= 4  # bounded tries, not a retry storm


def test_a_second_writer_is_refused_and_a_killed_holder_releases_the_lock(
    tmp_path: Path,
) -> None:
    settings = load_settings(Path("/nonexistent/newsdesk.toml"), workspace=str(tmp_path / "ws"))
    (tmp_path / "ws").mkdir()
    with workspace_lock(settings, "push"), pytest.raises(WorkspaceBusy) as busy:
        run_pull(settings)
    assert f"newsdesk push (pid {os.getpid()}" in str(busy.value)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from newsdesk.foundations.config import load_settings\n"
         "from newsdesk.foundations.lock import workspace_lock\n"
         "from pathlib import Path\n"
         f"s = load_settings(Path('/nonexistent/x.toml'), workspace={str(tmp_path / 'ws')!r})\n"
         "with workspace_lock(s, 'publish'):\n    print('held', flush=True)\n    time.sleep(60)\n"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout and holder.stdout.readline().strip() == "held"
    with pytest.raises(WorkspaceBusy, match="publish"):
        run_push(settings.model_copy(update={"campaigns": [_campaign(tmp_path)]}))
    holder.kill()
    holder.wait()
    with workspace_lock(settings, "push"):
        pass  # the system released the killed holder's lock


def test_label_studio_answers_through_the_proxy_unchanged(labelstudio: dict) -> None:
    """The proxy itself is transparent when no fault is armed (else the tests above lie)."""
    with fault_proxy(str(labelstudio["url"])) as proxy:
        headers = {"Authorization": f"Token {labelstudio['token']}"}
        direct = httpx.get(f"{labelstudio['url']}/api/current-user/whoami", headers=headers)
        proxied = httpx.get(f"{proxy.url}/api/current-user/whoami", headers=headers)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.json()["email"] == direct.json()["email"]
