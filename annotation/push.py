"""Push: sentences of the articles a campaign selects become Label Studio tasks, once each.

Idempotent: the `tasks` table and a batched `in_list` lookup on the server both say which
sentences already have a task, so a re-run (or a run after an interrupted one) imports only
what is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from annotation.client import LabelStudioClient
from annotation.labelconfig import instructions, label_config
from newsdesk.config import Campaign
from newsdesk.ids import shard_name
from newsdesk.labelschema import LabelSchema
from newsdesk.workspace import Workspace
from schemas import tables

LOOKUP_BATCH = 1000
IMPORT_BATCH = 1000
PROJECT_PREFIX = "newsdesk: "


@dataclass
class PushReport:
    campaign: str
    project_id: int
    selected_articles: int = 0
    sentences: int = 0
    already_pushed: int = 0
    imported: int = 0

    def summary(self) -> str:
        return (
            f"campaign {self.campaign} (project {self.project_id}): {self.selected_articles} "
            f"articles, {self.sentences} sentences, {self.imported} new tasks, "
            f"{self.already_pushed} already in Label Studio"
        )


def keyword_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive match of any keyword; no keywords selects everything."""
    if not keywords:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def select_articles(bodies: pa.Table, campaign: Campaign) -> pa.Table:
    """The articles with a body whose title or body mentions one of the campaign's keywords."""
    with_body = bodies.filter(pc.invert(pc.equal(pc.fill_null(bodies["body"], ""), "")))
    pattern = keyword_pattern(campaign.keywords)
    if pattern is None:
        return with_body
    mask = [
        bool(pattern.search(f"{row['title'] or ''}\n{row['body']}"))
        for row in with_body.select(["title", "body"]).to_pylist()
    ]
    return with_body.filter(pa.array(mask, pa.bool_()))


def task_data(
    sentences: list[dict[str, object]], article: dict[str, object], campaign: Campaign
) -> Iterator[dict[str, object]]:
    """Task payloads for one article's sentences (in order), with their context."""
    meta = " · ".join(
        str(part) for part in (article["source"], article["published_at"], article["url"]) if part
    )
    for position, sentence in enumerate(sentences):
        before = sentences[position - 1]["text"] if position > 0 else ""
        after = sentences[position + 1]["text"] if position + 1 < len(sentences) else ""
        yield {
            "sentence_id": sentence["sentence_id"],
            "article_id": article["article_id"],
            "campaign": campaign.name,
            "sentence": sentence["text"],
            "start": sentence["start"],
            "end": sentence["end"],
            "paragraph": sentence["paragraph"],
            "title": article["title"] or "(untitled)",
            "meta": meta or "(no source or date)",
            "context_before": before,
            "context_after": after,
            "stance_question": f"Stance of this sentence toward {campaign.target}",
            "article": article["body"],
        }


def find_project(client: LabelStudioClient, campaign: Campaign) -> int | None:
    title = PROJECT_PREFIX + campaign.name
    projects = client.call("list projects", lambda: list(client.sdk.projects.list(page_size=100)))
    return next((p.id for p in projects if p.title == title), None)


def ensure_project(client: LabelStudioClient, campaign: Campaign, schema: LabelSchema) -> int:
    """The campaign's project, created or updated to the current generated config."""
    config = label_config(schema)
    client.validate_config(config)
    fields = {
        "label_config": config,
        "expert_instruction": instructions(schema, campaign.target, campaign.description),
        "show_instruction": True,
        "description": f"Stance toward {campaign.target} and events. Managed by newsdesk.",
    }
    project_id = find_project(client, campaign)
    if project_id is None:
        project = client.call(
            "create a project",
            client.sdk.projects.create,
            title=PROJECT_PREFIX + campaign.name,
            **fields,
        )
        return int(project.id)
    current = client.call("read the project", client.sdk.projects.get, project_id)
    if current.label_config != config:
        client.call("update the project", client.sdk.projects.update, project_id, **fields)
    return project_id


def existing_tasks(
    client: LabelStudioClient, project_id: int, sentence_ids: list[str]
) -> dict[str, int]:
    """sentence_id -> task id for those that already have a task, asked 1,000 at a time."""
    found: dict[str, int] = {}
    for i in range(0, len(sentence_ids), LOOKUP_BATCH):
        batch = sentence_ids[i : i + LOOKUP_BATCH]
        query = {
            "filters": {
                "conjunction": "and",
                "items": [
                    {
                        "filter": "filter:tasks:data.sentence_id",
                        "operator": "in_list",
                        "type": "String",
                        "value": batch,
                    }
                ],
            }
        }

        def fetch(query: dict[str, object] = query) -> list[tuple[str, int]]:
            pager = client.sdk.tasks.list(
                project=project_id, query=json.dumps(query), fields="task_only", page_size=1000
            )
            return [(task.data["sentence_id"], int(task.id)) for task in pager]

        for sentence, task in client.call("look up existing tasks", fetch):
            found.setdefault(sentence, task)
    return found


def push_campaign(
    workspace: Workspace, client: LabelStudioClient, campaign: Campaign, schema: LabelSchema
) -> PushReport:
    """Push one campaign: select, skip what has a task, import the rest, record the mapping."""
    project_id = ensure_project(client, campaign, schema)
    report = PushReport(campaign.name, project_id)
    recorded = workspace.read("tasks", tables.TASKS)
    recorded = recorded.filter(
        pc.and_(
            pc.equal(recorded["campaign"], campaign.name),
            pc.equal(recorded["project_id"], project_id),
        )
    )
    done = set(recorded["sentence_id"].to_pylist())
    for shard, bodies in workspace.iter_shards("bodies"):
        if not workspace.has_shard("sentences", shard):
            continue
        selected = select_articles(bodies, campaign)
        report.selected_articles += selected.num_rows
        if selected.num_rows == 0:
            continue
        sentences = workspace.read_shard("sentences", shard)
        sentences = sentences.filter(pc.is_in(sentences["article_id"], selected["article_id"]))
        by_article: dict[str, list[dict[str, object]]] = {}
        for row in sentences.sort_by(
            [("article_id", "ascending"), ("index", "ascending")]
        ).to_pylist():
            by_article.setdefault(str(row["article_id"]), []).append(row)
        payloads = [
            data
            for article in selected.to_pylist()
            for data in task_data(by_article.get(article["article_id"], []), article, campaign)
        ]
        report.sentences += len(payloads)
        candidates = [p for p in payloads if p["sentence_id"] not in done]
        report.already_pushed += len(payloads) - len(candidates)
        on_server = existing_tasks(client, project_id, [str(p["sentence_id"]) for p in candidates])
        new = [p for p in candidates if p["sentence_id"] not in on_server]
        for i in range(0, len(new), IMPORT_BATCH):
            client.call(
                "import tasks",
                client.sdk.projects.import_tasks,
                project_id,
                request=[{"data": p} for p in new[i : i + IMPORT_BATCH]],
            )
        report.imported += len(new)
        report.already_pushed += len(on_server)
        mapping = on_server | existing_tasks(
            client, project_id, [str(p["sentence_id"]) for p in new]
        )
        if mapping:
            rows = [
                {
                    "campaign": campaign.name,
                    "sentence_id": s,
                    "project_id": project_id,
                    "task_id": t,
                }
                for s, t in sorted(mapping.items())
            ]
            workspace.write_shard(
                "tasks",
                shard_name(f"tasks-{campaign.name}", list(mapping)),
                pa.Table.from_pylist(rows, tables.TASKS),
            )
            done.update(mapping)
    return report
