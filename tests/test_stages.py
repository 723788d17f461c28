"""Clean and segment as plain functions on the bundled samples: offsets and counts hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.foundations.ids import sentence_ids
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.clean import clean
from newsdesk.stages.ingest import ingest
from newsdesk.stages.segment import segment
from schemas import tables
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(str(tmp_path_factory.mktemp("ws")))
    ingest(workspace, [SAMPLES], shard_size=3)
    clean(workspace)
    segment(workspace)
    return workspace


def test_every_article_has_one_body_and_shards_line_up(workspace: Workspace) -> None:
    assert workspace.shards("articles") == workspace.shards("bodies")
    assert workspace.shards("bodies") == workspace.shards("sentences")
    sizes = [workspace.read_shard("articles", s).num_rows for s in workspace.shards("articles")]
    assert max(sizes) <= 3 and len(sizes) >= 3  # 8 articles in shards of at most 3
    assert workspace.count_rows("bodies") == workspace.count_rows("articles") == 8


def test_seed_article_keeps_headline_and_five_paragraphs(workspace: Workspace) -> None:
    articles = workspace.read("articles", tables.ARTICLES).to_pylist()
    seed = next(a for a in articles if a["source_file"].endswith("000_38fbb254094bdd70.txt"))
    bodies = {b["article_id"]: b for b in workspace.read("bodies", tables.BODIES).to_pylist()}
    paragraphs = bodies[seed["article_id"]]["body"].split("\n\n")
    assert paragraphs[0] == "Russia Warns U.S. Against North Korea Sanctions"
    assert len(paragraphs) == 6
    assert paragraphs[1].startswith("Punishing North Korea")
    assert paragraphs[-1].startswith("The latest round of U.S. sanctions")
    removed = [
        r["text"]
        for r in workspace.read("removed", tables.REMOVED).to_pylist()
        if r["article_id"] == seed["article_id"]
    ]
    assert "Support The Moscow Times!" in removed and "Read more" in removed
    assert all(r for r in removed)


def test_sentence_offsets_point_into_the_body(workspace: Workspace) -> None:
    bodies = {
        b["article_id"]: b["body"] for b in workspace.read("bodies", tables.BODIES).to_pylist()
    }
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    assert len(sentences) > 40
    for sentence in sentences:
        assert (
            bodies[sentence["article_id"]][sentence["start"] : sentence["end"]] == sentence["text"]
        )
    by_article: dict[str, list[dict]] = {}
    for sentence in sorted(sentences, key=lambda s: (s["article_id"], s["index"])):
        by_article.setdefault(sentence["article_id"], []).append(sentence)
    for article, rows in by_article.items():  # ids from text, not offsets
        assert [r["sentence_id"] for r in rows] == sentence_ids(article, [r["text"] for r in rows])
    emoji = [s for s in sentences if "📺" in s["text"]]
    assert emoji and emoji[0]["text"].endswith("the next morning.")


def test_rerun_writes_nothing_new(workspace: Workspace) -> None:
    before = {table: workspace.shards(table) for table in ("bodies", "sentences", "removed")}
    assert clean(workspace).articles == 0
    assert segment(workspace).sentences == 0
    assert before == {table: workspace.shards(table) for table in before}


def test_new_input_only_costs_its_own_shard(workspace: Workspace, tmp_path: Path) -> None:
    extra = tmp_path / "late.txt"
    extra.write_text(
        "Late Headline About Talks\n\nOfficials met again on Sunday to discuss the border. "
        "They agreed to meet next week.\n",
        encoding="utf-8",
    )
    assert ingest(workspace, [extra]).kept == 1
    report = clean(workspace)
    assert (report.shards, report.articles) == (1, 1)
    assert segment(workspace).articles == 1


def test_an_unusable_page_is_kept_with_its_reason(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsdesk.app.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gallery.html").write_text(
        "<html><body><script>var slides = 3;</script><img src='a.jpg'><img src='b.jpg'>"
        "</body></html>"
    )
    workspace = Workspace(str(tmp_path / "ws"))
    ingest(workspace, [tmp_path / "in"])
    report = clean(workspace)
    assert (report.articles, report.empty) == (1, 1)
    (body,) = workspace.read("bodies", tables.BODIES).to_pylist()
    assert body["body"] == "" and body["error"]
    assert segment(workspace).sentences == 0
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path / "ws")])
    assert "articles without a body after cleaning: 1" in result.output


def test_status_lists_invalid_annotations_with_their_links(tmp_path: Path) -> None:
    import pyarrow as pa
    from typer.testing import CliRunner

    from newsdesk.app.cli import app

    workspace = Workspace(str(tmp_path / "ws"))
    row = {
        "campaign": "c",
        "task_id": 7,
        "annotation_id": 9,
        "link": "http://ls.example/projects/1/data?task=7",
        "reason": "unknown stance ['x']",
    }
    workspace.write_shard(
        "invalid_annotations", "c", pa.Table.from_pylist([row], tables.INVALID_ANNOTATIONS)
    )
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path / "ws")])
    assert "invalid annotations, kept out of the dataset: 1" in result.output
    assert "http://ls.example/projects/1/data?task=7: unknown stance ['x']" in result.output
