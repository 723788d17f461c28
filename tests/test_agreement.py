"""Agreement figures, cross-checked against the `krippendorff` package."""

from __future__ import annotations

import math
import random
from pathlib import Path

import krippendorff
import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from newsdesk.annotation.agreement import agreement, krippendorff_alpha
from newsdesk.app.cli import app
from newsdesk.foundations.workspace import Workspace
from schemas import tables

STANCES = ["favor", "against", "neutral", "unrelated"]


def _reference(units: list[list[str | None]]) -> float:
    coders = max(len(u) for u in units)
    matrix = np.full((coders, len(units)), np.nan)
    for j, unit in enumerate(units):
        for i, value in enumerate(unit):
            if value is not None:
                matrix[i, j] = STANCES.index(value)
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")


def test_alpha_matches_the_reference_implementation() -> None:
    rng = random.Random(3)
    for _ in range(20):
        units = [
            [rng.choice(STANCES[:3]) if rng.random() < 0.85 else None for _ in range(3)]
            for _ in range(25)
        ]
        ours = krippendorff_alpha([[v for v in unit if v] for unit in units])
        assert math.isclose(ours, _reference(units), abs_tol=1e-9)


def test_alpha_extremes() -> None:
    assert krippendorff_alpha([["favor", "favor"], ["against", "against"]]) == 1.0
    assert krippendorff_alpha([["favor"], ["against"]]) is None  # nothing pairable
    assert krippendorff_alpha([["favor", "favor"], ["favor", "favor"]]) is None  # no variation
    assert krippendorff_alpha([["favor", "against"], ["against", "favor"]]) < 0


def _row(who: str, sentence: str, stance: str | None, spans=(), cancelled=False) -> dict:
    return {
        "campaign": "c", "project_id": 1, "task_id": hash(sentence) % 1000,
        "sentence_id": sentence, "annotation_id": hash((who, sentence)) % 10**6,
        "annotator": who, "stance": stance, "relations": [], "was_cancelled": cancelled,
        "ground_truth": False, "lead_time": 1.0, "created_at": "", "updated_at": "",
        "spans": [{"id": str(i), "label": lab, "start": s, "end": e, "text": "x" * (e - s)}
                  for i, (lab, s, e) in enumerate(spans)],
    }  # fmt: skip


ROWS = [
    _row("a", "s1", "favor", [("statement", 0, 4)]),
    _row("b", "s1", "favor", [("statement", 2, 6)]),
    _row("c", "s1", "against", [("protest", 0, 4)]),
    _row("a", "s2", "neutral"),
    _row("b", "s2", "neutral", [("statement", 0, 3)]),
    _row("c", "s2", None, cancelled=True),
]


def test_span_f1_and_per_annotator() -> None:
    report = agreement(ROWS, STANCES, ["statement", "protest"])
    assert report.units == 2 and report.annotators == 3
    # statement: (a,b) on s1 match 1 of 1+1; (a,c), (b,c) on s1 0 of 1+0; (a,b) on s2 0 of 0+1
    assert report.span_f1_by_label["statement"] == pytest.approx(2 * 1 / (3 + 2))
    assert report.span_f1_by_label["protest"] == 0.0
    assert report.stance_match_by_annotator["c"] == 0.0
    assert report.stance_match_by_annotator["a"] == 1.0


def test_agreement_command_writes_report_and_plot(tmp_path: Path, monkeypatch) -> None:
    workspace = Workspace(str(tmp_path / "ws"))
    workspace.write_shard("annotations", "c", pa.Table.from_pylist(ROWS, tables.ANNOTATIONS))
    monkeypatch.setenv("NEWSDESK_WORKSPACE", str(tmp_path / "ws"))
    result = CliRunner().invoke(app, ["agreement", "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    assert "Krippendorff" in result.output
    assert (tmp_path / "rep" / "agreement-c.md").read_text().startswith("# Agreement: c")
    assert (tmp_path / "rep" / "agreement-c.png").read_bytes()[:4] == b"\x89PNG"


def _row(sentence: str, annotator: str, stance: str, spans: list | None = None) -> dict:
    return {"campaign": "c", "sentence_id": sentence, "annotator": annotator,
            "stance": stance, "spans": spans or [], "was_cancelled": False}  # fmt: skip


def test_only_sentences_with_two_annotations_count_and_every_na_says_why() -> None:
    rows = [_row(f"s{i}", person, "against") for i in range(6) for person in ("a", "b")]
    rows += [_row(f"solo{i}", "a", "favor") for i in range(12)]
    report = agreement(rows, STANCES, ["statement"])
    assert (report.units, report.single, report.annotators) == (6, 12, 2)
    assert report.stance_alpha is None  # the same stance everywhere it can be compared
    assert "no variation" in report.why_na["stance"]
    assert "spans" in report.why_na and "stance:favor" in report.why_na
    assert "no variation" in report.why_na["stance:against"]
    assert "not chosen" in report.why_na["stance:favor"]  # only on single sentences
    from newsdesk.annotation.agreement import markdown

    text = markdown(report, "c")
    assert "6 sentences with two or more annotations" in text and "12 sentences with one" in text
    assert "- stance: every annotator chose the same stance" in text
