"""Pull: annotations exported from Label Studio, validated against the label schema.

Label Studio stores whatever a client sends, so every result is parsed defensively here and
then checked by the one rule of `newsdesk.annotation.validate`.
Invalid annotations stay out of the `annotations` table and are reported with a link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.annotation.adjudicate import review_campaign
from newsdesk.annotation.client import LabelStudioClient
from newsdesk.annotation.export import exported_tasks
from newsdesk.annotation.labelconfig import EVENT, ROLE, STANCE
from newsdesk.annotation.offsets import from_labelstudio, repair_span, span_text_matches
from newsdesk.annotation.projects import find_project
from newsdesk.annotation.validate import InvalidAnnotation, check_annotation
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import LabelSchema
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.relink import Alias, carry_annotation, load_aliases, orphan_row
from schemas import tables

REPAIR_REASON = "span offsets disagreed with its text; moved to where that text is, nearby"


@dataclass
class PullReport:
    campaign: str
    tasks: int = 0  # tasks read: those updated since the last pull, or all of them
    new: int = 0  # valid annotations not seen before
    updated: int = 0  # valid annotations changed since the last pull
    removed: int = 0  # annotations deleted in Label Studio since the last pull
    empty: int = 0  # submitted with nothing in them: not annotations
    rejected: int = 0  # invalid annotations in this read
    repaired: int = 0  # valid annotations in this read with a span re-anchored to its text
    orphaned: int = 0  # of sentences that better rules changed, and could not follow them
    annotations: int = 0  # valid annotations of the campaign after the pull
    invalid: int = 0  # invalid annotations of the campaign after the pull

    def summary(self) -> str:
        line = (
            f"campaign {self.campaign}: {self.tasks} tasks read; "
            f"{self.new} new, {self.updated} updated, {self.removed} removed, "
            f"{self.repaired} repaired, {self.rejected} rejected annotations; "
            f"{self.annotations} valid in all, "
            f"{self.invalid} invalid"
        )
        if self.empty:
            line += f"; {self.empty} empty submissions ignored"
        if self.orphaned:
            line += f"; {self.orphaned} orphaned by a rule change"
        if self.invalid:
            line += " (`newsdesk status` lists the invalid ones with their task links)"
        return line


def pseudonym(identity: str, salt: str | None) -> str:
    """A stable, salted hash: the same annotator keeps one name, which reveals nothing.

    Without a salt (pseudonymisation turned off in the config) the identity is kept."""
    if salt is None:
        return identity
    return "ann-" + hashlib.sha256(f"{salt}\x1f{identity}".encode()).hexdigest()[:12]


def _one_label(value: dict[str, Any], key: str, allowed: set[str], what: str) -> str:
    labels = value.get(key)
    if (
        not isinstance(labels, list)
        or len(labels) != 1
        or not isinstance(labels[0], str)
        or labels[0] not in allowed
    ):
        raise InvalidAnnotation(f"unknown {what} {labels!r}"[:200])
    return labels[0]


class Parsed(NamedTuple):
    """One annotation's labels in Python offsets."""

    stance: str | None
    spans: list[dict[str, Any]]
    relations: list[dict[str, str]]
    repaired: int  # spans re-anchored to where their text is


def _place(value: dict[str, Any], sentence: str) -> tuple[int, int, bool]:
    """(start, end, repaired) of a span in Python offsets; its `text`, when sent, is trusted
    over offsets that disagree with it if it occurs within a few characters of them."""
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if text is not None and not isinstance(text, str):
        raise InvalidAnnotation(f"span text is {type(text).__name__}, not text")
    try:
        start, end = from_labelstudio(sentence, start), from_labelstudio(sentence, end)
        placed = start < end and (text is None or span_text_matches(sentence, start, end, text))
    except ValueError as error:
        if text is None:
            raise InvalidAnnotation(f"span outside the sentence: {error}"[:200]) from None
        placed = False
    if placed:
        return start, end, False
    repaired = repair_span(sentence, value.get("start"), value.get("end"), text or "")
    if repaired is None:
        near = f" near {value.get('start')!r}-{value.get('end')!r}"
        raise InvalidAnnotation(f"span text {text!r} is not in the sentence{near}"[:200])
    return repaired[0], repaired[1], True


def parse_result(result: object, sentence: str, schema: LabelSchema) -> Parsed:
    """One annotation in Python offsets; raises InvalidAnnotation for anything Label Studio stored
    that does not fit the schema or the sentence."""
    if not isinstance(result, list):
        raise InvalidAnnotation(f"result is {type(result).__name__}, not a list")
    stance: str | None = None
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, str]] = []
    repaired = 0
    allowed = {EVENT: set(schema.events.values), ROLE: set(schema.roles.values)}
    for item in result:
        if not isinstance(item, dict):
            raise InvalidAnnotation(f"result item is {type(item).__name__}, not an object")
        kind, name, value = item.get("type"), item.get("from_name"), item.get("value", {})
        if kind == "relation":
            relations.append({"from_id": str(item.get("from_id")), "to_id": str(item.get("to_id"))})
            continue
        if not isinstance(value, dict):
            raise InvalidAnnotation(f"value of {name!r} is {type(value).__name__}, not an object")
        if name == STANCE:
            if stance is not None:
                raise InvalidAnnotation("two stance choices in one annotation")
            stance = _one_label(value, "choices", set(schema.stance.values), "stance")
        elif name in allowed:
            label = _one_label(value, "labels", allowed[name], f"{name} label")
            start, end, moved = _place(value, sentence)
            repaired += moved
            span = {"label": label, "start": start, "end": end, "text": sentence[start:end]}
            spans.append({"id": str(item.get("id")), **span})
        else:
            raise InvalidAnnotation(f"result from unknown control {name!r}"[:200])
    check_annotation(stance, spans, relations, sentence, schema)
    return Parsed(stance, spans, relations, repaired)


def _parse_anything(result: object, sentence: str, context: PullContext) -> Parsed:
    """`parse_result`, with any shape it did not foresee turned into a reason too: one odd
    annotation must never stop the pull of every campaign."""
    try:
        return parse_result(result, sentence, context.schema)
    except InvalidAnnotation:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        raise InvalidAnnotation(
            f"malformed result ({type(error).__name__}: {error})"[:200]
        ) from None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class PullContext:
    """What one pull checks annotations against."""

    campaign: Campaign
    project_id: int
    schema: LabelSchema
    salt: str | None
    users: dict[int, str]
    sentences: dict[str, str]  # sentence_id -> text, as the workspace holds it
    review: bool = False  # a review project: its decisions are ground truth
    aliases: dict[str, Alias] = field(default_factory=dict)  # sentences rules changed


def _task_problem(task: dict[str, Any], context: PullContext) -> str | None:
    """Why a task's annotations cannot be trusted as a whole, if they cannot. A task of a
    sentence that better rules changed is checked against the text it was pushed with."""
    data = task.get("data")
    if not isinstance(data, dict):
        return "the task has no data"
    sentence_id = data.get("sentence_id")
    alias = context.aliases.get(sentence_id) if isinstance(sentence_id, str) else None
    if alias is not None:
        expected = alias.old_text
    elif isinstance(sentence_id, str) and sentence_id in context.sentences:
        expected = context.sentences[sentence_id]
    else:
        return (
            f"task with sentence_id {sentence_id!r} is not in this workspace's tasks table "
            "(`newsdesk push` adopts tasks it made, then `newsdesk pull --full`)"
        )[:300]
    if data.get("sentence") != expected:
        return (
            "the task's sentence was edited in Label Studio and no longer matches the "
            "workspace; restore its data or delete the annotation"
        )
    return None


class Rows(NamedTuple):
    """One read, sorted: every annotation is valid (some with repaired spans), invalid with
    its reason, or an empty submission."""

    valid: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    repaired: list[dict[str, Any]]
    orphaned: list[dict[str, Any]]  # of sentences that changed, and could not follow them
    empty: int


def _parsed(
    task: dict[str, Any], annotation: dict[str, Any], problem: str | None, context: PullContext
) -> Parsed:
    """One annotation's labels checked against the sentence its task was pushed with."""
    if problem:
        raise InvalidAnnotation(problem)
    if annotation.get("was_cancelled"):
        return Parsed(None, [], [], 0)
    sentence_id = task["data"]["sentence_id"]
    alias = context.aliases.get(sentence_id)
    sentence = alias.old_text if alias else context.sentences[sentence_id]
    return _parse_anything(annotation.get("result"), sentence, context)


def _valid_row(
    task: dict[str, Any], annotation: dict[str, Any], parsed: Parsed, context: PullContext
) -> dict[str, Any]:
    """An annotations-table row: the annotator pseudonymised, the times as Label Studio sent."""
    author = annotation.get("completed_by")
    author_id = author.get("id") if isinstance(author, dict) else author
    identity = context.users.get(author_id, str(author_id))  # type: ignore[arg-type]
    return {
        "campaign": context.campaign.name,
        "project_id": context.project_id,
        "task_id": int(task["id"]),
        "sentence_id": task["data"]["sentence_id"],
        "annotation_id": int(annotation.get("id") or 0),
        "annotator": pseudonym(identity, context.salt),
        "stance": parsed.stance,
        "spans": parsed.spans,
        "relations": parsed.relations,
        "was_cancelled": bool(annotation.get("was_cancelled")),
        "ground_truth": context.review or bool(annotation.get("ground_truth")),
        "lead_time": _number(annotation.get("lead_time")),
        "created_at": _text(annotation.get("created_at")),
        "updated_at": _text(annotation.get("updated_at")),
    }


def annotation_rows(
    client: LabelStudioClient, context: PullContext, exported: list[dict[str, Any]]
) -> Rows:
    """Sort one read into valid, invalid, repaired and empty: nothing here can raise on what
    the server stored."""
    rows = Rows([], [], [], [], 0)
    empty = 0
    campaign = context.campaign.name
    for task in exported:
        task_id = int(task["id"])
        problem = _task_problem(task, context)
        annotations = task.get("annotations") or []
        for annotation in annotations if isinstance(annotations, list) else []:
            annotation_id = int(annotation.get("id") or 0)
            ids = {"campaign": campaign, "task_id": task_id, "annotation_id": annotation_id}
            if not annotation.get("was_cancelled") and annotation.get("result") in ([], None):
                empty += 1
                continue
            try:
                parsed = _parsed(task, annotation, problem, context)
            except InvalidAnnotation as error:
                link = client.task_link(context.project_id, task_id)
                rows.invalid.append({**ids, "link": link, "reason": str(error)})
                continue
            if parsed.repaired:
                rows.repaired.append({**ids, "spans": parsed.repaired, "reason": REPAIR_REASON})
            row = _valid_row(task, annotation, parsed, context)
            alias = context.aliases.get(row["sentence_id"])
            if alias is not None and (
                reason := carry_annotation(row, alias, context.sentences.get(alias.target or ""))
            ):
                rows.orphaned.append(orphan_row(row, reason))
                continue
            rows.valid.append(row)
    return rows._replace(empty=empty)


def salt_fingerprint(salt: str | None) -> str:
    """Recorded with the watermark: a new salt renames every annotator, so it needs a full pull."""
    return "none" if salt is None else hashlib.sha256(f"pull\x1f{salt}".encode()).hexdigest()[:16]


def _watermark(
    workspace: Workspace, campaign: str, project_id: int, salt: str | None
) -> str | None:
    if not workspace.has_shard("pull_state", campaign):
        return None
    rows = workspace.read_shard("pull_state", campaign).to_pylist()
    if not rows or rows[0]["project_id"] != project_id:
        return None
    return rows[0]["watermark"] if rows[0].get("salt") == salt_fingerprint(salt) else None


def _existing(workspace: Workspace, table: str, campaign: str) -> list[dict[str, Any]]:
    if not workspace.has_shard(table, campaign):
        return []
    return workspace.read_shard(table, campaign).to_pylist()


def _merge(
    workspace: Workspace,
    table: str,
    campaign: str,
    schema: pa.Schema,
    rows: list[dict[str, Any]],
    replace: set[int] | None,
) -> int:
    """Swap in the rows of re-read tasks (all rows when `replace` is None); returns the
    campaign's row count."""
    kept: list[dict[str, Any]] = []
    if replace is not None:
        existing = _existing(workspace, table, campaign)
        kept = [row for row in existing if row["task_id"] not in replace]
    merged = sorted(kept + rows, key=lambda row: (row["task_id"], row["annotation_id"]))
    workspace.write_shard(table, campaign, pa.Table.from_pylist(merged, schema))
    return len(merged)


def _campaign_sentences(
    workspace: Workspace, campaign: str, review: bool
) -> tuple[dict[str, str], set[int]]:
    """(sentence_id -> text of the campaign's pushed sentences, recorded project ids)."""
    table, schema = ("review_tasks", tables.REVIEW_TASKS) if review else ("tasks", tables.TASKS)
    tasks = workspace.read(table, schema, ["campaign", "sentence_id", "project_id"])
    tasks = tasks.filter(pc.equal(tasks["campaign"], campaign))
    wanted = pa.array(sorted(set(tasks["sentence_id"].to_pylist())), pa.string())
    texts: dict[str, str] = {}
    for _, shard in workspace.iter_shards("sentences", ["sentence_id", "text"]):
        shard = shard.filter(pc.is_in(shard["sentence_id"], wanted))
        texts.update(zip(shard["sentence_id"].to_pylist(), shard["text"].to_pylist(), strict=True))
    return texts, set(tasks["project_id"].to_pylist())


def _changes(
    existing: list[dict[str, Any]], valid: list[dict[str, Any]], replace: set[int] | None
) -> tuple[int, int, int]:
    """(new, updated, removed) annotations of a read against what the workspace held; only
    the re-read tasks (`replace`; all of them when None) can lose annotations."""
    before = {row["annotation_id"]: row["updated_at"] for row in existing}
    seen = {row["annotation_id"] for row in valid}
    new = sum(row["annotation_id"] not in before for row in valid)
    updated = sum(
        row["annotation_id"] in before and before[row["annotation_id"]] != row["updated_at"]
        for row in valid
    )
    if replace is None:
        return new, updated, len(set(before) - seen)
    gone = [
        row for row in existing if row["task_id"] in replace and row["annotation_id"] not in seen
    ]
    return new, updated, len(gone)


def pull_campaign(
    workspace: Workspace,
    client: LabelStudioClient,
    campaign: Campaign,
    schema: LabelSchema,
    salt: str | None,
    *,
    full: bool = False,
    review: bool = False,
) -> PullReport:
    """Bring the campaign's annotations (or its review decisions) up to date with the server.

    Only tasks updated since the last pull are read (all of them with `full`); what they hold
    now replaces what the workspace held for them, so deletions are seen too. Review decisions
    are kept in their own shard, as ground-truth rows of the campaign.
    """
    source = review_campaign(campaign) if review else campaign
    shard = source.name
    report = PullReport(shard)
    sentences, projects = _campaign_sentences(workspace, campaign.name, review)
    if review and not projects:
        return report
    project_id = find_project(client, source, projects)
    if project_id is None:
        return report
    since = None if full else _watermark(workspace, shard, project_id, salt)
    exported, watermark = exported_tasks(client, project_id, since)
    people = client.get("list users", "/api/users/").json()
    users = {int(user["id"]): str(user.get("email") or user.get("username")) for user in people}
    aliases = load_aliases(workspace)
    context = PullContext(campaign, project_id, schema, salt, users, sentences, review, aliases)
    valid, invalid, repaired, orphaned, report.empty = annotation_rows(client, context, exported)
    report.orphaned = len(orphaned)
    report.repaired = len(repaired)
    replace = None if since is None else {int(task["id"]) for task in exported}
    existing = _existing(workspace, "annotations", shard)
    report.new, report.updated, report.removed = _changes(existing, valid, replace)
    report.annotations = _merge(workspace, "annotations", shard, tables.ANNOTATIONS, valid, replace)
    _merge(workspace, "repaired_annotations", shard, tables.REPAIRED_ANNOTATIONS, repaired, replace)
    report.invalid = _merge(
        workspace, "invalid_annotations", shard, tables.INVALID_ANNOTATIONS, invalid,
        replace,
    )  # fmt: skip
    state = [
        {
            "campaign": shard,
            "project_id": project_id,
            "watermark": watermark,
            "salt": salt_fingerprint(salt),
        }
    ]
    workspace.write_shard("pull_state", shard, pa.Table.from_pylist(state, tables.PULL_STATE))
    report.tasks = len(exported)
    report.rejected = len(invalid)
    return report
