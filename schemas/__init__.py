"""The label schema (YAML) and the Arrow schemas of the workspace tables."""

from pathlib import Path

LABEL_SCHEMA_PATH = Path(__file__).with_name("labels.yaml")
