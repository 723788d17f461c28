"""Published versions on disk: where they live, which is latest, their manifests.

Kept apart from publishing so that reading versions needs neither `datasets` nor pyarrow.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from newsdesk.config import Settings


def dataset_root(settings: Settings) -> Path:
    return settings.path(settings.publish.outputs) / settings.publish.dataset


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def latest_version(root: Path) -> str | None:
    pointer = root / "latest"
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


def sha256_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(2**20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()
