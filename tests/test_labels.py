"""The label schema drives the labeling config and the instructions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import yaml
from pydantic import ValidationError

from annotation.labelconfig import instructions, label_config
from newsdesk.labelschema import LabelSchema, load_label_schema
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
