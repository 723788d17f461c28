"""Adjudication: the review stream Label Studio Community does not have.

Sentences whose annotators disagree go to a review project of their campaign, each task showing
every annotator's labels side by side; the reviewer labels the sentence with the same controls,
and `pull` brings that decision back as ground truth, which wins in aggregation.

Annotators disagree when, among the sentence's submitted (not skipped) annotations, the stances
differ or the event and argument spans (type and extent) are not the same for everyone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.projects import ensure_project
from newsdesk.annotation.push import import_batch, payloads
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from schemas import tables

REVIEW_SUFFIX = ".review"
BATCH = 1000


def review_campaign(campaign: Campaign) -> Campaign:
    """The campaign's review project: same target and labels, one reviewer per sentence."""
    return campaign.model_copy(
        update={"name": campaign.name + REVIEW_SUFFIX, "annotators_per_task": 1}
    )


def _opinion(row: dict[str, Any]) -> tuple[str | None, frozenset[tuple[str, int, int]]]:
    spans = frozenset((s["label"], s["start"], s["end"]) for s in row["spans"] or [])
    return row["stance"], spans


def disagreements(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """sentence_id -> its annotators' annotations, for the sentences they disagree on."""
    by_sentence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if not row["was_cancelled"] and not row["ground_truth"]:
            by_sentence[row["sentence_id"]].append(row)
    return {
        sentence: notes
        for sentence, notes in by_sentence.items()
        if len({n["annotator"] for n in notes}) >= 2 and len({_opinion(n) for n in notes}) > 1
    }


def opinions_html(notes: list[dict[str, Any]]) -> str:
    """Each annotator's labels in a column of one table: what the reviewer decides between."""
    notes = sorted(notes, key=lambda n: (n["annotator"], n["annotation_id"]))

    def spans(note: dict[str, Any]) -> str:
        marked = sorted(note["spans"] or [], key=lambda s: (s["start"], s["end"]))
        items = [f"“{escape(s['text'])}” {escape(s['label'])}" for s in marked]
        return "<br/>".join(items) or "—"

    head = "".join(f"<th>Annotator {i + 1}</th>" for i in range(len(notes)))
    stance = "".join(f"<td>{escape(n['stance'] or '—')}</td>" for n in notes)
    marked = "".join(f"<td>{spans(n)}</td>" for n in notes)
    return (
        '<table border="1" cellpadding="4" style="border-collapse: collapse">'
        f"<tr><th></th>{head}</tr><tr><th>stance</th>{stance}</tr>"
        f"<tr><th>spans</th>{marked}</tr></table>"
    )


@dataclass
class AdjudicationReport:
    campaign: str
    project_id: int = 0
    disagreements: int = 0
    new: int = 0
    refreshed: int = 0

    def summary(self) -> str:
        return (
            f"campaign {self.campaign}: {self.disagreements} sentences where annotators "
            f"disagree; {self.new} new review tasks, {self.refreshed} refreshed, in project "
            f"{self.project_id} ({review_campaign_name(self.campaign)})"
        )


def review_campaign_name(campaign: str) -> str:
    return campaign + REVIEW_SUFFIX


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _articles_of(workspace: Workspace, sentence_ids: set[str]) -> list[tuple[str, str]]:
    """(shard, article_id) holding these sentences, in workspace order."""
    wanted = pa.array(sorted(sentence_ids), pa.string())
    found: list[tuple[str, str]] = []
    for shard, table in workspace.iter_shards("sentences"):
        table = table.select(["sentence_id", "article_id"])
        hits = table.filter(pc.is_in(table["sentence_id"], wanted))
        found += [(shard, article) for article in sorted(set(hits["article_id"].to_pylist()))]
    return found


def adjudicate_campaign(
    workspace: Workspace, client: LabelStudioClient, campaign: Campaign, schema: LabelSchema
) -> AdjudicationReport:
    """Push the campaign's disagreements to its review project, once each; a sentence whose
    annotations changed since gets its side-by-side table refreshed."""
    report = AdjudicationReport(campaign.name)
    rows = workspace.read("annotations", tables.ANNOTATIONS)
    rows = rows.filter(pc.equal(rows["campaign"], campaign.name)).to_pylist()
    disputed = disagreements(rows)
    report.disagreements = len(disputed)
    recorded = workspace.read("review_tasks", tables.REVIEW_TASKS)
    recorded = recorded.filter(pc.equal(recorded["campaign"], campaign.name)).to_pylist()
    review = review_campaign(campaign)
    report.project_id = ensure_project(
        client, review, schema, {r["project_id"] for r in recorded}, review=True
    )
    known = {r["sentence_id"]: r for r in recorded if r["project_id"] == report.project_id}
    if not disputed:
        return report
    every, _ = payloads(workspace, _articles_of(workspace, set(disputed)), campaign)
    work = [
        {**payload, "opinions": opinions_html(disputed[payload["sentence_id"]])}
        for payload in every
        if payload["sentence_id"] in disputed
    ]
    stale = [
        p for p in work if p["sentence_id"] in known
        and known[p["sentence_id"]]["opinions"] != _digest(p["opinions"])
    ]  # fmt: skip
    for payload in stale:  # a PATCH of the whole data: safe to repeat
        task_id = known[payload["sentence_id"]]["task_id"]
        client.call("refresh a review task", client.sdk.tasks.update, task_id, data=payload)
    report.refreshed = len(stale)
    pending = [p for p in work if p["sentence_id"] not in known]
    project = client.call("read the project", client.sdk.projects.get, report.project_id)
    unknown = len(known) < (project.task_number or 0)  # an earlier run was interrupted
    for i in range(0, len(pending), BATCH):
        batch = pending[i : i + BATCH]
        mapping, imported = import_batch(client, report.project_id, batch, unknown, None)
        report.new += len(imported)
        _record(workspace, campaign.name, report.project_id, batch, mapping)
    if stale:
        _record(
            workspace, campaign.name, report.project_id, stale,
            {p["sentence_id"]: known[p["sentence_id"]]["task_id"] for p in stale},
        )  # fmt: skip
    return report


def _record(
    workspace: Workspace,
    campaign: str,
    project_id: int,
    payloads_done: list[dict[str, Any]],
    mapping: dict[str, int],
) -> None:
    """Rows of review tasks, one shard per campaign: the newest row of a sentence wins."""
    existing = workspace.read("review_tasks", tables.REVIEW_TASKS).to_pylist()
    rows = {(r["campaign"], r["sentence_id"]): r for r in existing if r["campaign"] == campaign}
    for payload in payloads_done:
        sentence = payload["sentence_id"]
        if sentence in mapping:
            rows[(campaign, sentence)] = {
                "campaign": campaign,
                "sentence_id": sentence,
                "project_id": project_id,
                "task_id": mapping[sentence],
                "opinions": _digest(payload["opinions"]),
            }
    ordered = sorted(rows.values(), key=lambda r: r["sentence_id"])
    table = pa.Table.from_pylist(ordered, tables.REVIEW_TASKS)
    workspace.write_shard("review_tasks", campaign, table)
