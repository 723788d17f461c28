"""Labels as published: names become the ids of the schema's ClassLabels, spans become rows,
and one (campaign, sentence)'s annotations become its aggregated row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsdesk.annotation.aggregate import aggregate, argument_links, trigger_of, voters
from newsdesk.foundations.labelschema import LabelSchema

# the labels of a sentence row nobody annotated
NO_LABELS: dict[str, Any] = {
    "stance": -1,
    "stance_agreement": 0.0,
    "events": [],
    "arguments": [],
    "annotator_count": 0,
    "adjudicated": False,
    "annotator_labels": [],
}


@dataclass(frozen=True)
class LabelIds:
    """Each label name's ClassLabel id, in the schema's order."""

    stance: dict[str, int]
    events: dict[str, int]
    roles: dict[str, int]

    @classmethod
    def of(cls, schema: LabelSchema) -> LabelIds:
        def ids(values: list[str]) -> dict[str, int]:
            return {value: i for i, value in enumerate(values)}

        return cls(ids(schema.stance.values), ids(schema.events.values), ids(schema.roles.values))

    @property
    def kinds(self) -> tuple[set[str], set[str]]:
        """(event types, argument roles) by name."""
        return set(self.events), set(self.roles)

    def stance_id(self, stance: str | None) -> int:
        return self.stance.get(stance or "", -1)


def span_row(span: dict[str, Any], ids: dict[str, int], event: int | None = None) -> dict:
    row = {"label": ids[span["label"]], "start": span["start"], "end": span["end"]}
    row["text"] = span["text"]
    if event is not None:
        row["event"] = event
    return row


def own_spans(note: dict[str, Any], labels: LabelIds) -> tuple[list[dict], list[dict]]:
    """One annotator's events and arguments as published (arguments linked by event index)."""
    spans = sorted(note["spans"] or [], key=lambda s: (s["start"], s["end"], s["label"]))
    events = [s for s in spans if s["label"] in labels.events]
    position = {s["id"]: i for i, s in enumerate(events)}
    links = trigger_of(note, *labels.kinds)
    event_rows = [span_row(s, labels.events) for s in events]
    argument_rows = [
        span_row(s, labels.roles, position[links[s["id"]]["id"]] if s["id"] in links else -1)
        for s in spans
        if s["label"] in labels.roles
    ]
    return event_rows, argument_rows


def aggregated_labels(
    notes: list[dict[str, Any]], labels: LabelIds, share: float
) -> dict[str, Any]:
    """The published labels of one (campaign, sentence) from its annotations; `share` of the
    annotators must agree on a span or an argument link for it to be kept."""
    result = aggregate(notes, share)
    done = [n for n in notes if not n["was_cancelled"]]
    events = [s for s in result.spans if s["label"] in labels.events]
    arguments = [s for s in result.spans if s["label"] in labels.roles]
    links = argument_links(voters(notes), events, arguments, labels.kinds, share)
    return {
        "stance": labels.stance_id(result.stance),
        "stance_agreement": result.stance_agreement,
        "events": [span_row(s, labels.events) for s in events],
        "arguments": [
            span_row(s, labels.roles, link) for s, link in zip(arguments, links, strict=True)
        ],
        "annotator_count": result.annotators,
        "adjudicated": any(n["ground_truth"] for n in done),
        "annotator_labels": [
            {"annotator": n["annotator"], "stance": labels.stance_id(n["stance"])}
            for n in sorted(done, key=lambda n: (n["annotator"], n["annotation_id"]))
        ],
    }


def annotation_row(note: dict[str, Any], sentence_id: str, labels: LabelIds) -> dict[str, Any]:
    """One annotator's annotation as a row of the annotations config (article id set later)."""
    events, arguments = own_spans(note, labels)
    return {
        "sentence_id": sentence_id,
        "article_id": None,
        "campaign": note["campaign"],
        "annotator": note["annotator"],
        "stance": labels.stance_id(note["stance"]),
        "events": events,
        "arguments": arguments,
        "was_cancelled": note["was_cancelled"],
        "ground_truth": note["ground_truth"],
        "lead_time": note["lead_time"],
        "created_at": note["created_at"],
    }
