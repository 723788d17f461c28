"""The label schema drives the labeling config and the instructions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import yaml
from pydantic import ValidationError

from newsdesk.annotation.labelconfig import instructions, label_config
from newsdesk.foundations.labelschema import LabelSchema, load_label_schema
from schemas import LABEL_SCHEMA_PATH


def test_config_has_every_label_with_hint_and_hotkey() -> None:
    schema = load_label_schema()
    root = ET.fromstring(label_config(schema))
    choices = {c.get("value"): c for c in root.iter("Choice")}
    labels = {c.get("value"): c for c in root.iter("Label")}
    assert list(choices) == schema.stance.values
    assert list(labels) == schema.span_labels
    for element in [*choices.values(), *labels.values()]:
        assert element.get("hotkey") and element.get("hint")
    hotkeys = [e.get("hotkey") for e in [*choices.values(), *labels.values()]]
    assert len(set(hotkeys)) == len(hotkeys)


def test_instructions_carry_descriptions_escaped() -> None:
    schema = load_label_schema()
    html = instructions(schema, "R&D <lab>", "")
    assert "R&amp;D &lt;lab&gt;" in html
    assert all(label.description.split()[0] in html for label in schema.events.types)


def test_instructions_say_how_to_mark_and_link_with_every_key() -> None:
    schema = load_label_schema()
    html = instructions(schema, "Russia", "The Russian state.")
    for label in [*schema.stance.labels, *schema.events.types, *schema.roles.labels]:
        assert f"<b>{label.value}</b> [key {label.hotkey}]" in html
    assert "first press the key" in html and "Alt+R" in html and "Label All Tasks" in html


def test_the_task_view_sets_the_sentence_apart_and_names_the_target() -> None:
    schema = load_label_schema()
    root = ET.fromstring(label_config(schema, "Russia", "The Russian state & its forces."))
    boxed = [v for v in root.iter("View") if v.get("className") == "nd-sentence"]
    assert [t.get("name") for t in boxed[0].iter("Text")] == ["sentence"]
    headers = [h.get("value") for h in root.iter("Header")]
    assert "Stance of the highlighted sentence toward Russia" in headers
    assert "Russia: The Russian state & its forces." in headers
    review = ET.fromstring(label_config(schema, "Russia", "", review=True))
    assert [h.get("name") for h in review.iter("HyperText")] == ["opinions"]
    assert not list(root.iter("HyperText"))


def _raw() -> dict:
    return yaml.safe_load(LABEL_SCHEMA_PATH.read_text(encoding="utf-8"))


def test_schema_rejects_duplicate_hotkeys() -> None:
    raw = _raw()
    raw["events"]["types"][1]["hotkey"] = raw["events"]["types"][0]["hotkey"]
    with pytest.raises(ValidationError, match="duplicate hotkey"):
        LabelSchema.model_validate(raw)


def test_fingerprint_changes_when_labels_are_reordered_but_not_with_descriptions() -> None:
    raw = _raw()
    base = LabelSchema.model_validate(raw).fingerprint
    raw["stance"]["labels"][0]["description"] = "reworded"
    assert LabelSchema.model_validate(raw).fingerprint == base
    raw["stance"]["labels"].reverse()
    assert LabelSchema.model_validate(raw).fingerprint != base
