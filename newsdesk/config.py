"""Configuration: `newsdesk.toml`, overridden by `NEWSDESK_*` variables, overridden by flags.

Secrets never live in `newsdesk.toml`: the Label Studio token comes from the environment
(`NEWSDESK_LABELSTUDIO_TOKEN`) or from the git-ignored state file that
`newsdesk labelstudio start` writes.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

CONFIG_FILE = "newsdesk.toml"


class LabelStudioConfig(BaseModel):
    url: str = "http://127.0.0.1:8080"
    token: str | None = Field(default=None, repr=False)
    port: int = 8080
    username: str = "admin@newsdesk.local"
    retries: int = 5  # connection errors, timeouts and 5xx answers, with backoff
    pseudonymize: bool = True  # annotators appear as stable salted hashes, not e-mails
    pseudonym_salt: str = "newsdesk"  # change it to make pseudonyms unlinkable to others'
    span_agreement: float = 0.5  # share of annotators who must mark a span for it to count
    predictions: bool = True  # pre-annotate event triggers from the schema's keywords


class PrefectConfig(BaseModel):
    port: int = 4200
    workers: int = 2
    dask_address: str | None = None


class Campaign(BaseModel):
    """One Label Studio project: a stance target and a rule choosing which articles it gets.

    Every given filter must match (keywords: any of them, in title or body); `sample` then
    keeps N of the matching articles, chosen by a seeded hash so the choice is reproducible.
    `priority` orders the tasks in Label Studio.
    """

    name: str
    target: str
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    published_from: str | None = None  # ISO date, inclusive
    published_to: str | None = None  # ISO date, inclusive
    sample: int | None = None
    seed: int = 0
    priority: Literal["newest", "oldest", "input"] = "newest"


class PublishConfig(BaseModel):
    dataset: str = "newsdesk-news"
    outputs: str = "outputs"
    license: str = "cc-by-4.0"
    split_salt: str = "newsdesk"
    splits: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "validation": 0.1, "test": 0.1}
    )


class Settings(BaseModel):
    root: Path = Path(".")
    workspace: str = "workspace"
    state_dir: str = ".newsdesk"
    schema_path: str | None = None
    shard_size: int = 1000
    max_file_mb: float = 20.0
    max_decompressed_mb: float = 8192.0  # read from one input file or archive, decompressed
    labelstudio: LabelStudioConfig = Field(default_factory=LabelStudioConfig)
    prefect: PrefectConfig = Field(default_factory=PrefectConfig)
    campaigns: list[Campaign] = Field(default_factory=list)
    publish: PublishConfig = Field(default_factory=PublishConfig)

    def path(self, value: str) -> Path:
        """Resolve a configured path against the folder holding newsdesk.toml."""
        candidate = Path(value)
        return candidate if candidate.is_absolute() else self.root / candidate

    @property
    def state_path(self) -> Path:
        return self.path(self.state_dir)

    @property
    def workspace_uri(self) -> str:
        """A local path or an fsspec/pyarrow URL such as s3://bucket/ws."""
        return self.workspace if "://" in self.workspace else str(self.path(self.workspace))


# NEWSDESK_<NAME> -> dotted key in Settings
ENV_KEYS = {
    "WORKSPACE": "workspace",
    "STATE_DIR": "state_dir",
    "SCHEMA": "schema_path",
    "SHARD_SIZE": "shard_size",
    "LABELSTUDIO_URL": "labelstudio.url",
    "LABELSTUDIO_TOKEN": "labelstudio.token",
    "LABELSTUDIO_PORT": "labelstudio.port",
    "LABELSTUDIO_RETRIES": "labelstudio.retries",
    "PREFECT_PORT": "prefect.port",
    "WORKERS": "prefect.workers",
    "DASK_ADDRESS": "prefect.dask_address",
    "DATASET": "publish.dataset",
    "OUTPUTS": "publish.outputs",
}


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for parent in parents:
        data = data.setdefault(parent, {})
    data[leaf] = value


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Merge file, environment and flag values; a missing file means defaults."""
    path = config or Path(os.environ.get("NEWSDESK_CONFIG", CONFIG_FILE))
    data: dict[str, Any] = {}
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["root"] = path.resolve().parent
    for name, key in ENV_KEYS.items():
        if (value := os.environ.get(f"NEWSDESK_{name}")) not in (None, ""):
            _set_dotted(data, key, value)
    for key, value in overrides.items():
        if value is not None:
            _set_dotted(data, key.replace("__", "."), value)
    return Settings.model_validate(data)
