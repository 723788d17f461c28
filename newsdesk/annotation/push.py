"""Push: sentences of the articles a campaign selects become Label Studio tasks, once each.

Idempotent: the `tasks` table and a batched `in_list` lookup on the server both say which
sentences already have a task, so a re-run, or a run after an interrupted one, imports only
what is missing. Tasks are imported plain (the fast path) and keyword pre-annotations follow
as bulk predictions, which also reach tasks pushed before predictions existed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.prelabel import KeywordTagger, keyword_pattern
from newsdesk.annotation.projects import ensure_project, show_predictions
from newsdesk.dedup.minhash import rank_key
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.ids import shard_name
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.dedup import load_clusters
from schemas import tables

LOOKUP_BATCH = 1000
IMPORT_BATCH = 1000
# articles whose task payloads are built and imported together: push's memory follows this,
# not the campaign's size
ARTICLES_AT_ONCE = 2000
SETTLE_CHECKS = 10  # reads of the task count, SETTLE_S apart, after an uncertain import
SETTLE_S = 1.0


@dataclass
class PushReport:
    campaign: str
    project_id: int
    selected_articles: int = 0
    sentences: int = 0
    already_pushed: int = 0
    imported: int = 0
    predictions: int = 0
    left_out: int = 0  # sentences past max_sentences_per_article
    retired: int = 0  # tasks of sentences changed by newer rules, marked in Label Studio
    near_duplicates: int = 0  # matching articles left out: a near-duplicate of one pushed

    def summary(self) -> str:
        line = (
            f"campaign {self.campaign} (project {self.project_id}): {self.selected_articles} "
            f"articles, {self.sentences} sentences, {self.imported} new tasks, "
            f"{self.already_pushed} already in Label Studio, {self.predictions} pre-annotated"
        )
        if self.left_out:
            line += f"; {self.left_out} sentences past max_sentences_per_article not pushed"
        if self.retired:
            line += f"; {self.retired} tasks of changed sentences retired"
        if self.near_duplicates:
            line += (
                f"; {self.near_duplicates} near-duplicate articles skipped (one per cluster; "
                'near_duplicates = "keep" pushes them)'
            )
        return line


def matches(article: dict[str, Any], campaign: Campaign, pattern: re.Pattern[str] | None) -> bool:
    """Does one article pass every filter the campaign sets?"""
    if not article["body"]:
        return False
    if campaign.sources and (article["source"] or "").lower() not in {
        s.lower() for s in campaign.sources
    }:
        return False
    day = (article["published_at"] or "")[:10]
    if campaign.published_from and not (day and day >= campaign.published_from):
        return False
    if campaign.published_to and not (day and day <= campaign.published_to):
        return False
    return pattern is None or bool(pattern.search(f"{article['title'] or ''}\n{article['body']}"))


def select_articles(workspace: Workspace, campaign: Campaign) -> list[tuple[str, str]]:
    """(shard, article_id) of the chosen articles, in the campaign's priority order."""
    return choose_articles(workspace, campaign)[0]


def choose_articles(workspace: Workspace, campaign: Campaign) -> tuple[list[tuple[str, str]], int]:
    """(the chosen articles as `select_articles` gives them, how many matching articles were
    left out as near-duplicates of a chosen one).

    With `near_duplicates = "skip"` (the default) a campaign gets one article per cluster
    (`newsdesk.stages.dedup`), before sampling, so a sample of N is N stories: the article of the
    cluster that already has tasks in this campaign, else the cluster's representative, else
    the matching member that the representative rule ranks first."""
    pattern = keyword_pattern(campaign.keywords)
    chosen: list[tuple[str, str, str]] = []
    ranks: dict[str, tuple[Any, ...]] = {}
    for shard in workspace.shards("bodies"):
        if not workspace.has_shard("sentences", shard):
            continue
        columns = ["article_id", "title", "body", "source", "published_at"]
        for article in workspace.read_shard("bodies", shard, columns).to_pylist():
            if matches(article, campaign, pattern):
                chosen.append((shard, article["article_id"], article["published_at"] or ""))
                ranks[article["article_id"]] = rank_key(
                    article["published_at"], len(article["body"]), article["article_id"]
                )
    skipped = 0
    if campaign.near_duplicates == "skip":
        chosen, skipped = _one_per_cluster(workspace, campaign, chosen, ranks)
    if campaign.sample is not None:

        def rank(item: tuple[str, str, str]) -> str:
            return hashlib.sha256(f"{campaign.seed}\x1f{item[1]}".encode()).hexdigest()

        kept = set(sorted(chosen, key=rank)[: campaign.sample])
        chosen = [item for item in chosen if item in kept]
    if campaign.priority != "input":
        dated = [item for item in chosen if item[2]]
        undated = [item for item in chosen if not item[2]]
        dated.sort(key=lambda item: item[2], reverse=campaign.priority == "newest")
        chosen = dated + undated
    return [(shard, article) for shard, article, _ in chosen], skipped


def _one_per_cluster(
    workspace: Workspace,
    campaign: Campaign,
    chosen: list[tuple[str, str, str]],
    ranks: dict[str, tuple[Any, ...]],
) -> tuple[list[tuple[str, str, str]], int]:
    """The matching articles less the near-duplicates of the one kept per cluster."""
    clusters = load_clusters(workspace).to_pylist()
    if not clusters:
        return chosen, 0
    cluster_of = {row["article_id"]: row["cluster_id"] for row in clusters}
    representatives = {row["article_id"] for row in clusters if row["representative"]}
    tasks = _recorded(workspace, "tasks", tables.TASKS, campaign.name)
    pushed = {sentence.partition(":")[0] for sentence in tasks["sentence_id"].to_pylist()}
    best: dict[str, tuple[Any, ...]] = {}
    for _, article, _ in chosen:
        if article in cluster_of:
            order = (article not in pushed, article not in representatives, ranks[article])
            key = cluster_of[article]
            best[key] = min(best.get(key, order), order)
    keep = [
        item
        for item in chosen
        if item[1] not in cluster_of or best[cluster_of[item[1]]][2] == ranks[item[1]]
    ]
    return keep, len(chosen) - len(keep)


def task_data(
    sentences: list[dict[str, Any]], article: dict[str, Any], campaign: Campaign
) -> Iterator[dict[str, Any]]:
    """Task payloads for one article's sentences (in order), with their context."""
    meta = " · ".join(
        str(part) for part in (article["source"], article["published_at"], article["url"]) if part
    )
    for position, sentence in enumerate(sentences):
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
            "context_before": sentences[position - 1]["text"] if position > 0 else "",
            "context_after": sentences[position + 1]["text"]
            if position + 1 < len(sentences)
            else "",
            "stance_question": f"Stance of this sentence toward {campaign.target}",
            "article": article["body"],
        }


def payloads(
    workspace: Workspace,
    chosen: list[tuple[str, str]],
    campaign: Campaign,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(task payloads of the chosen articles in priority order, sentences left out), all at
    once: for a set known to be small (a bench, the disputed sentences of adjudication)."""
    every: list[dict[str, Any]] = []
    left_out = 0
    for chunk, left in payload_chunks(workspace, chosen, campaign, limit):
        every.extend(chunk)
        left_out += left
    return every, left_out


def payload_chunks(
    workspace: Workspace,
    chosen: list[tuple[str, str]],
    campaign: Campaign,
    limit: int | None = None,
) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """`_chunk_payloads` of `ARTICLES_AT_ONCE` chosen articles at a time, in priority order."""
    for start in range(0, len(chosen), ARTICLES_AT_ONCE):
        yield _chunk_payloads(workspace, chosen[start : start + ARTICLES_AT_ONCE], campaign, limit)


def _chunk_payloads(
    workspace: Workspace,
    chosen: list[tuple[str, str]],
    campaign: Campaign,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(task payloads of the chosen articles in priority order, sentences left out): at most
    `limit` sentences of an article, its first ones, so one huge record cannot flood the
    project. Each shard is read once."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    left_out = 0
    wanted: dict[str, set[str]] = {}
    for shard, article in chosen:
        wanted.setdefault(shard, set()).add(article)
    for shard, ids in wanted.items():
        id_array = pa.array(sorted(ids))
        bodies = workspace.read_shard("bodies", shard)
        bodies = bodies.filter(pc.is_in(bodies["article_id"], id_array))
        sentences = workspace.read_shard("sentences", shard)
        sentences = sentences.filter(pc.is_in(sentences["article_id"], id_array))
        grouped: dict[str, list[dict[str, Any]]] = {}
        ordered = sentences.sort_by([("article_id", "ascending"), ("index", "ascending")])
        for row in ordered.to_pylist():
            grouped.setdefault(row["article_id"], []).append(row)
        for article in bodies.to_pylist():
            rows = grouped.get(article["article_id"], [])
            made = list(task_data(rows, article, campaign))
            left_out += max(0, len(made) - limit) if limit else 0
            by_article[article["article_id"]] = made[:limit] if limit else made
    ordered = [payload for _, article in chosen for payload in by_article.get(article, [])]
    return ordered, left_out


def existing_tasks(
    client: LabelStudioClient, project_id: int, sentence_ids: list[str]
) -> dict[str, int]:
    """sentence_id -> task id for those that already have a task, asked 1,000 at a time."""
    found: dict[str, int] = {}
    for i in range(0, len(sentence_ids), LOOKUP_BATCH):
        batch = sentence_ids[i : i + LOOKUP_BATCH]
        item = {
            "filter": "filter:tasks:data.sentence_id",
            "operator": "in_list",
            "type": "String",
            "value": batch,
        }
        query = json.dumps({"filters": {"conjunction": "and", "items": [item]}})

        def fetch(query: str = query) -> list[tuple[str, int]]:
            pager = client.sdk.tasks.list(
                project=project_id, query=query, fields="task_only", page_size=LOOKUP_BATCH
            )
            return [(task.data["sentence_id"], int(task.id)) for task in pager]

        for sentence, task in client.call("look up existing tasks", fetch):
            found.setdefault(sentence, task)
    return found


def recorded_projects(workspace: Workspace, campaign: str) -> set[int]:
    """Projects the campaign's tasks were pushed to: the campaign's recorded identity."""
    recorded = _recorded(workspace, "tasks", tables.TASKS, campaign)
    return set(recorded["project_id"].to_pylist())


def _recorded(workspace: Workspace, table: str, schema: pa.Schema, campaign: str) -> pa.Table:
    recorded = workspace.read(table, schema)
    return recorded.filter(pc.equal(recorded["campaign"], campaign))


def _record_tasks(
    workspace: Workspace, campaign: str, project_id: int, mapping: dict[str, int]
) -> None:
    rows = [
        {"campaign": campaign, "sentence_id": s, "project_id": project_id, "task_id": t}
        for s, t in sorted(mapping.items())
    ]
    name = shard_name(f"tasks-{campaign}", list(mapping))
    workspace.write_shard("tasks", name, pa.Table.from_pylist(rows, tables.TASKS))


def _prediction(tagger: KeywordTagger, sentence: str) -> dict[str, Any] | None:
    """The keyword pre-annotation of one sentence; None when no keyword occurs in it."""
    result = tagger.result(sentence)
    return (
        {"model_version": tagger.model_version, "score": 0.5, "result": result} if result else None
    )


def settled_tasks(client: LabelStudioClient, project_id: int, ids: list[str]) -> dict[str, int]:
    """After an uncertain import: wait until the project's task count stops moving (an import
    still running on the server commits all at once), then ask which sentences have a task."""
    count = None
    for _ in range(SETTLE_CHECKS):
        now = client.call("read the project", client.sdk.projects.get, project_id).task_number
        if now == count:
            break
        count = now
        time.sleep(SETTLE_S)
    return existing_tasks(client, project_id, ids)


def import_new(
    client: LabelStudioClient,
    project_id: int,
    new: list[dict[str, Any]],
    tagger: KeywordTagger | None,
) -> dict[str, int]:
    """Import payloads known to have no task, predictions inline (Label Studio's fastest way to
    add them); sentence_id -> task id of what the server now holds of them."""
    tasks: list[dict[str, Any]] = []
    for payload in new:
        task: dict[str, Any] = {"data": payload}
        if tagger and (prediction := _prediction(tagger, str(payload["sentence"]))):
            task["predictions"] = [prediction]
        tasks.append(task)
    ids = [str(p["sentence_id"]) for p in new]

    def send() -> dict[str, int]:
        response = client.sdk.projects.import_tasks(project_id, request=tasks, return_task_ids=True)
        task_ids = [int(t) for t in response.task_ids or []]
        if len(task_ids) == len(new):
            return dict(zip(ids, task_ids, strict=True))
        return existing_tasks(client, project_id, ids)  # an edition that imports asynchronously

    return client.write(
        "import tasks", send, lambda: settled_tasks(client, project_id, ids) or None
    )


def import_batch(
    client: LabelStudioClient,
    project_id: int,
    batch: list[dict[str, Any]],
    look_up: bool,
    tagger: KeywordTagger | None,
) -> tuple[dict[str, int], list[int]]:
    """Import the payloads that have no task yet; returns (sentence_id -> task id, ids of the
    tasks imported now).

    `look_up` asks the server first which of them already have a task; it is needed only
    when the server holds tasks the `tasks` table does not know (an interrupted push).
    """
    ids = [str(p["sentence_id"]) for p in batch]
    on_server = existing_tasks(client, project_id, ids) if look_up else {}
    imported: dict[str, int] = {}
    new = [p for p in batch if p["sentence_id"] not in on_server]
    while new:
        arrived = import_new(client, project_id, new, tagger)
        imported |= arrived
        new = [p for p in new if p["sentence_id"] not in imported]
    return on_server | imported, list(imported.values())


def _record_predictions(
    workspace: Workspace, campaign: str, model_version: str, task_ids: list[int]
) -> None:
    """Tasks that have this model version's pre-annotation (or need none: no keyword)."""
    if not task_ids:
        return
    rows = [{"campaign": campaign, "task_id": t, "model_version": model_version} for t in task_ids]
    name = shard_name(f"predictions-{campaign}-{model_version}", [str(t) for t in task_ids])
    workspace.write_shard("predictions", name, pa.Table.from_pylist(rows, tables.PREDICTIONS))


def _send_predictions(
    client: LabelStudioClient, project_id: int, request: list[dict[str, Any]]
) -> set[int]:
    client.sdk.projects.import_predictions(project_id, request=request)
    return {int(item["task"]) for item in request}


def predicted_tasks(client: LabelStudioClient, project_id: int, model_version: str) -> set[int]:
    """Tasks of the project that already hold a prediction of this model version."""
    answer = client.get("list predictions", "/api/predictions/", project=project_id).json()
    return {int(p["task"]) for p in answer if p.get("model_version") == model_version}


def recorded_predictions(workspace: Workspace, campaign: str, model_version: str) -> set[int]:
    """Tasks recorded as holding this model version's pre-annotation (or needing none)."""
    recorded = _recorded(workspace, "predictions", tables.PREDICTIONS, campaign)
    recorded = recorded.filter(pc.equal(recorded["model_version"], model_version))
    return set(recorded["task_id"].to_pylist())


def add_predictions(
    workspace: Workspace,
    client: LabelStudioClient,
    campaign: str,
    project_id: int,
    tagger: KeywordTagger,
    sentences: dict[int, str],
) -> int:
    """Keyword predictions for existing tasks that have none of this model version yet.

    The server is asked which tasks already have one (a push killed after an import but
    before it was recorded), so no task gets the same prediction twice."""
    done = recorded_predictions(workspace, campaign, tagger.model_version)
    todo = sorted(task for task in sentences if task not in done)
    if todo:
        on_server = predicted_tasks(client, project_id, tagger.model_version) & set(todo)
        _record_predictions(workspace, campaign, tagger.model_version, sorted(on_server))
        todo = [task for task in todo if task not in on_server]
    for i in range(0, len(todo), IMPORT_BATCH):
        batch = todo[i : i + IMPORT_BATCH]
        request = [
            {"task": task, **prediction}
            for task in batch
            if (prediction := _prediction(tagger, sentences[task]))
        ]
        while request:  # after an uncertain outcome, only what the server lacks is sent again
            arrived = client.write(
                "import predictions",
                partial(_send_predictions, client, project_id, request),
                lambda: predicted_tasks(client, project_id, tagger.model_version) or None,
            )
            request = [item for item in request if int(item["task"]) not in arrived]
        _record_predictions(workspace, campaign, tagger.model_version, batch)
    return len(todo)


RETIRED = "newsdesk_retired"  # the task data key saying why a task is no longer labeled


def retire_orphaned_tasks(workspace: Workspace, client: LabelStudioClient, campaign: str) -> int:
    """Mark in Label Studio the tasks whose sentence better rules changed beyond carrying:
    counted as labeled (so "Label All Tasks" stops offering them) and saying why in their
    data. Not deleted: their annotations stay readable. A PATCH of the same fields is safe to
    repeat."""
    table = workspace.read("orphaned_tasks", tables.ORPHANED_TASKS).to_pylist()
    todo = [r for r in table if r["campaign"] == campaign and not r["retired"]]
    for row in todo:
        task = client.get("read a task", f"/api/tasks/{row['task_id']}").json()
        data = {**task["data"], RETIRED: f"sentence changed by newer rules: {row['reason']}"}
        client.call(
            "retire a task",
            client.request,
            "retire a task",
            "PATCH",
            f"/api/tasks/{row['task_id']}",
            json={"data": data, "is_labeled": True, "overlap": 0},
        )
    if todo:
        done = [{**r, "retired": True} if r in todo else r for r in table]
        rows = pa.Table.from_pylist(done, tables.ORPHANED_TASKS)
        workspace.write_shard("orphaned_tasks", "all", rows)
    return len(todo)


def push_campaign(
    workspace: Workspace,
    client: LabelStudioClient,
    campaign: Campaign,
    schema: LabelSchema,
    *,
    predictions: bool = True,
    max_sentences_per_article: int | None = None,
) -> PushReport:
    """Push one campaign: select, skip what has a task, import the rest, pre-annotate."""
    tagger = KeywordTagger.from_schema(schema) if predictions else None
    recorded = _recorded(workspace, "tasks", tables.TASKS, campaign.name)
    projects = set(recorded["project_id"].to_pylist())
    project_id = ensure_project(client, campaign, schema, projects)
    report = PushReport(campaign.name, project_id)
    report.retired = retire_orphaned_tasks(workspace, client, campaign.name)
    recorded = recorded.filter(pc.equal(recorded["project_id"], project_id))
    done = dict(
        zip(recorded["sentence_id"].to_pylist(), recorded["task_id"].to_pylist(), strict=True)
    )
    chosen, report.near_duplicates = choose_articles(workspace, campaign)
    report.selected_articles = len(chosen)
    on_server = client.call("read the project", client.sdk.projects.get, project_id).task_number
    unknown_tasks = (on_server or 0) > len(done)
    predicted = (
        recorded_predictions(workspace, campaign.name, tagger.model_version) if tagger else set()
    )
    unpredicted: dict[int, str] = {}  # task -> sentence, for tasks that lack a prediction
    chunks = payload_chunks(workspace, chosen, campaign, max_sentences_per_article)
    for work, left_out in chunks:
        report.left_out += left_out
        report.sentences += len(work)
        pending = [p for p in work if p["sentence_id"] not in done]
        report.already_pushed += len(work) - len(pending)
        for i in range(0, len(pending), IMPORT_BATCH):
            batch = pending[i : i + IMPORT_BATCH]
            mapping, imported = import_batch(client, project_id, batch, unknown_tasks, tagger)
            report.imported += len(imported)
            report.already_pushed += len(mapping) - len(imported)
            _record_tasks(workspace, campaign.name, project_id, mapping)
            if tagger is not None:
                _record_predictions(workspace, campaign.name, tagger.model_version, imported)
                report.predictions += len(imported)
                predicted.update(imported)
            done.update(mapping)
        if tagger is not None:
            for payload in work:
                task = done.get(str(payload["sentence_id"]))
                if task is not None and task not in predicted:
                    unpredicted[task] = str(payload["sentence"])
    if tagger is not None:
        report.predictions += add_predictions(
            workspace, client, campaign.name, project_id, tagger, unpredicted
        )
        if report.sentences:
            show_predictions(client, project_id, tagger.model_version)
    return report
