"""Pull against what a real Label Studio stores: malformed results written through its API (it
keeps some even while answering 500), empty submissions, deleted annotations and task data
edited on the server. Nothing of it may crash a pull or block a release."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.pull import pull_campaign
from newsdesk.annotation.push import push_campaign
from newsdesk.app.jobs import run_publish
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.workspace import Workspace
from schemas import tables
from tests.conftest import settings_for

pytestmark = pytest.mark.labelstudio
SCHEMA = load_label_schema()
MALFORMED = {
    "value is a string": [
        {"from_name": "stance", "to_name": "sentence", "type": "choices", "value": "statement"}
    ],
    "choices is null": [
        {"from_name": "stance", "to_name": "sentence", "type": "choices",
         "value": {"choices": None}}
    ],
    "labels nested": [
        {"id": "x1", "from_name": "event", "to_name": "sentence", "type": "labels",
         "value": {"start": 0, "end": 3, "labels": [["statement"]]}}
    ],
    "offsets are text": [
        {"id": "x2", "from_name": "event", "to_name": "sentence", "type": "labels",
         "value": {"start": "0", "end": None, "labels": ["statement"]}}
    ],
    "result is an object": {"stance": "favor"},
}  # fmt: skip
STANCE = [{"from_name": "stance", "to_name": "sentence", "type": "choices",
           "value": {"choices": ["favor"]}}]  # fmt: skip


def _post_raw(url: str, token: str, task_id: int, result: object) -> int:
    """Write as any API user can, without newsdesk's client: the status is whatever it is."""
    answer = httpx.post(
        f"{url}/api/tasks/{task_id}/annotations/",
        json={"result": result},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    return answer.status_code


def _annotation_ids(client: LabelStudioClient, task_id: int) -> list[int]:
    answer = client.get("read", f"/api/tasks/{task_id}/annotations/").json()
    return [a["id"] for a in answer]


def test_pull_survives_what_label_studio_stores_and_publish_is_not_blocked(
    labelstudio: dict, ls_client: LabelStudioClient, workspace: Workspace, tmp_path: Path
) -> None:
    url, token = str(labelstudio["url"]), str(labelstudio["token"])
    campaign = Campaign(name=f"p-{tmp_path.name}", target="Russia", keywords=["Russia", "Moscow"])
    push_campaign(workspace, ls_client, campaign, SCHEMA, predictions=False)
    tasks = workspace.read("tasks", tables.TASKS).to_pylist()
    task_ids = [row["task_id"] for row in tasks]
    assert len(task_ids) >= len(MALFORMED) + 3
    stored_malformed = []
    for task_id, result in zip(task_ids, MALFORMED.values(), strict=False):
        _post_raw(url, token, task_id, result)
        stored_malformed += _annotation_ids(ls_client, task_id)
    assert stored_malformed, "Label Studio stored none of the malformed results"
    empty_task, valid_task, edited_task = task_ids[len(MALFORMED) : len(MALFORMED) + 3]
    assert _post_raw(url, token, empty_task, []) < 300
    assert _post_raw(url, token, valid_task, STANCE) < 300
    edited = ls_client.get("read", f"/api/tasks/{edited_task}").json()["data"]
    edited["sentence"] = "Someone rewrote this sentence in Label Studio."
    ls_client.http.patch(f"/api/tasks/{edited_task}", json={"data": edited}).raise_for_status()
    assert _post_raw(url, token, edited_task, STANCE) < 300

    pulled = pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt")

    assert pulled.empty == 1 and pulled.new == 1 and pulled.annotations == 1
    valid = workspace.read("annotations", tables.ANNOTATIONS).to_pylist()
    assert [(row["task_id"], row["stance"]) for row in valid] == [(valid_task, "favor")]
    invalid = {row["annotation_id"]: row for row in workspace.read(
        "invalid_annotations", tables.INVALID_ANNOTATIONS).to_pylist()}  # fmt: skip
    edited_ids = _annotation_ids(ls_client, edited_task)
    assert set(invalid) == set(stored_malformed) | set(edited_ids)
    assert pulled.rejected == pulled.invalid == len(invalid)
    assert all(row["reason"] and url in row["link"] for row in invalid.values())
    assert "edited in Label Studio" in invalid[edited_ids[0]]["reason"]
    summary = pulled.summary()
    assert f"{pulled.rejected} rejected" in summary and "newsdesk status" in summary

    settings = settings_for(workspace, tmp_path, [campaign])
    assert "published 1.0.0" in run_publish(settings)

    (deleted,) = _annotation_ids(ls_client, valid_task)
    ls_client.http.delete(f"/api/annotations/{deleted}/").raise_for_status()
    time.sleep(1.1)  # the watermark has the server's one-second resolution
    again = pull_campaign(workspace, ls_client, campaign, SCHEMA, "salt")
    assert again.removed == 1 and again.annotations == 0
    assert workspace.read("annotations", tables.ANNOTATIONS).num_rows == 0
