"""Configuration: `newsdesk.toml`, overridden by `NEWSDESK_*` variables, overridden by flags.

Secrets never live in `newsdesk.toml` nor in `Settings` (flows take `Settings` as a parameter,
and Prefect stores and shows every parameter): the Label Studio token and the pseudonym salt
are read where they are used, from the environment or the owner-only files under `state_dir`
(`newsdesk.annotation.connection`, `newsdesk.foundations.local_secrets`).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from newsdesk.foundations import limits
from newsdesk.foundations.errors import UserError

CONFIG_FILE = "newsdesk.toml"


# a name that becomes a folder, a shard or a project title: no path, no markup, no surprises
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SECRET_KEYS = ("token", "password", "pseudonym_salt")


class ConfigError(UserError):
    """newsdesk.toml (or a NEWSDESK_* variable) holds a value newsdesk cannot use."""


def _valid_name(value: str, what: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value) or ".." in value:
        raise ValueError(
            f"{what} {value!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return value


class LabelStudioConfig(BaseModel):
    url: str = "http://127.0.0.1:8080"
    port: int = 8080
    username: str = "admin@newsdesk.local"
    deadline_s: float = Field(default=45.0, gt=0)  # one call, retries included, then give up
    timeout_s: float = Field(default=20.0, gt=0)  # one HTTP request
    pseudonymize: bool = True  # annotators appear as stable salted hashes, not e-mails
    span_agreement: float = 0.5  # share of annotators who must mark a span for it to count
    predictions: bool = True  # pre-annotate event triggers from the schema's keywords

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        found = [key for key in SECRET_KEYS if isinstance(data, dict) and key in data]
        if found:
            raise ValueError(
                f"{', '.join(found)} must not be in newsdesk.toml: the token comes from "
                "NEWSDESK_LABELSTUDIO_TOKEN, the pseudonym salt is made per installation "
                "under state_dir (or NEWSDESK_PSEUDONYM_SALT to share one)"
            )
        return data


def _cores() -> int:
    return os.cpu_count() or 1


class PrefectConfig(BaseModel):
    port: int = 4200
    workers: int = Field(default_factory=_cores, ge=1)  # shard tasks at once
    pool: Literal["processes", "threads"] = "processes"  # what runs them, without Dask
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
    # different annotators each sentence gets in the "Label All Tasks" stream (agreement needs 2)
    annotators_per_task: int = Field(default=2, ge=1, le=20)
    # near-duplicate articles (one cluster, `newsdesk.stages.dedup`): "skip" pushes one per cluster
    near_duplicates: Literal["skip", "keep"] = "skip"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _valid_name(value, "campaign name")


class DedupConfig(BaseModel):
    """Near-duplicate detection (`newsdesk.stages.dedup`): every threshold lives here.

    Two articles are near-duplicates when the Jaccard similarity of their sets of word
    `shingle`-grams, estimated by `num_perm` MinHash permutations, is at least `threshold`;
    LSH bands and rows are chosen for that threshold. `bench/bench_dedup.py` measured these.
    """

    threshold: float = Field(default=0.5, gt=0, lt=1)
    num_perm: int = Field(default=128, ge=16, le=1024)
    shingle: int = Field(default=3, ge=1, le=10)  # words per shingle (CJK: characters)
    seed: int = 1


class PublishConfig(BaseModel):
    dataset: str = "newsdesk-news"
    outputs: str = "outputs"
    license: str = "cc-by-4.0"
    split_salt: str = "newsdesk"
    splits: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "validation": 0.1, "test": 0.1}
    )

    @field_validator("dataset")
    @classmethod
    def _dataset(cls, value: str) -> str:
        return _valid_name(value, "dataset name")


class Settings(BaseModel):
    root: Path = Path(".")
    workspace: str = "workspace"
    state_dir: str = ".newsdesk"
    schema_path: str | None = None
    shard_size: int = Field(default=limits.SHARD_SIZE, ge=1)
    # size limits; their defaults are in newsdesk.foundations.limits
    max_file_mb: float = Field(default=limits.MAX_FILE_MB, gt=0)
    max_decompressed_mb: float = Field(default=limits.MAX_DECOMPRESSED_MB, gt=0)
    max_body_chars: int = Field(default=limits.MAX_BODY_CHARS, gt=0)
    max_sentence_chars: int = Field(default=limits.MAX_SENTENCE_CHARS, gt=0)
    max_sentences_per_article: int = Field(default=limits.MAX_SENTENCES_PER_ARTICLE, gt=0)
    labelstudio: LabelStudioConfig = Field(default_factory=LabelStudioConfig)
    prefect: PrefectConfig = Field(default_factory=PrefectConfig)
    campaigns: list[Campaign] = Field(default_factory=list)
    publish: PublishConfig = Field(default_factory=PublishConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)

    @field_validator("campaigns")
    @classmethod
    def _distinct(cls, value: list[Campaign]) -> list[Campaign]:
        names = [campaign.name for campaign in value]
        if twice := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"campaign names must differ: {', '.join(twice)} given twice")
        return value

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
    "LABELSTUDIO_PORT": "labelstudio.port",
    "LABELSTUDIO_DEADLINE": "labelstudio.deadline_s",
    "PREFECT_PORT": "prefect.port",
    "WORKERS": "prefect.workers",
    "POOL": "prefect.pool",
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
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "newsdesk.toml"
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where}: {message}") from None
