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
    truth = [a for a in done if a["ground_truth"]]
    if truth:
        chosen = max(truth, key=lambda a: a["updated_at"] or "")
        return Aggregate(chosen["stance"], 1.0, list(chosen["spans"]), len(done))
    stance, agreement = majority_stance([a["stance"] for a in done if a["stance"]])
    spans = agreed_spans([list(a["spans"]) for a in done], span_share) if done else []
    return Aggregate(stance, agreement, spans, len(done))
