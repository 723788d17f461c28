"""Campaign selection, keyword pre-annotations and schema-change checks, without a server."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from newsdesk.annotation.offsets import from_labelstudio
from newsdesk.annotation.prelabel import KeywordTagger
from newsdesk.annotation.projects import config_labels, schema_change_problems
from newsdesk.annotation.push import select_articles
from newsdesk.foundations.config import Campaign
from newsdesk.foundations.labelschema import load_label_schema
from newsdesk.foundations.workspace import Workspace
from schemas import tables

ARTICLES = [
    ("a1", "wire.example", "2026-01-05", "Russia and Norway held talks."),
    ("a2", "wire.example", "2026-03-01", "Moscow warned Oslo."),
    ("a3", "daily.example", "2026-02-10", "Russia signed a deal."),
    ("a4", "daily.example", None, "Russia is mentioned without a date."),
    ("a5", "daily.example", "2026-02-11", "Nothing relevant here."),
]


@pytest.fixture()
def workspace(tmp_path: Path) -> Workspace:
    workspace = Workspace(str(tmp_path))
    bodies = [
        {"article_id": a, "body": text, "title": None, "byline": None, "published_at": day,
         "language": "en", "source": source, "url": None, "error": None}
        for a, source, day, text in ARTICLES
    ]  # fmt: skip
    workspace.write_shard("bodies", "s1", pa.Table.from_pylist(bodies, tables.BODIES))
    workspace.write_shard("sentences", "s1", tables.SENTENCES.empty_table())
    return workspace


def _ids(workspace: Workspace, **rule) -> list[str]:
    campaign = Campaign(name="c", target="Russia", **rule)
    return [article for _, article in select_articles(workspace, campaign)]


def test_keywords_then_priority_newest_first_undated_last(workspace: Workspace) -> None:
    assert _ids(workspace, keywords=["Russia", "Moscow"]) == ["a2", "a3", "a1", "a4"]
    assert _ids(workspace, keywords=["Russia"], priority="oldest") == ["a1", "a3", "a4"]
    assert _ids(workspace, keywords=["russia"], priority="input") == ["a1", "a3", "a4"]


def test_sources_and_date_range(workspace: Workspace) -> None:
    assert _ids(workspace, sources=["Daily.example"]) == ["a5", "a3", "a4"]
    assert _ids(workspace, published_from="2026-02-01", published_to="2026-02-28") == ["a5", "a3"]


def test_sample_is_seeded_and_a_subset(workspace: Workspace) -> None:
    first = _ids(workspace, sample=2, seed=7)
    assert len(first) == 2 and first == _ids(workspace, sample=2, seed=7)
    assert set(first) <= set(_ids(workspace))
    seeds = {tuple(sorted(_ids(workspace, sample=2, seed=s))) for s in range(10)}
    assert len(seeds) > 1


def test_keyword_predictions_use_labelstudio_offsets_and_do_not_overlap() -> None:
    tagger = KeywordTagger.from_schema(load_label_schema())
    sentence = "Kim 😀 warned of a missile launch after talks, the ministry said."
    result = tagger.result(sentence)
    found = [
        (item["value"]["labels"][0], sentence[from_labelstudio(sentence, item["value"]["start"]) :
                                                from_labelstudio(sentence, item["value"]["end"])])
        for item in result
    ]  # fmt: skip
    assert found == [
        ("warning_threat", "warned"),
        ("weapons_test", "missile launch"),
        ("talks_call", "talks"),
        ("statement", "said"),
    ]
    assert all(item["value"]["text"] == text for item, (_, text) in zip(result, found, strict=True))
    assert tagger.model_version.startswith("keywords-")


def test_schema_changes_that_break_annotations_are_named() -> None:
    old = {"stance": ["favor", "against", "neutral"], "event": ["statement", "protest"]}
    added = {"stance": ["favor", "against", "neutral", "mixed"], "event": ["statement", "protest"]}
    removed = {"stance": ["favor", "against"], "event": ["statement", "protest"]}
    reordered = {"stance": ["against", "favor", "neutral"], "event": ["statement", "protest"]}
    used = {"stance": {"neutral", "favor"}}
    assert schema_change_problems(old, added, used) == []
    assert schema_change_problems(old, removed, used) == [
        "removes stance label(s) neutral that annotations use"
    ]
    assert schema_change_problems(old, removed, {"stance": {"favor"}}) == []
    assert schema_change_problems(old, reordered, used) == [
        "reorders stance labels that annotations use"
    ]


def test_config_labels_reads_the_generated_config() -> None:
    from newsdesk.annotation.labelconfig import label_config

    schema = load_label_schema()
    labels = config_labels(label_config(schema))
    assert labels["stance"] == schema.stance.values
    assert labels["event"] == schema.events.values
    assert labels["role"] == schema.roles.values
