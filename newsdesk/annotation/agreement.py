"""Inter-annotator agreement, which Label Studio's open-source edition does not compute.

Stance: Krippendorff's alpha (nominal), overall, per label (that label against the rest) and
per annotator (how often they match the majority of the others). Events: pairwise span F1,
a span matching another annotator's span of the same type that overlaps it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from newsdesk.annotation.aggregate import spans_overlap

Unit = tuple[str, str]  # (campaign, sentence_id)


def krippendorff_alpha(units: list[list[str]]) -> float | None:
    """Nominal alpha over units with 2+ values each; None when it is undefined."""
    pairable = [values for values in units if len(values) >= 2]
    coincidence: Counter[tuple[str, str]] = Counter()
    for values in pairable:
        counts = Counter(values)
        weight = 1 / (len(values) - 1)
        for a in counts:
            for b in counts:
                pairs = counts[a] * (counts[b] - (a == b))
                coincidence[(a, b)] += pairs * weight
    totals: Counter[str] = Counter()
    for (a, _), value in coincidence.items():
        totals[a] += value
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(v for (a, b), v in coincidence.items() if a != b) / n
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n * (n - 1))
    if expected == 0:  # one value everywhere: agreement is undefined, not perfect
        return None
    return 1 - observed / expected


def _matched(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> int:
    """Greedy one-to-one matching of overlapping same-type spans."""
    free = list(right)
    hits = 0
    for span in left:
        partner = next((other for other in free if spans_overlap(span, other)), None)
        if partner is not None:
            free.remove(partner)
            hits += 1
    return hits


def _f1(tp: float, left: float, right: float) -> float | None:
    return None if left + right == 0 else 2 * tp / (left + right)


@dataclass
class AgreementReport:
    units: int  # sentences with at least two annotations: the only ones agreement can use
    single: int  # sentences with one annotation, left out
    annotators: int
    stance_alpha: float | None
    stance_alpha_by_label: dict[str, float | None]
    stance_match_by_annotator: dict[str, float | None]
    span_f1: float | None
    span_f1_by_label: dict[str, float | None]
    span_f1_by_annotator: dict[str, float | None]
    counts: dict[str, int] = field(default_factory=dict)
    why_na: dict[str, str] = field(default_factory=dict)  # figure -> why it is n/a


def _why_na(report: AgreementReport, stance_units: list[list[str]]) -> dict[str, str]:
    """A reason for every n/a in the report, in words a reader can act on."""
    reasons = {}
    if report.units == 0:
        reasons["all"] = "no sentence has two annotations yet (set annotators_per_task >= 2)"
    if report.stance_alpha is None:
        pairable = sum(len(values) >= 2 for values in stance_units)
        reasons["stance"] = (
            "no sentence has two stance labels" if not pairable
            else "every annotator chose the same stance everywhere: there is no variation "
            "to measure agreement against"
        )  # fmt: skip
    if report.span_f1 is None:
        reasons["spans"] = "no event span was marked on a sentence that has two annotations"
    used = {value for values in stance_units for value in values}
    for label, value in report.stance_alpha_by_label.items():
        if value is None:
            reasons[f"stance:{label}"] = (
                "no variation: every comparable sentence agrees on it"
                if label in used
                else "not chosen on any sentence with two annotations"
            )
    for label, value in report.span_f1_by_label.items():
        if value is None:
            reasons[f"event:{label}"] = "not marked on any sentence with two annotations"
    for person in report.counts:
        if report.stance_match_by_annotator.get(person) is None:
            reasons[f"annotator:{person}"] = "shares no sentence with a clear majority of others"
    return reasons


def agreement(
    annotations: list[dict[str, Any]], stance_labels: list[str], event_labels: list[str]
) -> AgreementReport:
    """Agreement over pulled annotation rows (cancelled ones left out)."""
    everyone: dict[Unit, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in annotations:
        if not row["was_cancelled"]:
            everyone[(row["campaign"], row["sentence_id"])][row["annotator"]] = row
    by_unit = {unit: people for unit, people in everyone.items() if len(people) >= 2}
    stance_units = [
        [row["stance"] for row in people.values() if row["stance"]] for people in by_unit.values()
    ]
    used = {value for values in stance_units for value in values}
    by_label = {
        label: krippendorff_alpha(
            [[str(value == label) for value in values] for values in stance_units]
        )
        if label in used
        else None
        for label in stance_labels
    }
    matches: dict[str, list[bool]] = defaultdict(list)
    for people in by_unit.values():
        for person, row in people.items():
            others = [r["stance"] for p, r in people.items() if p != person and r["stance"]]
            if row["stance"] and others:
                top = Counter(others).most_common()
                if len(top) == 1 or top[0][1] > top[1][1]:
                    matches[person].append(row["stance"] == top[0][0])
    label_counts = {label: [0.0, 0.0, 0.0] for label in event_labels}
    person_counts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    total = [0.0, 0.0, 0.0]
    for people in by_unit.values():
        for (a, row_a), (b, row_b) in combinations(sorted(people.items()), 2):
            for label in event_labels:
                left = [s for s in row_a["spans"] if s["label"] == label]
                right = [s for s in row_b["spans"] if s["label"] == label]
                hits = _matched(left, right)
                for bucket in (label_counts[label], person_counts[a], person_counts[b], total):
                    bucket[0] += hits
                    bucket[1] += len(left)
                    bucket[2] += len(right)
    report = AgreementReport(
        units=len(by_unit),
        single=len(everyone) - len(by_unit),
        annotators=len({row["annotator"] for row in annotations}),
        stance_alpha=krippendorff_alpha(stance_units),
        stance_alpha_by_label=by_label,
        stance_match_by_annotator={
            person: sum(hits) / len(hits) if hits else None for person, hits in matches.items()
        },
        span_f1=_f1(*total),
        span_f1_by_label={label: _f1(*c) for label, c in label_counts.items()},
        span_f1_by_annotator={person: _f1(*c) for person, c in person_counts.items()},
        counts=dict(Counter(row["annotator"] for row in annotations)),
    )
    report.why_na = _why_na(report, stance_units)
    return report


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def markdown(report: AgreementReport, title: str) -> str:
    """The report as Markdown tables; every n/a is explained below them."""
    lines = [
        f"# Agreement: {title}",
        "",
        f"{report.units} sentences with two or more annotations, {report.annotators} "
        f"annotators ({report.single} sentences with one annotation are left out: agreement "
        "needs two).",
        "",
        f"- Stance, Krippendorff's alpha (nominal): **{_cell(report.stance_alpha)}**",
        f"- Event spans, pairwise F1: **{_cell(report.span_f1)}**",
        "",
        "| stance label | alpha (label vs rest) |",
        "|---|---|",
        *(f"| {k} | {_cell(v)} |" for k, v in report.stance_alpha_by_label.items()),
        "",
        "| event type | pairwise span F1 |",
        "|---|---|",
        *(f"| {k} | {_cell(v)} |" for k, v in report.span_f1_by_label.items()),
        "",
        "| annotator | annotations | stance = majority of others | span F1 vs others |",
        "|---|---|---|---|",
        *(
            f"| {person} | {count} | {_cell(report.stance_match_by_annotator.get(person))} | "
            f"{_cell(report.span_f1_by_annotator.get(person))} |"
            for person, count in sorted(report.counts.items())
        ),
    ]
    if report.why_na:
        lines += ["", "Why a figure is n/a:", ""]
        lines += [f"- {figure}: {reason}" for figure, reason in report.why_na.items()]
    return "\n".join(lines) + "\n"


def plot(report: AgreementReport, path: str, title: str) -> None:
    """Bar charts of per-label stance alpha and per-label span F1, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for axis, values, name in (
        (left, report.stance_alpha_by_label, "Stance: alpha per label"),
        (right, report.span_f1_by_label, "Events: pairwise span F1 per type"),
    ):
        labels = list(values)
        heights = [values[k] or 0.0 for k in labels]
        axis.bar(labels, heights, color="#0072B2")
        for x, label in enumerate(labels):
            if values[label] is None:
                axis.text(x, 0.02, "n/a", ha="center", color="#555555")
        axis.set_ylim(min(0.0, *heights), 1.0)
        axis.set_title(name)
        axis.tick_params(axis="x", rotation=45)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
