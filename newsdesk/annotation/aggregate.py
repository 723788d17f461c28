"""Aggregation: many annotators' labels for one sentence become one label, or "unresolved"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Aggregate:
    stance: str | None  # None: no annotation, or a tie
    stance_agreement: float  # share of annotators who chose the winning stance
    spans: list[dict[str, Any]]
    annotators: int


def majority_stance(stances: list[str]) -> tuple[str | None, float]:
    """The most frequent stance; a tie for first place stays unresolved."""
    if not stances:
        return None, 0.0
    ranked = Counter(stances).most_common()
    top, votes = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == votes:
        return None, votes / len(stances)
    return top, votes / len(stances)


def spans_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same type and overlapping extents: how spans of different annotators are matched."""
    return a["label"] == b["label"] and a["start"] < b["end"] and b["start"] < a["end"]


def agreed_spans(per_annotator: list[list[dict[str, Any]]], share: float) -> list[dict[str, Any]]:
    """Spans of the same type that overlap across annotators, kept when `share` of them agree.

    The kept span is the most common exact extent within its group.
    """
    groups: list[list[tuple[int, dict[str, Any]]]] = []
    for annotator, spans in enumerate(per_annotator):
        for span in spans:
            group = next((g for g in groups if spans_overlap(g[0][1], span)), None)
            if group is None:
                groups.append([(annotator, span)])
            else:
                group.append((annotator, span))
    kept = []
    for group in groups:
        if len({annotator for annotator, _ in group}) / len(per_annotator) >= share:
            extents = Counter((s["label"], s["start"], s["end"], s["text"]) for _, s in group)
            label, start, end, text = extents.most_common(1)[0][0]
            kept.append({"label": label, "start": start, "end": end, "text": text})
    return sorted(kept, key=lambda s: (s["start"], s["end"], s["label"]))


def aggregate(annotations: list[dict[str, Any]], span_share: float = 0.5) -> Aggregate:
    """One sentence's annotations (cancelled ones ignored); a ground-truth one overrides."""
    done = [a for a in annotations if not a["was_cancelled"]]
    if any(a["ground_truth"] for a in done):
        (chosen,) = voters(done)
        return Aggregate(chosen["stance"], 1.0, list(chosen["spans"]), len(done))
    stance, agreement = majority_stance([a["stance"] for a in done if a["stance"]])
    spans = agreed_spans([list(a["spans"]) for a in done], span_share) if done else []
    return Aggregate(stance, agreement, spans, len(done))


def trigger_of(
    note: dict[str, Any], events: set[str], roles: set[str]
) -> dict[str, dict[str, Any]]:
    """An annotator's argument spans (by id) mapped to the event span each is linked to.

    Label Studio relations have a direction, but annotators draw them either way: a relation
    counts when one end is an argument role and the other an event type.
    """
    spans = {span["id"]: span for span in note["spans"] or []}
    links: dict[str, dict[str, Any]] = {}
    for relation in note["relations"] or []:
        ends = [spans.get(relation["from_id"]), spans.get(relation["to_id"])]
        if any(end is None for end in ends):
            continue
        role_ends = [end for end in ends if end and end["label"] in roles]
        event_ends = [end for end in ends if end and end["label"] in events]
        if len(role_ends) == 1 and len(event_ends) == 1:
            links.setdefault(role_ends[0]["id"], event_ends[0])
    return links


def argument_links(
    voters: list[dict[str, Any]],
    triggers: list[dict[str, Any]],
    arguments: list[dict[str, Any]],
    labels: tuple[set[str], set[str]],
    share: float,
) -> list[int]:
    """For each agreed argument, the agreed trigger (its index) that most of the voters linked
    it to, or -1 when fewer than `share` of them agree; `labels` are (events, roles)."""
    votes: list[Counter[int]] = [Counter() for _ in arguments]
    for note in voters:
        spans = {s["id"]: s for s in note["spans"] or []}
        seen: set[tuple[int, int]] = set()
        for argument_id, trigger in trigger_of(note, *labels).items():
            argument = spans[argument_id]
            a = next((i for i, s in enumerate(arguments) if spans_overlap(s, argument)), None)
            e = next((i for i, s in enumerate(triggers) if spans_overlap(s, trigger)), None)
            if a is not None and e is not None and (a, e) not in seen:
                seen.add((a, e))
                votes[a][e] += 1
    links = []
    for counter in votes:
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        keep = ranked and voters and ranked[0][1] / len(voters) >= share
        links.append(ranked[0][0] if keep else -1)
    return links


def voters(annotations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Whose labels count: the newest ground-truth annotation alone if there is one, else
    every annotation that was not cancelled (the rule `aggregate` follows)."""
    done = [a for a in annotations if not a["was_cancelled"]]
    truth = [a for a in done if a["ground_truth"]]
    return [max(truth, key=lambda a: a["updated_at"] or "")] if truth else done
