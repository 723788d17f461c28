"""The label schema: loaded once from YAML, the source every generated artefact derives from."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, model_validator

from schemas import LABEL_SCHEMA_PATH


class Label(BaseModel):
    value: str
    hotkey: str
    description: str
    keywords: list[str] = Field(default_factory=list)


class LabelGroup(BaseModel):
    description: str
    labels: list[Label]

    @property
    def values(self) -> list[str]:
        return [label.value for label in self.labels]


class EventGroup(BaseModel):
    description: str
    types: list[Label]

    @property
    def values(self) -> list[str]:
        return [label.value for label in self.types]


class LabelSchema(BaseModel):
    name: str
    version: int
    stance: LabelGroup
    events: EventGroup
    roles: LabelGroup

    @model_validator(mode="after")
    def _unique_values_and_hotkeys(self) -> LabelSchema:
        for group, values in (
            ("stance", self.stance.values),
            ("events", self.events.values),
            ("roles", self.roles.values),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"duplicate label in {group}: {values}")
        span_hotkeys = [x.hotkey for x in self.events.types + self.roles.labels]
        for hotkeys in ([x.hotkey for x in self.stance.labels], span_hotkeys):
            if len(set(hotkeys)) != len(hotkeys):
                raise ValueError(f"duplicate hotkey: {hotkeys}")
        return self

    @property
    def span_labels(self) -> list[str]:
        """Every value a span can carry: event types first, then argument roles."""
        return self.events.values + self.roles.values

    @cached_property
    def fingerprint(self) -> str:
        """Hash of the label values in order: a change means a new major dataset version."""
        ordered = {
            "stance": self.stance.values,
            "events": self.events.values,
            "roles": self.roles.values,
        }
        digest = hashlib.sha256(json.dumps(ordered, sort_keys=True).encode()).hexdigest()
        return digest[:16]


def load_label_schema(path: Path | str | None = None) -> LabelSchema:
    """Read and validate the label schema; the default is the one shipped in `schemas/`."""
    source = Path(path) if path else LABEL_SCHEMA_PATH
    return LabelSchema.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
