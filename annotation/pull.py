"""Pull: annotations exported from Label Studio, validated against the label schema.

Label Studio stores whatever a client sends, so every result is checked here: known
labels, spans inside the sentence whose text matches, relations between existing spans.
Invalid annotations stay out of the `annotations` table and are reported with a link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from annotation.client import LabelStudioClient
from annotation.export import export_tasks
from annotation.labelconfig import EVENT, ROLE, STANCE
from annotation.offsets import from_utf16
from annotation.projects import find_project
from newsdesk.config import Campaign
from newsdesk.labelschema import LabelSchema
from newsdesk.workspace import Workspace
from schemas import tables


class InvalidResult(ValueError):
    """An annotation result that does not fit the schema or the sentence."""


@dataclass
class PullReport:
    campaign: str
    tasks: int = 0  # tasks in this export: those updated since the last pull
    new: int = 0  # valid annotations in this export
    annotations: int = 0  # valid annotations of the campaign after the pull
    invalid: int = 0

    def summary(self) -> str:
        return (
            f"campaign {self.campaign}: {self.tasks} tasks changed since the last pull, "
            f"{self.new} annotations in them; {self.annotations} valid annotations in all, "
            f"{self.invalid} invalid"
        )


def pseudonym(identity: str, salt: str | None) -> str:
    """A stable, salted hash: the same annotator keeps one name, which reveals nothing.

    Without a salt (pseudonymisation turned off in the config) the identity is kept."""
    if salt is None:
        return identity
    return "ann-" + hashlib.sha256(f"{salt}\x1f{identity}".encode()).hexdigest()[:12]


def parse_result(
    result: list[dict[str, Any]], sentence: str, schema: LabelSchema
) -> tuple[str | None, list[dict[str, Any]], list[dict[str, str]]]:
    """(stance, spans, relations) of one annotation in Python offsets; raises InvalidResult."""
    stance: str | None = None
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, str]] = []
    allowed = {EVENT: set(schema.events.values), ROLE: set(schema.roles.values)}
    for item in result:
        kind, name, value = item.get("type"), item.get("from_name"), item.get("value", {})
        if kind == "relation":
            relations.append({"from_id": str(item.get("from_id")), "to_id": str(item.get("to_id"))})
        elif name == STANCE:
            choices = value.get("choices", [])
            if len(choices) != 1 or choices[0] not in schema.stance.values:
                raise InvalidResult(f"unknown stance {choices!r}")
            stance = choices[0]
        elif name in allowed:
            labels = value.get("labels", [])
            if len(labels) != 1 or labels[0] not in allowed[name]:
                raise InvalidResult(f"unknown {name} label {labels!r}")
            try:
                start = from_utf16(sentence, int(value["start"]))
                end = from_utf16(sentence, int(value["end"]))
            except (KeyError, TypeError, ValueError) as error:
                raise InvalidResult(f"span outside the sentence: {error}") from None
            if not 0 <= start < end <= len(sentence):
                raise InvalidResult(f"span {start}-{end} outside the sentence")
            if value.get("text") is not None and sentence[start:end] != value["text"]:
                raise InvalidResult(
                    f"span text {value['text']!r} does not match {sentence[start:end]!r}"
                )
            spans.append(
                {
                    "id": str(item.get("id")),
                    "label": labels[0],
                    "start": start,
                    "end": end,
                    "text": sentence[start:end],
                }
            )
        else:
            raise InvalidResult(f"result from unknown control {name!r}")
    ids = {span["id"] for span in spans}
    for relation in relations:
        if relation["from_id"] not in ids or relation["to_id"] not in ids:
            raise InvalidResult("relation to a missing span")
    return stance, spans, relations


def annotation_rows(
    client: LabelStudioClient,
    campaign: Campaign,
    project_id: int,
    exported: list[dict[str, Any]],
    schema: LabelSchema,
    salt: str | None,
    users: dict[int, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(valid rows, invalid rows) of one export."""
    valid: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for task in exported:
        sentence = task["data"]["sentence"]
        for annotation in task.get("annotations", []):
            author = annotation.get("completed_by")
            author_id = author.get("id") if isinstance(author, dict) else author
            cancelled = bool(annotation.get("was_cancelled"))
            try:
                stance, spans, relations = parse_result(
                    annotation.get("result", []), sentence, schema
                )
            except InvalidResult as error:
                invalid.append(
                    {
                        "campaign": campaign.name,
                        "task_id": task["id"],
                        "annotation_id": annotation["id"],
                        "link": client.task_link(project_id, task["id"]),
                        "reason": str(error),
                    }
                )
                continue
            valid.append(
                {
                    "campaign": campaign.name,
                    "project_id": project_id,
                    "task_id": task["id"],
                    "sentence_id": task["data"]["sentence_id"],
                    "annotation_id": annotation["id"],
                    "annotator": pseudonym(users.get(author_id, str(author_id)), salt),
                    "stance": None if cancelled else stance,
                    "spans": [] if cancelled else spans,
                    "relations": [] if cancelled else relations,
                    "was_cancelled": cancelled,
                    "ground_truth": bool(annotation.get("ground_truth")),
                    "lead_time": annotation.get("lead_time"),
                    "created_at": annotation.get("created_at"),
                    "updated_at": annotation.get("updated_at"),
                }
            )
    return valid, invalid


def _watermark(workspace: Workspace, campaign: str, project_id: int) -> str | None:
    if not workspace.has_shard("pull_state", campaign):
        return None
    rows = workspace.read_shard("pull_state", campaign).to_pylist()
    return rows[0]["watermark"] if rows and rows[0]["project_id"] == project_id else None


def _merge(
    workspace: Workspace,
    table: str,
    campaign: str,
    schema: pa.Schema,
    rows: list[dict[str, Any]],
    replace: set[int] | None,
) -> int:
    """Swap in the rows of re-exported tasks (all rows when `replace` is None); returns the
    campaign's row count."""
    kept: list[dict[str, Any]] = []
    if replace is not None and workspace.has_shard(table, campaign):
        existing = workspace.read_shard(table, campaign).to_pylist()
        kept = [row for row in existing if row["task_id"] not in replace]
    merged = sorted(kept + rows, key=lambda row: (row["task_id"], row["annotation_id"]))
    workspace.write_shard(table, campaign, pa.Table.from_pylist(merged, schema))
    return len(merged)


def pull_campaign(
    workspace: Workspace,
    client: LabelStudioClient,
    campaign: Campaign,
    schema: LabelSchema,
    salt: str | None,
    *,
    full: bool = False,
) -> PullReport:
    """Bring the campaign's annotations up to date with the server.

    Only tasks updated since the last pull are exported (all of them with `full`); their
    annotations replace what the workspace held for those tasks.
    """
    report = PullReport(campaign.name)
    project_id = find_project(client, campaign)
    if project_id is None:
        return report
    since = None if full else _watermark(workspace, campaign.name, project_id)
    exported, watermark = export_tasks(client, project_id, since)
    people = client.call("list users", lambda: list(client.sdk.users.list()))
    users = {int(user.id): str(user.email or user.username) for user in people}
    valid, invalid = annotation_rows(client, campaign, project_id, exported, schema, salt, users)
    replace = None if since is None else {task["id"] for task in exported}
    report.annotations = _merge(
        workspace, "annotations", campaign.name, tables.ANNOTATIONS, valid, replace
    )
    report.invalid = _merge(
        workspace, "invalid_annotations", campaign.name, tables.INVALID_ANNOTATIONS, invalid,
        replace,
    )  # fmt: skip
    state = [{"campaign": campaign.name, "project_id": project_id, "watermark": watermark}]
    workspace.write_shard(
        "pull_state", campaign.name, pa.Table.from_pylist(state, tables.PULL_STATE)
    )
    report.tasks = len(exported)
    report.new = len(valid)
    return report
