"""Campaign projects in Label Studio: found by title, created or updated from the schema.

Label Studio accepts any new labeling config, even one that drops a label its annotations
use, and its export is then silently wrong. newsdesk checks first: adding labels is fine;
removing or reordering a label that annotations use is refused with the reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.export import exported_tasks
from newsdesk.annotation.labelconfig import EVENT, ROLE, STANCE, instructions, label_config
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.errors import UserError
from newsdesk.foundations.labelschema import LabelSchema

PROJECT_PREFIX = "newsdesk: "


class SchemaChangeRefused(UserError):
    """The new label schema would orphan or renumber labels that annotations use."""


def find_project(
    client: LabelStudioClient, campaign: Campaign, recorded: set[int] | None = None
) -> int | None:
    """The campaign's project: the one the workspace recorded (its tasks point at it), else
    the oldest with the campaign's title. A twin left by an old race is never chosen."""
    title = PROJECT_PREFIX + campaign.name
    found = client.get("list projects", "/api/projects/", title=title, page_size=1000).json()
    ids = sorted(int(p["id"]) for p in found.get("results", []) if p.get("title") == title)
    known = [project for project in ids if project in (recorded or set())]
    return (known or ids or [None])[0]


def config_labels(config: str) -> dict[str, list[str]]:
    """Control name -> its label values in order, read from a labeling config."""
    root = ET.fromstring(config)
    labels: dict[str, list[str]] = {}
    for tag, child in (("Choices", "Choice"), ("Labels", "Label")):
        for control in root.iter(tag):
            labels[control.get("name", "")] = [c.get("value", "") for c in control.iter(child)]
    return labels


def used_labels(exported: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Control name -> label values that at least one annotation uses."""
    used: dict[str, set[str]] = {}
    for task in exported:
        for annotation in task.get("annotations", []):
            for item in annotation.get("result", []):
                value = item.get("value", {})
                values = value.get("choices") or value.get("labels") or []
                used.setdefault(item.get("from_name", ""), set()).update(values)
    return used


def schema_change_problems(
    old: dict[str, list[str]], new: dict[str, list[str]], used: dict[str, set[str]]
) -> list[str]:
    """What a config change would break: dropped or reordered labels that are in use."""
    problems = []
    for control in (STANCE, EVENT, ROLE):
        before, after = old.get(control, []), new.get(control, [])
        in_use = used.get(control, set())
        removed = [label for label in before if label not in after and label in in_use]
        if removed:
            problems.append(f"removes {control} label(s) {', '.join(removed)} that annotations use")
        kept = [label for label in before if label in after]
        if kept != [label for label in after if label in before] and in_use & set(kept):
            problems.append(f"reorders {control} labels that annotations use")
    return problems


def check_config_change(client: LabelStudioClient, project_id: int, old: str, new: str) -> None:
    """Refuse a change that drops or reorders labels annotations use; say which and why."""
    before, after = config_labels(old), config_labels(new)
    everything = {name: set(labels) for name, labels in before.items()}
    if not schema_change_problems(before, after, everything):
        return  # only additions: no need to look at the annotations
    exported, _ = exported_tasks(client, project_id, None)
    problems = schema_change_problems(before, after, used_labels(exported))
    if problems:
        raise SchemaChangeRefused(
            "the new label schema "
            + "; ".join(problems)
            + ". Label Studio would accept it and corrupt the export. Keep the labels in their "
            "order (adding new ones at the end is fine), or start a new campaign."
        )


def ensure_project(
    client: LabelStudioClient,
    campaign: Campaign,
    schema: LabelSchema,
    recorded: set[int] | None = None,
    *,
    review: bool = False,
) -> int:
    """The campaign's project (or its review project), created or brought up to the current
    generated config.

    Creation is a write that must happen once: after an uncertain outcome the project is
    looked up by its title before it is created again."""
    config = label_config(schema, campaign.target, campaign.description, review=review)
    client.validate_config(config)
    fields = {
        "label_config": config,
        "expert_instruction": instructions(schema, campaign.target, campaign.description),
        "show_instruction": True,
        # the stream gives a task to this many different annotators, never twice to one
        "maximum_annotations": campaign.annotators_per_task,
        "overlap_cohort_percentage": 100,
        "show_overlap_first": True,
        "description": f"Stance toward {campaign.target} and events. Managed by newsdesk.",
    }
    project_id = find_project(client, campaign, recorded)
    if project_id is None:
        title = PROJECT_PREFIX + campaign.name
        return client.write(
            "create a project",
            lambda: int(client.sdk.projects.create(title=title, **fields).id),
            lambda: find_project(client, campaign),
        )
    current = client.call("read the project", client.sdk.projects.get, project_id)
    if current.label_config != config:
        check_config_change(client, project_id, current.label_config, config)
    if current.label_config != config or _differs(current, fields):
        client.call("update the project", client.sdk.projects.update, project_id, **fields)
    return project_id


def _differs(project: Any, fields: dict[str, Any]) -> bool:
    return any(getattr(project, key, value) != value for key, value in fields.items())


def show_predictions(client: LabelStudioClient, project_id: int, model_version: str) -> None:
    """Make Label Studio pre-fill tasks from this model version (it must have predictions)."""
    current = client.call("read the project", client.sdk.projects.get, project_id)
    if current.model_version != model_version:
        client.call(
            "select the pre-annotation version",
            client.sdk.projects.update,
            project_id,
            model_version=model_version,
            show_collab_predictions=True,
        )
